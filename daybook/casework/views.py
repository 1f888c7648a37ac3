"""Casework pages. Every case is reached through `casework_case_for` (staff) or `case_for`
(the person's own support page); forms validate, services write, selectors read."""

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form, ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import Organisation
from daybook.accounts.policy import (
    advocates_of,
    is_advocate,
    is_police,
    is_service_manager,
    is_victim,
    service_staff_of,
)
from daybook.cases import selectors as case_selectors
from daybook.cases import services as case_services
from daybook.cases.access import case_for, cases_visible_to, casework_case_for
from daybook.cases.consent import ConsentRequired
from daybook.cases.models import Case, Consent, OrderBreach, ProtectiveOrder, Referral
from daybook.casework import forms, selectors, services
from daybook.casework.access import referral_for
from daybook.casework.dashboards import advocate_dashboard, manager_dashboard
from daybook.casework.sections import SECTIONS, OrderBreachForm
from daybook.incidents.models import Entry
from daybook.public.views import explain_exit_first
from daybook.risk.models import Screening
from daybook.sharing import services as sharing_services
from daybook.ui.forms import submitted

GET_POST = ["GET", "HEAD", "POST"]


def _case_context(case: Case) -> dict:
    return {
        "case": case,
        "client": case_selectors.client_details(case),
        "safe_contact": case_selectors.safe_contact_shown(case),
        "sections": SECTIONS.values(),
    }


@require_http_methods(["GET", "HEAD"])
def case_record(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id)
    latest_risk = Screening.objects.filter(case=case).order_by("-created_at").first()
    context = {
        **_case_context(case),
        "perpetrators": selectors.perpetrators(case),
        "latest_risk": latest_risk,
        "advocates": case.advocates.all(),
        "can_allocate": request.user.has_perm("casework.allocate", case),
    }
    return render(request, "cases/record.html", context)


def _form_page(
    request: AuthenticatedHttpRequest,
    case: Case,
    form: Form,
    *,
    title: str,
    save: Callable[[dict[str, Any]], object],
    template: str = "cases/form.html",
) -> HttpResponse:
    """Show `form`; on a valid POST call `save(cleaned_data)` and go back to the case."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ConsentRequired as missing:
            form.add_error(None, missing.message)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("cases:record", case_id=case.pk)
    return render(request, template, {**_case_context(case), "form": form, "title": title})


@require_http_methods(GET_POST)
def case_details(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    form = forms.ClientDetailsForm(submitted(request), initial=case_selectors.client_details(case))
    return _form_page(
        request,
        case,
        form,
        title="Client details",
        save=lambda data: case_services.case_details_save(
            case=case, actor=request.user, client=data, request=request
        ),
    )


@require_http_methods(GET_POST)
def case_safe_contact(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    form = forms.SafeContactForm(submitted(request), initial=case_selectors.safe_contact(case))
    return _form_page(
        request,
        case,
        form,
        title="Safe contact",
        save=lambda data: case_services.case_details_save(
            case=case, actor=request.user, safe_contact=data, request=request
        ),
    )


@require_http_methods(GET_POST)
def case_status(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    initial = {
        "status": case.status,
        "closure_reason": case.closure_reason,
        "domestic": "" if case.domestic is None else "yes" if case.domestic else "no",
        "relationship": case.relationship,
    }
    form = forms.CaseStatusForm(submitted(request), initial=initial)
    return _form_page(
        request,
        case,
        form,
        title="Status and context",
        save=lambda data: case_services.case_status_set(
            case=case,
            actor=request.user,
            status=data["status"],
            closure_reason=data["closure_reason"],
            domestic={"yes": True, "no": False}.get(data["domestic"]),
            relationship=data["relationship"],
            request=request,
        ),
    )


@require_http_methods(GET_POST)
def perpetrator_add(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    form = forms.PerpetratorForm(submitted(request))
    return _form_page(
        request,
        case,
        form,
        title="Add a perpetrator",
        save=lambda data: services.perpetrator_add(
            case=case, actor=request.user, identifiers=form.identifiers(), request=request
        ),
    )


@require_http_methods(GET_POST)
def case_allocate(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    if not request.user.has_perm("casework.allocate", case):
        raise PermissionDenied
    form = forms.AllocateForm(submitted(request), initial={"advocates": case.advocates.all()})
    cast(ModelChoiceField, form.fields["advocates"]).queryset = advocates_of(case.service_id)
    return _form_page(
        request,
        case,
        form,
        title="Allocate advocates",
        save=lambda data: case_services.case_allocate(
            case=case, actor=request.user, advocates=list(data["advocates"]), request=request
        ),
    )


# --- Sections ----------------------------------------------------------------------------


def _prepare(form: Form, case: Case) -> None:
    """Choices that depend on the case: who a task can go to, which entries can be breaches."""
    if "assignee" in form.fields:
        cast(ModelChoiceField, form.fields["assignee"]).queryset = service_staff_of(case.service_id)
    if "breaches" in form.fields:
        cast(ModelChoiceField, form.fields["breaches"]).queryset = Entry.objects.filter(
            case=case, status=Entry.Status.LOGGED
        ).order_by("-occurred_at")


@require_http_methods(GET_POST)
def section(
    request: AuthenticatedHttpRequest, case_id: int, slug: str, record_id: int | None = None
) -> HttpResponse:
    chosen = SECTIONS[slug]
    write = request.method == "POST"
    case = casework_case_for(request, case_id, write=write)
    record = None
    if record_id is not None:
        record = get_object_or_404(chosen.model, pk=record_id, case=case)
    initial = selectors.section_initial(case, chosen, record) if record else None
    form = chosen.form(submitted(request), initial=initial)
    _prepare(form, case)
    if request.method == "POST" and form.is_valid():
        try:
            services.casework_save(
                case=case,
                section=chosen,
                author=request.user,
                values=form.cleaned_data,
                record=record,
                request=request,
            )
        except ConsentRequired as missing:
            form.add_error(None, missing.message)
        else:
            messages.success(request, "Saved.")
            return redirect("cases:section", case_id=case.pk, slug=slug)
    return render(
        request,
        "cases/section.html",
        {
            **_case_context(case),
            "section": chosen,
            "rows": selectors.section_rows(case, chosen),
            "form": form,
            "record": record,
        },
    )


def breached_condition(order: ProtectiveOrder, conditions: list[str], place: int | None) -> str:
    """How a breach names its condition: its words, or why they cannot be given."""
    if place is None:
        return "Condition not stated"
    if place < len(conditions):
        return conditions[place]
    return f"Condition {place + 1}, no longer on the order as recorded"


@require_http_methods(GET_POST)
def order_breaches(request: AuthenticatedHttpRequest, case_id: int, order_id: int) -> HttpResponse:
    """Breaches of one order, each an entry of the log and the condition it broke."""
    case = casework_case_for(request, case_id, write=request.method == "POST")
    order = get_object_or_404(ProtectiveOrder, pk=order_id, case=case)
    conditions = order.conditions()
    entries = Entry.objects.filter(case=case, status=Entry.Status.LOGGED).order_by("-occurred_at")
    form = OrderBreachForm(submitted(request), conditions=conditions, entries=entries)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_breach_record(
                order=order,
                entry=form.cleaned_data["entry"],
                condition=form.condition_place(),
                actor=request.user,
                request=request,
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Breach recorded.")
            return redirect("cases:order_breaches", case_id=case.pk, order_id=order.pk)
    breaches = [
        (breach, breached_condition(order, conditions, breach.condition))
        for breach in OrderBreach.objects.filter(protectiveorder=order)
        .select_related("entry")
        .order_by("entry__occurred_at", "condition")
    ]
    return render(
        request,
        "cases/order_breaches.html",
        {
            **_case_context(case),
            "order": order,
            "conditions": conditions,
            "breaches": breaches,
            "form": form,
        },
    )


@require_POST
def order_breach_remove(
    request: AuthenticatedHttpRequest, case_id: int, order_id: int, breach_id: int
) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    breach = get_object_or_404(
        OrderBreach, pk=breach_id, protectiveorder_id=order_id, protectiveorder__case=case
    )
    services.order_breach_remove(breach=breach, actor=request.user, request=request)
    messages.success(request, "Breach removed.")
    return redirect("cases:order_breaches", case_id=case.pk, order_id=order_id)


# --- Consent ------------------------------------------------------------------------------


@require_http_methods(GET_POST)
def consent(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=request.method == "POST")
    form = forms.ConsentForm(request.POST if "record_consent" in request.POST else None)
    basis_form = forms.LawfulBasisForm(request.POST if "record_basis" in request.POST else None)
    if "record_consent" in request.POST and form.is_valid():
        case_services.consent_record(
            case=case, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, "Consent recorded.")
        return redirect("cases:consent", case_id=case.pk)
    if "record_basis" in request.POST and basis_form.is_valid():
        case_services.lawful_basis_record(
            case=case, actor=request.user, request=request, **basis_form.cleaned_data
        )
        messages.success(request, "Lawful basis recorded. This decision is in the audit trail.")
        return redirect("cases:consent", case_id=case.pk)
    consents = Consent.objects.filter(case=case).select_related(
        "created_by", "withdrawn_by", "organisation"
    )
    return render(
        request,
        "cases/consent.html",
        {**_case_context(case), "consents": consents, "form": form, "basis_form": basis_form},
    )


@require_POST
def consent_withdraw(
    request: AuthenticatedHttpRequest, case_id: int, consent_id: int
) -> HttpResponse:
    case = casework_case_for(request, case_id, write=True)
    item = get_object_or_404(Consent, pk=consent_id, case=case, withdrawn_at__isnull=True)
    sharing_services.consent_withdraw(consent=item, actor=request.user, request=request)
    messages.success(request, "Consent withdrawn.")
    return redirect("cases:consent", case_id=case.pk)


# --- The person's own view -------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def my_support(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    """The person's summary, safety plan and orders, without internal notes."""
    case = case_for(request, case_id)
    return render(
        request,
        "cases/my_support.html",
        {
            "case": case,
            "advocates": case.advocates.all(),
            "plan": selectors.section_rows(case, SECTIONS["safety-plan"], victim_view=True),
            "orders": selectors.section_rows(case, SECTIONS["orders"], victim_view=True),
        },
    )


# --- Referrals ----------------------------------------------------------------------------


def _support_services() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.SUPPORT_SERVICE).order_by("pk")


def _service_from(request: HttpRequest) -> Organisation:
    services_ = _support_services()
    chosen = request.POST.get("service")
    service = (
        services_.filter(pk=chosen).first() if chosen and chosen.isdigit() else services_.first()
    )
    if service is None:
        raise Http404
    return service


SELF_REFERRAL_SESSION_KEY = "self_referral_sent"
SELF_REFERRAL_PAUSED = (
    "We could not send this yet: many requests came from your internet connection in a short "
    "time. Your answers are still here. Try again in an hour, or see how to get help now. "
    "If you are in danger, call 999."
)


@login_not_required
@explain_exit_first
@require_http_methods(GET_POST)
def refer_yourself(request: HttpRequest) -> HttpResponse:
    form = forms.SelfReferralForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        # Counted only when a referral would be sent, so correcting a mistake costs nothing.
        if not ratelimit.consume(request, action="self_referral"):
            form.add_error(None, SELF_REFERRAL_PAUSED)
            context = {"form": form, "services": _support_services()}
            return render(request, "cases/refer_yourself.html", context, status=429)
        details = {k: v for k, v in form.cleaned_data.items() if k != "consent"}
        urgency = details.pop("urgency")
        referral = services.referral_make(
            service=_service_from(request),
            source=Referral.Source.SELF_PUBLIC,
            details=details,
            urgency=urgency,
            request=request,
        )
        # Post/Redirect/Get: reloading or going Back never sends the referral twice.
        request.session[SELF_REFERRAL_SESSION_KEY] = referral.pk
        return redirect("cases:refer_yourself_sent")
    return render(
        request, "cases/refer_yourself.html", {"form": form, "services": _support_services()}
    )


@login_not_required
@require_http_methods(["GET", "HEAD"])
def refer_yourself_sent(request: HttpRequest) -> HttpResponse:
    """The public self-referral's confirmation, shown once: the session holds which referral
    it was only until then, so the page tells nobody else anything."""
    referral_id = request.session.pop(SELF_REFERRAL_SESSION_KEY, None)
    referral = Referral.objects.filter(pk=referral_id).select_related("service").first()
    if referral is None:
        return redirect("cases:refer_yourself")
    return render(request, "cases/referral_sent.html", {"referral": referral})


REFERRALS_PER_PAGE = 25


def referral_age(made: dt.datetime, now: dt.datetime) -> str:
    """How long a referral has waited, in whole days: what triage compares at a glance."""
    days = (now - made).days
    if days < 1:
        return "Less than a day"
    return "1 day" if days == 1 else f"{days} days"


@require_http_methods(["GET", "HEAD"])
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.has_perm("casework.view_referrals"):
        raise PermissionDenied
    filters = forms.ReferralFilterForm(request.GET)
    filters.is_valid()
    referrals = selectors.referrals_filtered(
        request.user, **{k: v for k, v in filters.cleaned_data.items() if v}
    )
    page = Paginator(referrals, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    # Names are sealed: only the service's own staff see them, and only the page's are opened.
    sees_names = request.user.has_perm("casework.see_client_names")
    now = timezone.now()
    rows = [
        (
            referral,
            services.referral_details(referral).get("name", "") if sees_names else "",
            referral_age(referral.created_at, now),
        )
        for referral in page
    ]
    return render(
        request,
        "cases/referral_list.html",
        {"rows": rows, "page": page, "filters": filters, "sees_names": sees_names},
    )


@require_http_methods(GET_POST)
def referral_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form: forms.AccountReferralForm | forms.ProfessionalReferralForm
    if not user.has_perm("casework.make_referral"):
        raise PermissionDenied
    if is_victim(user):
        form = forms.AccountReferralForm(submitted(request))
    else:
        form = forms.ProfessionalReferralForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        urgency = data.pop("urgency")
        if is_victim(user):
            case = (
                user.owned_cases.filter(erased_at__isnull=True).first()
                if data.pop("bring_log")
                else None
            )
            details = {"name": user.name or user.email, **data}
            referral = services.referral_make(
                service=_service_from(request),
                source=Referral.Source.SELF_ACCOUNT,
                details=details,
                urgency=urgency,
                referrer=user,
                case=case,
                request=request,
            )
        else:
            source = Referral.Source.POLICE if is_police(user) else Referral.Source.PARTNER
            referral = services.referral_make(
                service=_service_from(request),
                source=source,
                details=data,
                urgency=urgency,
                referrer=user,
                consent_basis=data["consent_basis"],
                request=request,
            )
        return redirect("cases:referral_sent", referral_id=referral.pk)
    return render(
        request, "cases/referral_new.html", {"form": form, "services": _support_services()}
    )


@require_http_methods(["GET", "HEAD"])
def referral_sent(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    """The confirmation after a signed-in referral: its reference and what happens next."""
    referral = referral_for(request, referral_id)
    if referral.referrer_id != request.user.pk:
        raise Http404
    return render(request, "cases/referral_sent.html", {"referral": referral})


@require_http_methods(["GET", "HEAD"])
def referral_detail(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request, referral_id)
    # Partners and the police see the status of their referral, nothing more.
    sees_details = is_victim(request.user) or request.user.has_perm("casework.see_client_names")
    details = services.referral_details(referral) if sees_details else {}
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "sees_details": sees_details,
            "name": details.get("name", ""),
            "safe_contact": selectors.referral_safe_contact(details) if sees_details else {},
            "answers": forms.referral_answers(referral.source, details) if sees_details else [],
            "age": referral_age(referral.created_at, timezone.now()),
            "can_decide": request.user.has_perm("casework.decide_referral", referral)
            and referral.status == Referral.Status.PENDING,
            "decline_form": forms.DeclineForm(),
        },
    )


@require_POST
def referral_accept(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request, referral_id)
    if not request.user.has_perm("casework.decide_referral", referral):
        raise PermissionDenied
    try:
        case = services.referral_accept(referral=referral, actor=request.user, request=request)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("cases:referral", referral_id=referral.pk)
    messages.success(request, "Referral accepted. Now allocate an advocate.")
    return redirect("cases:allocate", case_id=case.pk)


@require_POST
def referral_decline(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request, referral_id)
    if not request.user.has_perm("casework.decide_referral", referral):
        raise PermissionDenied
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for declining the referral.")
        return redirect("cases:referral", referral_id=referral.pk)
    try:
        services.referral_decline(
            referral=referral,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("cases:referral", referral_id=referral.pk)


@require_POST
def referral_withdraw(request: AuthenticatedHttpRequest, referral_id: int) -> HttpResponse:
    referral = referral_for(request, referral_id)
    if not request.user.has_perm("casework.withdraw_referral", referral):
        raise PermissionDenied
    try:
        services.referral_withdraw(referral=referral, actor=request.user, request=request)
    except ValueError as error:
        messages.error(request, str(error))
    return redirect("cases:referral", referral_id=referral.pk)


# --- Consultations ---------------------------------------------------------------------


@require_http_methods(GET_POST)
def consultations(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("casework.view_consultations"):
        raise PermissionDenied
    if not user.has_perm("casework.record_consultation"):
        return _advice_request(request)
    form = forms.ConsultationForm(
        submitted(request), initial={"organisation_name": user.organisation}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service = user.organisation
        if service is None:
            raise PermissionDenied
        case = None
        if data["case_reference"]:
            case = (
                cases_visible_to(user)
                .filter(reference=data["case_reference"].strip().upper())
                .first()
            )
            if case is None:
                form.add_error("case_reference", "No case you hold has that reference")
        if not form.errors:
            try:
                services.consultation_save(
                    service=service, actor=user, values=data, case=case, request=request
                )
            except ConsentRequired as missing:
                form.add_error("case_reference", missing.message)
            else:
                messages.success(request, "Consultation recorded.")
                return redirect("cases:consultations")
    return _consultations_page(request, form)


def _consultations_page(
    request: AuthenticatedHttpRequest, form: forms.ConsultationForm | forms.AdviceRequestForm
) -> HttpResponse:
    rows = [
        (item, services.consultation_text(item))
        for item in selectors.consultations_visible_to(request.user)[:100]
    ]
    return render(
        request,
        "cases/consultations.html",
        {
            "form": form,
            "rows": rows,
            "services": _support_services(),
            "staff": request.user.has_perm("casework.record_consultation"),
        },
    )


def _advice_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A partner or police officer asks the service for advice: their question, the
    situation and how to reach them; the advice shows on this page once given."""
    user = request.user
    initial = {"organisation_kind": "police"} if is_police(user) else {}
    form = forms.AdviceRequestForm(submitted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        organisation = user.organisation.name if user.organisation else "Not given"
        services.consultation_save(
            service=_service_from(request),
            actor=user,
            values={**form.cleaned_data, "organisation_name": organisation},
            request=request,
        )
        messages.success(
            request,
            "Request sent. An advocate will get in touch the way you asked, and their advice "
            "will show on this page.",
        )
        return redirect("cases:consultations")
    return _consultations_page(request, form)


@require_http_methods(GET_POST)
def consultation_advise(request: AuthenticatedHttpRequest, consultation_id: int) -> HttpResponse:
    """An advocate or manager answers a request for advice made to their service."""
    user = request.user
    if not user.has_perm("casework.record_consultation"):
        raise PermissionDenied
    item = get_object_or_404(
        selectors.consultations_visible_to(user),
        pk=consultation_id,
        requested_by__isnull=False,
        advisor__isnull=True,
    )
    form = forms.AdviceForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        services.consultation_advise(
            consultation=item, advisor=user, request=request, **form.cleaned_data
        )
        messages.success(request, "Advice recorded. The person who asked can now see it.")
        return redirect("cases:consultations")
    return render(
        request,
        "cases/consultation_advise.html",
        {"item": item, "text": services.consultation_text(item), "form": form},
    )


@require_http_methods(["GET", "HEAD"])
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_victim:
        logs = user.owned_cases.filter(erased_at__isnull=True)
        return render(
            request,
            "accounts/home_victim.html",
            {"logs": logs, "supported_cases": logs.filter(service__isnull=False)},
        )
    context: dict[str, Any] = {}
    if is_advocate(user):
        context = {**advocate_dashboard(user, request.GET), "dashboard": "advocate"}
    elif is_service_manager(user):
        context = {**manager_dashboard(user, request.GET), "dashboard": "manager"}
    return render(request, "accounts/home_staff.html", context)
