"""The log pages for victims and the advocates who hold their case. Thin: forms validate,
services write, selectors read, and every case is reached through `case_for`."""

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from daybook import crypto
from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.policy import is_advocate, is_victim
from daybook.accounts.sudo import require_sudo
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases import services as case_services
from daybook.cases.access import case_for, cases_visible_to
from daybook.cases.models import Case
from daybook.incidents import checkpoints, selectors, services, signing
from daybook.incidents.access import entry_for, evidence_for
from daybook.incidents.content import PRIVATE_PROMISE
from daybook.incidents.evidence import check_upload, max_bytes, preview_jpeg
from daybook.incidents.export import log_csv_rows
from daybook.incidents.forms import (
    AmendForm,
    CaseOpenForm,
    EntryForm,
    EvidenceForm,
    LogFilterForm,
    ReasonForm,
)
from daybook.incidents.models import Checkpoint, Entry, Evidence, RecordedHow
from daybook.ui.forms import submitted

PAGE_SIZE = 25


def recorded_how(request: AuthenticatedHttpRequest, form: EntryForm | None = None) -> str:
    if form is not None and form.cleaned_data.get("from_witness"):
        return RecordedHow.WITNESS
    return RecordedHow.VICTIM if is_victim(request.user) else RecordedHow.ADVOCATE


# --- Cases -------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def log_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("incidents.list_logs"):
        raise PermissionDenied
    cases = list(cases_visible_to(request.user).select_related("owner", "service"))
    if is_victim(request.user) and len(cases) == 1:
        return redirect("incidents:log", case_id=cases[0].pk)
    rows = [(case, case_services.case_label(case)) for case in cases]
    return render(request, "incidents/log_list.html", {"rows": rows})


@require_POST
def log_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A victim starts their own log; no service is needed."""
    if not request.user.has_perm("incidents.keep_own_log"):
        raise PermissionDenied
    case = case_services.case_open(created_by=request.user, owner=request.user, request=request)
    return redirect("incidents:record", case_id=case.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def case_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An advocate opens a case for a client and records on their behalf."""
    if not request.user.has_perm("casework.open_case"):
        raise PermissionDenied
    form = CaseOpenForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        advocates = (request.user,) if is_advocate(request.user) else ()
        case = case_services.case_open(
            created_by=request.user,
            service=request.user.organisation,
            advocates=advocates,
            label=form.cleaned_data["label"],
            request=request,
        )
        return redirect("incidents:log", case_id=case.pk)
    return render(request, "incidents/case_open.html", {"form": form})


# --- The log -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def log(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id, reading=Action.LOG_VIEWED)
    can_change = request.user.has_perm("cases.change_case", case)
    filters = LogFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.log_entries(case, chosen)
    counts = selectors.log_counts(case, entries, chosen)
    paginator = Paginator(entries.select_related("recorded_by"), PAGE_SIZE)
    paginator.count = counts.entries  # already counted; saves a second COUNT over the log
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/log.html",
        {
            "case": case,
            "label": case_services.case_label(case),
            "filters": filters,
            "page": page,
            "rows": selectors.log_rows(list(page.object_list), case),
            "counts": counts,
            # Unfinished entries are for those who may finish them.
            "drafts": selectors.drafts(case)[:10] if can_change else [],
            "verification": selectors.verification_for_page(case),
            "query": _query_without_page(request),
            "is_owner": request.user.pk == case.owner_id,
            "can_change": can_change,
        },
    )


def _query_without_page(request: AuthenticatedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_POST
def log_verify(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    result = selectors.verify_now(case)
    if result.ok and not result.records:
        messages.success(request, "There is nothing in this log to check yet.")
    elif result.ok:
        messages.success(
            request,
            ngettext(
                "Log verified: its %(n)d record is intact.",
                "Log verified: all %(n)d records and files are intact.",
                result.records,
            )
            % {"n": result.records},
        )
    else:
        messages.error(request, f"The log failed verification. {result.problem}")
    return redirect("incidents:log", case_id=case.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def record(
    request: AuthenticatedHttpRequest, case_id: int, draft_id: int | None = None
) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    draft = None
    if draft_id is not None:
        draft = get_object_or_404(Entry, pk=draft_id, case=case, status=Entry.Status.DRAFT)
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            common: dict[str, Any] = {
                "case": case,
                "author": request.user,
                "how": recorded_how(request, form),
                "values": form.values(),
                "draft": draft,
                "request": request,
            }
            if "save_draft" in request.POST:
                services.entry_draft_save(**common)
                messages.success(request, "Draft saved. It is not in your log until you add it.")
                return redirect("incidents:log", case_id=case.pk)
            entry = services.entry_record(**common)
            messages.success(request, "Added to the log.")
            return redirect("incidents:entry", case_id=case.pk, entry_id=entry.pk)
    elif draft is not None:
        form = EntryForm.from_content(services.entry_content_of(draft))
    else:
        form = EntryForm(initial={"occurred_on": timezone.localdate()})
    return render(request, "incidents/record.html", {"case": case, "form": form, "draft": draft})


@require_http_methods(["GET", "HEAD"])
def entry(request: AuthenticatedHttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    case, item = entry_for(request, case_id, entry_id)
    return _entry_page(request, case, item, EvidenceForm())


def _entry_page(
    request: AuthenticatedHttpRequest, case: Case, item: Entry, evidence_form: EvidenceForm
) -> HttpResponse:
    """The entry with its files and history; after a failed upload, with the form's errors."""
    try:
        content = services.entry_content_of(item)
        history = selectors.entry_history(item)
        evidence = selectors.evidence_with_meta(item)
    except crypto.DecryptionError:
        # A record or file row altered in the database: say so, not a server error.
        return render(request, "incidents/entry_altered.html", {"case": case, "entry": item})
    return render(
        request,
        "incidents/entry.html",
        {
            "case": case,
            "entry": item,
            "content": content,
            "history": history,
            "evidence": evidence,
            "evidence_form": evidence_form,
            "max_mb": max_bytes() // 1_000_000,
            "can_change": request.user.has_perm("cases.change_case", case),
            "private_promise": PRIVATE_PROMISE,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def amend(request: AuthenticatedHttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    item = get_object_or_404(Entry, pk=entry_id, case=case, status__in=Entry.IN_LOG)
    if request.method == "POST":
        form = AmendForm(request.POST)
        if form.is_valid():
            try:
                services.entry_amend(
                    entry=item,
                    author=request.user,
                    how=recorded_how(request),
                    changes=form.values(),
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Amendment added. The original is kept in the history.")
                return redirect("incidents:entry", case_id=case.pk, entry_id=item.pk)
    else:
        form = AmendForm.from_content(services.entry_content_of(item))
    return render(request, "incidents/amend.html", {"case": case, "entry": item, "form": form})


def _withdraw_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    entry: Entry,
    *,
    what: str,
    withdraw: Callable[[str], object],
) -> HttpResponse:
    """Ask why, then withdraw an entry or a file: it stays in the history, marked withdrawn."""
    form = ReasonForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        withdraw(form.cleaned_data["reason"])
        messages.success(
            request, f"{what.capitalize()} withdrawn. It stays in the history, marked withdrawn."
        )
        return redirect("incidents:entry", case_id=case.pk, entry_id=entry.pk)
    return render(
        request,
        "incidents/withdraw.html",
        {"case": case, "entry": entry, "form": form, "what": what},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: AuthenticatedHttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    item = get_object_or_404(Entry, pk=entry_id, case=case, status__in=Entry.IN_LOG)
    return _withdraw_page(
        request,
        case,
        item,
        what="entry",
        withdraw=lambda reason: services.entry_withdraw(
            entry=item,
            author=request.user,
            how=recorded_how(request),
            reason=reason,
            request=request,
        ),
    )


# --- Evidence ----------------------------------------------------------------------


@require_POST
def evidence_upload(request: AuthenticatedHttpRequest, case_id: int, entry_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    item = get_object_or_404(Entry, pk=entry_id, case=case, status__in=Entry.IN_LOG)
    form = EvidenceForm(request.POST, request.FILES)
    problem = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            problem = (
                f"The file is {upload.size / 1_000_000:.1f} MB. Files must be smaller than "
                f"{max_bytes() / 1_000_000:.0f} MB."
            )
        else:
            try:
                checked = check_upload(upload.name, upload.read())
            except ValidationError as error:
                problem = " ".join(error.messages)
            else:
                services.evidence_add(
                    entry=item,
                    author=request.user,
                    how=recorded_how(request),
                    checked=checked,
                    request=request,
                )
                messages.success(
                    request, f"File added. Its SHA-256 fingerprint is {checked.sha256}."
                )
    if problem:
        form.add_error("file", f"The file was not added. {problem}")
    if form.errors:
        # The page again, with the GOV.UK error summary linked to the file field: a redirect
        # would lose the field and a banner above the entry is easily missed.
        return _entry_page(request, case, item, form)
    return redirect("incidents:entry", case_id=case.pk, entry_id=item.pk)


@require_http_methods(["GET", "HEAD"])
def evidence_download(
    request: AuthenticatedHttpRequest, case_id: int, evidence_id: int
) -> HttpResponseBase:
    case_for(request, case_id, reading=None)  # may they? before asking them to confirm it's them
    require_sudo(request)
    case, item = evidence_for(request, case_id, evidence_id)
    meta = services.evidence_meta(item)
    try:
        # Decrypted to a temporary file and streamed from it: a long video is never held
        # whole in memory.
        opened = services.evidence_opened(item)
    except (crypto.DecryptionError, FileNotFoundError):
        return render(
            request,
            "incidents/evidence_altered.html",
            {"case": case, "entry": item.entry},
            status=409,
        )
    response = FileResponse(opened, content_type="application/octet-stream")
    response["Content-Disposition"] = _attachment(meta["name"])
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    fallback = "".join(
        char if char.isascii() and (char.isalnum() or char in "._-") else "_" for char in name
    )
    return f"attachment; filename=\"{fallback or 'evidence'}\"; filename*=UTF-8''{quote(name)}"


@require_http_methods(["GET", "HEAD"])
def evidence_preview(
    request: AuthenticatedHttpRequest, case_id: int, evidence_id: int
) -> HttpResponse:
    """A re-encoded JPEG of a photo or screenshot; never the original bytes, never SVG or HTML."""
    case, item = evidence_for(request, case_id, evidence_id)
    preview = preview_jpeg(services.evidence_bytes(item), item.content_type)
    if preview is None:
        raise Http404
    response = HttpResponse(preview, content_type="image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def evidence_withdraw(
    request: AuthenticatedHttpRequest, case_id: int, evidence_id: int
) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    item = get_object_or_404(Evidence, pk=evidence_id, entry__case=case, withdrawn=False)
    return _withdraw_page(
        request,
        case,
        item.entry,
        what="file",
        withdraw=lambda reason: services.evidence_withdraw(
            evidence=item,
            author=request.user,
            how=recorded_how(request),
            reason=reason,
            request=request,
        ),
    )


# --- Download ----------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_http_methods(["GET", "HEAD"])
def log_download(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id, reading=None)  # the export is recorded as one below
    require_sudo(request)
    writer = csv.writer(_Echo())
    body = "".join(writer.writerow(row) for row in log_csv_rows(case))
    audit_record(
        action=Action.LOG_EXPORTED,
        actor=request.user,
        subject=case,
        request=request,
        extra={"format": "csv"},
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="log-{case.reference}.csv"'
    return response


@require_POST
def log_receipt(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """A signed receipt of the log as it stands, for the person to keep outside Daybook."""
    case = case_for(request, case_id, reading=None)  # issuing it is recorded as the read
    checkpoint = services.checkpoint_issue(
        case=case, purpose=Checkpoint.Purpose.RECEIPT, actor=request.user, request=request
    )
    body = checkpoints.receipt(
        checkpoints.statement_of(checkpoint, checkpoint.case.reference), checkpoint.signature
    )
    response = JsonResponse(body, json_dumps_params={"indent": 2})
    stamp = checkpoint.issued_at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{case.reference}-{stamp}.json"'
    )
    return response


@login_not_required
@require_http_methods(["GET", "HEAD"])
def signing_keys(request: HttpRequest) -> HttpResponse:
    """The public keys the service signs checkpoints with: the one in use, then those used
    before a rotation, so anyone can check a checkpoint without asking the service."""
    response = JsonResponse([key.as_json() for key in signing.published_keys()], safe=False)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
