"""Consent withdrawn takes effect everywhere at once: the police lose what was shared with them
the moment the person withdraws consent to share with the police, and the next statistics run
leaves out a person who withdrew consent to be counted."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Consent
from daybook.cases.services import case_open, consent_record, lawful_basis_record
from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.insights import statistics
from daybook.reports import chronology
from daybook.reports.services import report_build, report_request
from daybook.sharing.models import Share
from daybook.sharing.services import share_create
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG
from tests.test_reports import sign_in_fresh


@pytest.fixture
def shared(case, personas: Personas):
    """The person's consent to share with the police, recorded by their advocate, and the whole
    log (one entry, with a photo) shared by the advocate on the strength of it."""
    consent = consent_record(
        case=case, actor=personas.advocate, purpose=Consent.Purpose.POLICE, how="written"
    )
    entry = log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    evidence = log.evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload("door.png", PNG)
    )
    share = share_create(case=case, actor=personas.advocate, police=personas.police_force)
    # A chronology the officer produced from the share.
    report = report_request(
        case=case,
        actor=personas.police,
        kind="chronology",
        profile=chronology.DISCLOSABLE,
        share=share,
    )
    report_build(report)
    return consent, share, entry, evidence


def _police_urls(share: Share, entry, evidence) -> list[str]:
    """Everything of the log an officer can open: the log, an entry, a file, a report."""
    report = share.reports.get()
    return [
        reverse("police:shared_log", args=[share.pk]),
        reverse("police:shared_entry", args=[share.pk, entry.pk]),
        reverse("police:shared_evidence_view", args=[share.pk, evidence.pk]),
        reverse("police:shared_evidence_download", args=[share.pk, evidence.pk]),
        reverse("police:shared_report", args=[share.pk, report.pk]),
        reverse("police:shared_report_download", args=[share.pk, report.pk]),
    ]


def test_withdrawing_police_consent_stops_the_police_reading_at_once(
    case, shared, personas: Personas
) -> None:
    consent, share, entry, evidence = shared
    police = sign_in_fresh(personas.police)
    for url in _police_urls(share, entry, evidence):
        assert police.get(url).status_code == 200, url
    assert share in police.get(reverse("police:shared_list")).context["shares"]

    advocate = sign_in_fresh(personas.advocate)
    response = advocate.post(reverse("cases:consent_withdraw", args=[case.pk, consent.pk]))
    assert response.status_code == 302

    for url in _police_urls(share, entry, evidence):
        assert police.get(url).status_code == 404, url
    assert case.reference not in police.get(reverse("police:shared_list")).content.decode()
    share.refresh_from_db()
    assert share.revoked_at is not None and share.revoked_by == personas.advocate
    revoked = AuditEvent.objects.get(action=Action.SHARE_REVOKED)
    assert revoked.actor == personas.advocate and revoked.extra == {"share": share.pk}
    # The revocation is recorded with the withdrawal, not instead of it.
    assert AuditEvent.objects.filter(action=Action.CONSENT_WITHDRAWN).count() == 1


def test_every_active_police_share_of_the_case_is_revoked(case, shared, personas: Personas):
    consent, first, entry, _ = shared
    # The person's own share, of one entry, made after the advocate's.
    second = share_create(
        case=case, actor=personas.victim, police=personas.police_force, entries=[entry]
    )
    advocate = sign_in_fresh(personas.advocate)
    advocate.post(reverse("cases:consent_withdraw", args=[case.pk, consent.pk]))
    assert not Share.objects.filter(revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action=Action.SHARE_REVOKED).count() == 2
    assert {first.pk, second.pk} == {
        event.extra["share"] for event in AuditEvent.objects.filter(action=Action.SHARE_REVOKED)
    }


def test_shares_of_another_case_are_untouched(case, shared, personas: Personas) -> None:
    consent, *_ = shared
    other = case_open(created_by=personas.outsider, owner=personas.outsider)
    theirs = share_create(case=other, actor=personas.outsider, police=personas.police_force)
    sign_in_fresh(personas.advocate).post(
        reverse("cases:consent_withdraw", args=[case.pk, consent.pk])
    )
    theirs.refresh_from_db()
    assert theirs.active


def test_withdrawing_another_consent_leaves_the_police_share(case, shared, personas: Personas):
    _, share, entry, evidence = shared
    support = consent_record(case=case, actor=personas.advocate, purpose="support", how="verbal")
    sign_in_fresh(personas.advocate).post(
        reverse("cases:consent_withdraw", args=[case.pk, support.pk])
    )
    share.refresh_from_db()
    assert share.active
    police = sign_in_fresh(personas.police)
    assert police.get(_police_urls(share, entry, evidence)[0]).status_code == 200


def test_a_share_standing_on_a_recorded_lawful_basis_stays(case, shared, personas: Personas):
    """Withdrawing consent does not undo sharing the law allows without it (for example to
    prevent serious harm), once the advocate has recorded that basis."""
    consent, share, *_ = shared
    lawful_basis_record(
        case=case,
        actor=personas.advocate,
        purpose=Consent.Purpose.POLICE,
        basis="Risk of serious harm: immediate safeguarding referral",
    )
    sign_in_fresh(personas.advocate).post(
        reverse("cases:consent_withdraw", args=[case.pk, consent.pk])
    )
    share.refresh_from_db()
    assert share.active
    assert not AuditEvent.objects.filter(action=Action.SHARE_REVOKED).exists()


def _new_people(found: statistics.Statistics) -> int | float | str:
    people = next(table for table in found.tables if table.title == "People supported")
    return dict(people.rows)["New in the period"][0]


def test_withdrawing_consent_to_statistics_leaves_the_person_out_of_the_next_run(
    personas: Personas,
) -> None:
    cases = [
        case_open(
            created_by=personas.advocate, service=personas.service, advocates=(personas.advocate,)
        )
        for _ in range(6)
    ]
    consents = [
        consent_record(
            case=case, actor=personas.advocate, purpose=Consent.Purpose.STATISTICS, how="verbal"
        )
        for case in cases
    ]
    services = type(personas.service).objects.filter(pk=personas.service.pk)
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    before = statistics.build(services, start, today)
    assert _new_people(before) == 6 and before.left_out == 0

    advocate = sign_in_fresh(personas.advocate)
    response = advocate.post(reverse("cases:consent_withdraw", args=[cases[0].pk, consents[0].pk]))
    assert response.status_code == 302

    after = statistics.build(services, start, today)
    assert _new_people(after) == 5
    assert cases[0] not in statistics.consenting(services)
    # One person left out is fewer than five: said so, never as the exact count.
    assert after.left_out == statistics.SUPPRESSED
