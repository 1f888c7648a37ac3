"""A person's copy of their data and their leaving, from their account; and a service
manager's copy for a request made by letter, from the case record. Asking for a copy,
downloading it and asking to leave need a fresh re-authentication."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.policy import is_service_manager, is_victim
from daybook.accounts.sudo import require_sudo
from daybook.cases.access import casework_case_for
from daybook.cases.models import Case, CaseRecord, Perpetrator
from daybook.casework.sections import SECTIONS
from daybook.casework.selectors import section_rows
from daybook.erasure.services import ErasureRefused
from daybook.subject_access import leaving, services
from daybook.subject_access.access import letter_copy_for, own_copy_for
from daybook.subject_access.forms import WithholdForm
from daybook.subject_access.models import SubjectAccessRequest

GET = ["GET", "HEAD"]


def _victim_only(request: AuthenticatedHttpRequest) -> None:
    """Staff accounts hold other people's data: their copies and leaving go through the
    service, outside Daybook."""
    if not is_victim(request.user):
        raise Http404


def _download(request: AuthenticatedHttpRequest, copy: SubjectAccessRequest) -> HttpResponse:
    if copy.status != SubjectAccessRequest.Status.DONE:
        raise Http404
    if services.subject_access_expired(copy):
        return render(request, "subject_access/expired.html", {"copy": copy}, status=410)
    require_sudo(request)
    data = services.subject_access_bytes(copy, actor=request.user, request=request)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{copy.filename}"'
    return response


# --- The person's own copy, and leaving ------------------------------------------------------


@require_http_methods([*GET, "POST"])
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for a copy of everything held (POST), or see the copies asked for."""
    _victim_only(request)
    if request.method == "POST":
        require_sudo(request)
        copy = services.subject_access_request(person=request.user, request=request)
        return redirect("subject_access:mine_status", copy_id=copy.pk)
    copies = SubjectAccessRequest.objects.filter(
        person=request.user, via=SubjectAccessRequest.Via.ACCOUNT
    )[:10]
    return render(request, "subject_access/mine.html", {"copies": copies})


@require_http_methods(GET)
def mine_status(request: AuthenticatedHttpRequest, copy_id: int) -> HttpResponse:
    _victim_only(request)
    copy = own_copy_for(request, copy_id)
    return render(
        request,
        "subject_access/status.html",
        {"copy": copy, "download": "subject_access:mine_download", "back": None},
    )


@require_http_methods(GET)
def mine_download(request: AuthenticatedHttpRequest, copy_id: int) -> HttpResponse:
    _victim_only(request)
    return _download(request, own_copy_for(request, copy_id))


@require_http_methods([*GET, "POST"])
def leave(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Delete the account and every log the person owns, after the undo window (POST); or
    see when that will happen, with the way to cancel."""
    _victim_only(request)
    pending = leaving.account_deletion_pending(request.user)
    if request.method == "POST" and pending is None:
        require_sudo(request)
        try:
            leaving.account_deletion_request(person=request.user, request=request)
        except (ValidationError, ErasureRefused) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("subject_access:leave")
    context: dict[str, object] = {
        "pending": pending,
        "logs": request.user.owned_cases.filter(erased_at=None).count(),
    }
    if pending is not None:
        context["due_on"] = leaving.account_deletion_due_on(pending)
        context["waits_for_service"] = leaving.account_deletion_waits_for_service(pending)
    return render(request, "subject_access/leave.html", context)


@require_POST
def leave_cancel(request: AuthenticatedHttpRequest) -> HttpResponse:
    _victim_only(request)
    try:
        leaving.account_deletion_cancel(person=request.user, request=request)
    except (ValidationError, ErasureRefused) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, "Cancelled. Your account and your log will be kept.")
    return redirect("subject_access:leave")


# --- A service manager's copy for a request made by letter ------------------------------------


def _manager_case(request: AuthenticatedHttpRequest, case_id: int) -> Case:
    case = casework_case_for(request, case_id)
    if not is_service_manager(request.user):
        raise PermissionDenied
    return case


def _records(case: Case) -> list[dict[str, object]]:
    """Each casework record a manager may withhold (the people the case is about, then each
    section's records), with its present mark."""
    found = [
        {
            "section": "People the case is about",
            "record": record,
            "summary": "; ".join(str(value) for value in record.opened().values() if value)[:200],
            "form": WithholdForm(initial={"because": record.withheld}),
        }
        for record in Perpetrator.objects.filter(case=case).order_by("created_at")
    ]
    for section in SECTIONS.values():
        for row in section_rows(case, section):
            record = row["record"]
            summary = "; ".join(f"{label}: {value}" for label, value in row["items"] if value)
            found.append(
                {
                    "section": section.title,
                    "record": record,
                    "summary": summary[:400],
                    "form": WithholdForm(initial={"because": record.withheld}),
                }
            )
    return found


def _record(case: Case, uid: str) -> CaseRecord:
    models: list[type[CaseRecord]] = [Perpetrator, *(item.model for item in SECTIONS.values())]
    for model in models:
        record = model._default_manager.filter(case=case, uid=uid).first()
        if record is not None:
            return record
    raise Http404


@require_http_methods([*GET, "POST"])
def case_copies(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """Produce a copy for a request made by letter (POST), or see what it will leave out."""
    case = _manager_case(request, case_id)
    if request.method == "POST":
        require_sudo(request)
        copy = services.subject_access_request_by_letter(
            case=case, actor=request.user, request=request
        )
        return redirect("subject_access:case_status", case_id=case.pk, letter_id=copy.pk)
    copies = SubjectAccessRequest.objects.filter(case=case, via=SubjectAccessRequest.Via.LETTER)
    return render(
        request,
        "subject_access/case.html",
        {"case": case, "records": _records(case), "copies": copies[:10]},
    )


@require_POST
def withhold(request: AuthenticatedHttpRequest, case_id: int, uid: str) -> HttpResponse:
    """Withhold one casework record from the person's copy, or release it."""
    case = _manager_case(request, case_id)
    record = _record(case, uid)
    form = WithholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the record is withheld, or that it is not.")
        return redirect("subject_access:case", case_id=case.pk)
    services.casework_withhold(
        record=record, actor=request.user, because=form.cleaned_data["because"], request=request
    )
    if form.cleaned_data["because"]:
        messages.success(request, "Withheld: the record is left out of the person's copy.")
    else:
        messages.success(request, "The record will be in the person's copy.")
    return redirect("subject_access:case", case_id=case.pk)


@require_http_methods(GET)
def case_status(request: AuthenticatedHttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    case = _manager_case(request, case_id)
    copy = letter_copy_for(request, case, letter_id)
    return render(
        request,
        "subject_access/status.html",
        {"copy": copy, "case": case, "download": "subject_access:case_download"},
    )


@require_http_methods(GET)
def case_download(request: AuthenticatedHttpRequest, case_id: int, letter_id: int) -> HttpResponse:
    case = _manager_case(request, case_id)
    return _download(request, letter_copy_for(request, case, letter_id))
