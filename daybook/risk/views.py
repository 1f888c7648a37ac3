from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.cases.access import casework_case_for
from daybook.cases.sealing import open_for
from daybook.cases.selectors import safe_contact_shown
from daybook.risk.forms import ScreeningForm
from daybook.risk.models import Screening
from daybook.risk.services import screening_record
from daybook.ui.forms import submitted


@require_http_methods(["GET", "HEAD", "POST"])
def screening(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = casework_case_for(request, case_id, write=request.method == "POST")
    form = ScreeningForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            screening_record(
                case=case,
                author=request.user,
                answers=form.answers(),
                judgement=form.cleaned_data["judgement"],
                judgement_reason=form.cleaned_data["judgement_reason"],
                review_due=form.cleaned_data["review_due"],
                request=request,
            )
        except ValueError as error:
            form.add_error("judgement", str(error))
        else:
            messages.success(request, "Screening recorded.")
            return redirect("risk:screening", case_id=case.pk)
    history = [
        (item, open_for(case, item.sealed, item.associated(), default={}))
        for item in Screening.objects.filter(case=case).select_related("created_by")
    ]
    return render(
        request,
        "risk/screening.html",
        {
            "case": case,
            "form": form,
            "history": history,
            "safe_contact": safe_contact_shown(case),
        },
    )
