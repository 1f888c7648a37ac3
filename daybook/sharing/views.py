"""Sharing a log with the police, seeing who has looked, and the police's read-only view.

The person chooses what to share, checks exactly what that means on a second page, and only
confirming there (after re-authentication) shares anything."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.policy import police_officers
from daybook.accounts.sudo import require_sudo
from daybook.audit.models import Action, AuditEvent
from daybook.cases.access import case_for
from daybook.cases.consent import ConsentRequired
from daybook.cases.models import Case, Consent
from daybook.cases.selectors import client_details
from daybook.incidents.content import PRIVATE_MARK, PRIVATE_PROMISE
from daybook.incidents.models import Entry
from daybook.sharing import selectors, services
from daybook.sharing.forms import CHOSEN, DATES, WHOLE, ChooserFilterForm, ShareForm
from daybook.sharing.models import Share

SEEN = [
    Action.SHARED_LOG_VIEWED,
    Action.SHARED_ENTRY_VIEWED,
    Action.SHARED_EVIDENCE_VIEWED,
    Action.SHARED_EVIDENCE_DOWNLOADED,
    Action.REPORT_DOWNLOADED,
    Action.REPORT_REQUESTED,
]
CHOOSER_PAGE_SIZE = 50
# What the person wrote under "Details to keep private" reaches the police only through a
# share made with `include_private` (see PRIVATE_PROMISE in daybook/incidents/content.py).


def _shareable(case: Case) -> QuerySet[Entry]:
    return Entry.objects.filter(case=case).exclude(status=Entry.Status.DRAFT)


def _day(value: Any) -> str:
    return date_format(value, "j M Y") if value else ""


def _span(since: Any, until: Any) -> str:
    if since and until:
        return f"from {_day(since)} to {_day(until)}"
    if since:
        return f"from {_day(since)} on"
    return f"up to {_day(until)}"


@require_http_methods(["GET", "HEAD", "POST"])
def sharing(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """GET: the sharing page and the entry chooser. POST: the confirmation from the check page,
    which shares the log."""
    # Sharing is the person's decision, made by them or with their advocate: a page to make it.
    case = case_for(request, case_id, write=True)
    if request.method != "POST":
        filters = ChooserFilterForm(request.GET or None)
        dates = filters.cleaned_data if filters.is_valid() else {}
        form = ShareForm(
            initial={**dates, "page": request.GET.get("page")}, entries=_shareable(case)
        )
        return _chooser(request, case, form, filters=filters)
    form = ShareForm(request.POST, entries=_shareable(case), scope_required=False)
    if not form.is_valid():
        return _chooser(request, case, form)
    require_sudo(request)
    data = form.cleaned_data
    try:
        share = services.share_create(
            case=case,
            actor=request.user,
            police=data["police"],
            entries=list(data["entries"]) if data["scope"] == CHOSEN else None,
            since=data["date_from"] if data["scope"] == DATES else None,
            until=data["date_to"] if data["scope"] == DATES else None,
            include_private=data["include_private"],
            request=request,
        )
    except ConsentRequired as missing:
        form.add_error(None, missing.message)
        return _chooser(request, case, form)
    what = {
        WHOLE: "your whole log",
        DATES: f"the entries {_span(share.since, share.until)}",
        CHOSEN: "the entries you chose",
    }[data["scope"]]
    private = (
        " They can see the details to keep private, marked as not for disclosure."
        if share.include_private
        else " They cannot see the details to keep private."
    )
    messages.success(
        request,
        f"You are now sharing {what} with {share.police}.{private} "
        "You can stop at any time on this page.",
    )
    return redirect("sharing:case", case_id=case.pk)


@require_POST
def check(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """Check before you share: who will see what, from when, and how to stop it. Nothing is
    shared until the person confirms on this page."""
    case = case_for(request, case_id, write=True)
    form = ShareForm(request.POST, entries=_shareable(case))
    if form.is_valid() and not services.may_share(case=case, actor=request.user):
        form.add_error(None, ConsentRequired(Consent.Purpose.POLICE).message)
    if not form.is_valid():
        return _chooser(request, case, form)
    data = form.cleaned_data
    scope = data["scope"]
    if scope == CHOSEN:
        in_scope = services.entries_in_scope(case, entry_ids=[e.pk for e in data["entries"]])
    elif scope == DATES:
        in_scope = services.entries_in_scope(case, since=data["date_from"], until=data["date_to"])
    else:
        in_scope = services.entries_in_scope(case)
    chosen = list(in_scope) if scope == CHOSEN else []
    return render(
        request,
        "sharing/check.html",
        {
            "case": case,
            "form": form,
            "police": data["police"],
            "scope": scope,
            "span": _span(data["date_from"], data["date_to"]) if scope == DATES else "",
            "summary": selectors.scope_summary(in_scope),
            "chosen": selectors.chooser_rows(chosen, case),
            "name": _name_on_reports(case),
            "is_owner": request.user.pk == case.owner_id,
            "include_private": data["include_private"],
            "private_promise": PRIVATE_PROMISE,
            "private_mark": PRIVATE_MARK,
        },
    )


def _name_on_reports(case: Case) -> str:
    """The name a chronology produced from the share puts on its cover (as reports do)."""
    return client_details(case).get("name") or (case.owner.name if case.owner else "")


def _chooser(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: ShareForm,
    *,
    filters: ChooserFilterForm | None = None,
) -> HttpResponse:
    """The sharing page. The chooser shows one page of entries at a time, decrypting only
    those, so it stays quick on a log of many thousands of entries."""
    if filters is None:  # re-shown after a post: the dates travel in the form's hidden fields
        filters = ChooserFilterForm(
            {name: form.data.get(name, "") for name in ("date_from", "date_to")}
        )
    dates = filters.cleaned_data if filters.is_valid() else {}
    since, until = dates.get("date_from"), dates.get("date_to")
    entries = services.entries_in_scope(case, since=since, until=until).order_by(
        "-occurred_at", "-pk"
    )
    paginator = Paginator(entries, CHOOSER_PAGE_SIZE)
    page: Page = paginator.get_page(form["page"].value() or request.GET.get("page"))
    in_range = paginator.count
    total = _shareable(case).count() if (since or until) else in_range
    labels = {
        WHOLE: (
            f"Your whole log ({total} entr{'y' if total == 1 else 'ies'})",
            "Entries you add later are shared too, until you stop sharing.",
        )
    }
    if since or until:
        labels[DATES] = (
            f"Every entry {_span(since, until)} ({in_range} entr{'y' if in_range == 1 else 'ies'})",
            "Entries you add later with dates in this range are shared too.",
        )
    labels[CHOSEN] = (
        "Only the entries you tick below",
        "Entries you add later are not shared.",
    )
    query = urlencode({name: value.isoformat() for name, value in dates.items() if value})
    return render(
        request,
        "sharing/case.html",
        {
            "case": case,
            "form": form,
            "filters": filters,
            "filtered": bool(since or until),
            "scope_radios": form.scope_radios(labels),
            "private_promise": PRIVATE_PROMISE,
            "entry_checkboxes": form.entry_checkboxes(
                selectors.chooser_rows(list(page.object_list), case)
            ),
            "page": page,
            "query": query,
            "shares": case.shares.select_related("police"),
            "seen": selectors.seen_rows(
                case,
                list(
                    AuditEvent.objects.filter(
                        action__in=SEEN, extra__case=case.pk, actor__in=police_officers()
                    ).select_related("actor", "actor__organisation")[:100]
                ),
            ),
        },
    )


@require_POST
def revoke(request: AuthenticatedHttpRequest, case_id: int, share_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    share = get_object_or_404(Share, pk=share_id, case=case, revoked_at__isnull=True)
    services.share_revoke(share=share, actor=request.user, request=request)
    messages.success(request, f"Sharing stopped. {share.police} can no longer see this log.")
    return redirect("sharing:case", case_id=case.pk)


# --- The police's view ---------------------------------------------------------------------
