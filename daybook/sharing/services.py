import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from daybook.accounts.models import Organisation, User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases import services as case_services
from daybook.cases.consent import has_consent, require_consent
from daybook.cases.models import Case, Consent
from daybook.incidents.models import Entry
from daybook.sharing.models import Share


def may_share(*, case: Case, actor: User) -> bool:
    """The person may share their own log; anyone else needs the person's consent to share it
    with the police (or a recorded lawful basis). The check page asks this before anything is
    shared; `share_create` asks it again."""
    return actor.pk == case.owner_id or has_consent(case, Consent.Purpose.POLICE)


@transaction.atomic
def share_create(
    *,
    case: Case,
    actor: User,
    police: Organisation,
    entries: list[Entry] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    include_private: bool = False,
    request: HttpRequest | None = None,
) -> Share:
    """Share a log with a police force. The person may share their own log; anyone else needs
    the person's consent to share with the police (or a recorded lawful basis).

    With `entries`, exactly those entries are shared (the dates are ignored); without, the
    whole log, or the part of it from `since` to `until` (each optional). With
    `include_private` the police also see the details to keep private, marked as not for
    disclosure; without (the default), nothing the police get from the share holds them."""
    if police.kind != Organisation.Kind.POLICE_FORCE:
        raise ValueError("Logs are shared with police forces.")
    if not may_share(case=case, actor=actor):
        require_consent(case, Consent.Purpose.POLICE)
    if entries and any(entry.case_id != case.pk for entry in entries):
        raise ValueError("Only entries of this log can be shared.")
    whole_log = not entries
    share = Share.objects.create(
        case=case,
        police=police,
        whole_log=whole_log,
        since=since if whole_log else None,
        until=until if whole_log else None,
        include_private=include_private,
        created_by=actor,
    )
    if entries:
        share.entries.set(entries)
    audit_record(
        action=Action.LOG_SHARED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=police.pk,
        extra={"share": share.pk, "whole": share.whole_log, "private": include_private},
    )
    return share


@transaction.atomic
def share_revoke(*, share: Share, actor: User, request: HttpRequest | None = None) -> Share:
    share.revoked_at, share.revoked_by = timezone.now(), actor
    share.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.SHARE_REVOKED,
        actor=actor,
        subject=share.case,
        request=request,
        organisation_id=share.police_id,
        extra={"share": share.pk},
    )
    return share


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, actor: User, request: HttpRequest | None = None
) -> Consent:
    """Withdraw a consent, taking effect everywhere at once.

    Withdrawing consent to share with the police revokes, in the same transaction, every
    active share of the case with the police (each audited), so no officer reads another
    entry, file or report of it — unless another consent to share with the police, or a
    recorded lawful basis, still stands. Shares the person made themselves are revoked too:
    the withdrawal is their latest word. Consent to statistics needs nothing more here: each
    statistics run counts only cases whose consent stands (`insights.statistics.consenting`)."""
    consent = case_services.consent_withdraw(consent=consent, actor=actor, request=request)
    case = consent.case
    if consent.purpose == Consent.Purpose.POLICE and not has_consent(case, Consent.Purpose.POLICE):
        active = Share.objects.select_for_update().filter(case=case, revoked_at__isnull=True)
        for share in active.select_related("case"):
            share_revoke(share=share, actor=actor, request=request)
    return consent


def entries_in_scope(
    case: Case,
    *,
    entry_ids: Iterable[int] | QuerySet[Entry, Any] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Entry]:
    """The entries a share covers, oldest first. The page that asks the person to check a
    share and the police's view of it both read this, so they cannot disagree. Drafts are
    never shared; withdrawn entries are, marked withdrawn, as in the log itself."""
    entries = Entry.objects.filter(case=case).exclude(status=Entry.Status.DRAFT)
    if entry_ids is not None:
        entries = entries.filter(pk__in=entry_ids)
    # `occurred_on` is the date where it happened; the instant `occurred_at` is within a day of
    # it in any time zone. Bounding both lets the database walk the (case, occurred_at) index
    # over the range instead of the whole log, and the date keeps the answer exact.
    if since:
        entries = entries.filter(
            occurred_on__gte=since, occurred_at__gte=_midnight_utc(since - dt.timedelta(days=1))
        )
    if until:
        entries = entries.filter(
            occurred_on__lte=until, occurred_at__lt=_midnight_utc(until + dt.timedelta(days=2))
        )
    return entries.order_by("occurred_at", "pk")


def _midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def shared_entries(share: Share) -> QuerySet[Entry]:
    return entries_in_scope(
        share.case,
        entry_ids=None if share.whole_log else share.entries.values("pk"),
        since=share.since,
        until=share.until,
    )


def shared_entry_ids(share: Share) -> set[int]:
    return set(shared_entries(share).values_list("pk", flat=True))
