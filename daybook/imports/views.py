"""The import flow: upload, check what was found, choose, import in the background."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.cases.access import case_for
from daybook.imports import services
from daybook.imports.forms import ChoicesForm, ColumnsForm, UploadForm
from daybook.imports.models import ImportJob
from daybook.imports.parsers import CsvMapping, ParseError, format_of, whatsapp
from daybook.ui.forms import submitted


@require_http_methods(["GET", "HEAD", "POST"])
def start(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    form = UploadForm(submitted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                # The file itself: a large upload is on disk, and is read from there in chunks.
                case=case,
                actor=request.user,
                name=upload.name,
                data=upload,
                request=request,
            )
        except ParseError as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:job", case_id=case.pk, job_id=job.pk)
    return render(
        request, "imports/start.html", {"case": case, "form": form, "jobs": case.imports.all()[:20]}
    )


@require_http_methods(["GET", "HEAD", "POST"])
def job(request: AuthenticatedHttpRequest, case_id: int, job_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    item = get_object_or_404(ImportJob, pk=job_id, case=case)
    summary = services.job_summary(item)
    form: ColumnsForm | ChoicesForm | None = None
    needs_columns = format_of(item.format).asks_for_columns and "csv_mapping" not in item.options
    if item.status == ImportJob.Status.UPLOADED and needs_columns:
        form = ColumnsForm(submitted(request), header=summary["csv_header"], mapping=None)
        if request.method == "POST" and form.is_valid():
            try:
                services.import_map_columns(
                    job=item,
                    mapping=CsvMapping(**form.cleaned_data),
                    actor=request.user,
                    request=request,
                )
            except ParseError as error:
                form.add_error(None, str(error))
            else:
                return redirect("imports:job", case_id=case.pk, job_id=item.pk)
    elif item.status == ImportJob.Status.UPLOADED:
        form = ChoicesForm(
            submitted(request), summary=summary, date_examples=_date_examples(item, summary)
        )
        if request.method == "POST" and form.is_valid():
            services.import_configure(
                job=item, options=form.cleaned_data, actor=request.user, request=request
            )
            return redirect("imports:job", case_id=case.pk, job_id=item.pk)
    return render(
        request,
        "imports/job.html",
        {
            "case": case,
            "job": item,
            "summary": summary,
            "form": form,
            "name": services.job_name(item),
            "progress": services.import_progress(item),
            "columns": isinstance(form, ColumnsForm),
            "format_name": format_of(item.format).name,
        },
    )


def _date_examples(item: ImportJob, summary: dict) -> list[whatsapp.DateExample] | None:
    """Dates from the person's own chat, read each way it could be read, for the question
    asked when the chat cannot tell its date order."""
    if item.format != whatsapp.FORMAT or not summary.get("date_order_ambiguous"):
        return None
    try:
        # The kept file, read again: the summary kept at upload holds no dates of the chat.
        dates = services.job_chat_dates(item)
    except ParseError:
        return None
    orders = whatsapp.possible_orders(dates) or list(whatsapp.ORDERS)
    if len(orders) < 2:
        return None
    return whatsapp.date_examples(dates, orders)


@require_POST
def cancel(request: AuthenticatedHttpRequest, case_id: int, job_id: int) -> HttpResponse:
    case = case_for(request, case_id, write=True)
    item = get_object_or_404(ImportJob, pk=job_id, case=case)
    services.import_cancel(job=item, actor=request.user, request=request)
    messages.info(request, "Cancelling. Nothing from this import will be added.")
    return redirect("imports:job", case_id=case.pk, job_id=item.pk)
