"""The page where a case's list of names and phrases replaced in disclosed reports is kept,
with a preview of every replacement the disclosable chronology will make."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from daybook.accounts.http import AuthenticatedHttpRequest
from daybook.accounts.models import User
from daybook.cases.access import case_for
from daybook.cases.models import Case
from daybook.incidents.content import TEXT_FIELDS
from daybook.reports import chronology, redaction
from daybook.ui.forms import submitted

# The preview lists at most this many entries with a replacement, and says how many more.
PREVIEW_ROWS = 100
FIELD_LABELS = {
    "place": "Where",
    "what_happened": "What happened",
    "description": "Description",
    "witnesses": "Witnesses",
    "feelings": "How it felt",
    "police_reference": "Police reference",
    "police_officer": "Police officer",
    "said": "Sent",
}


class TermForm(forms.Form):
    find = forms.CharField(
        label="Name or phrase to replace",
        help_text="For example a child's name, a street, a workplace.",
        max_length=redaction.MAX_LENGTH,
        error_messages={"required": "Enter the name or phrase to replace"},
    )
    replace = forms.CharField(
        label="Print instead (optional)",
        help_text=f"Leave empty to print {redaction.REDACTED}.",
        max_length=redaction.MAX_LENGTH,
        required=False,
    )


class NameForm(forms.Form):
    name_instead = forms.CharField(
        label="Print the person's name as",
        help_text=(
            "A pseudonym they have agreed to, printed wherever their name appears. Leave "
            "empty to print their name as it is."
        ),
        max_length=redaction.MAX_LENGTH,
        required=False,
    )


@dataclass
class Shown:
    """One entry of the preview: its number and the texts with a replacement, in pieces."""

    number: int | str
    when: str
    fields: list[tuple[str, SafeString]]  # (label, the text with each replacement marked)


def preview(case: Case, user: User, redactor: redaction.Redactor) -> tuple[list[Shown], int]:
    """The disclosable chronology's entries that the list changes, each changed text in
    pieces (kept, or original and replacement), and how many entries are changed in all."""
    built = chronology.build(
        case, profile=chronology.DISCLOSABLE, produced_by=user, charts_wanted=False
    )
    shown: list[Shown] = []
    changed = 0
    for row in built.rows:
        texts = {name: str(row.content.get(name) or "") for name in TEXT_FIELDS}
        texts["said"] = row.said
        fields = [
            (FIELD_LABELS.get(name, name), _marked(redactor.spans(text)))
            for name, text in texts.items()
            if text and redactor.mentions(text)
        ]
        if fields:
            changed += 1
            if len(shown) < PREVIEW_ROWS:
                shown.append(Shown(row.number or "context", row.when, fields))
    return shown, changed


def _marked(pieces: list[tuple[str, str | None]]) -> SafeString:
    """A text for the preview: each replacement highlighted, then the words it replaces,
    struck through (and said in words to a screen reader)."""
    return format_html_join(
        "",
        "{}",
        (
            (
                text
                if instead is None
                else format_html(
                    '<mark class="daybook-replaced" data-testid="replaced">{}</mark>'
                    '<span class="govuk-visually-hidden"> (replaces “{}”)</span>'
                    '<del class="daybook-replaced-original" aria-hidden="true">{}</del>',
                    instead,
                    text,
                    text,
                ),
            )
            for text, instead in pieces
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def redactions(request: AuthenticatedHttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request, case_id)
    kept = redaction.case_list(case)
    term_form = TermForm(submitted(request) if request.POST.get("action") == "add" else None)
    name_form = NameForm(
        submitted(request) if request.POST.get("action") == "name" else None,
        initial={"name_instead": kept.name_instead},
    )
    if request.method == "POST":
        changed = _change(request, case, kept, term_form, name_form)
        if changed:
            return redirect("reports:redactions", case_id=case.pk)
    shown, changed_rows = preview(case, request.user, kept.redactor())
    return render(
        request,
        "reports/redactions.html",
        {
            "case": case,
            "kept": kept,
            "person_terms": redaction.person_terms(kept.name, kept.name_instead),
            "term_form": term_form,
            "name_form": name_form,
            "shown": shown,
            "changed_rows": changed_rows,
            "more": changed_rows - len(shown),
        },
    )


def _change(
    request: AuthenticatedHttpRequest,
    case: Case,
    kept: redaction.CaseList,
    term_form: TermForm,
    name_form: NameForm,
) -> bool:
    """Apply the change the form asked for; False (with the form's or a message's reason)
    if there was nothing valid to apply."""
    action = request.POST.get("action")
    terms, name_instead = list(kept.terms), kept.name_instead
    if action == "add" and term_form.is_valid():
        terms.append(
            redaction.Term(term_form.cleaned_data["find"], term_form.cleaned_data["replace"])
        )
    elif action == "name" and name_form.is_valid():
        name_instead = name_form.cleaned_data["name_instead"]
    elif action == "remove":
        gone = " ".join(str(request.POST.get("term", "")).split()).casefold()
        if gone not in {term.find.casefold() for term in terms}:
            messages.error(request, "That name or phrase is no longer on the list.")
            return True
        terms = [term for term in terms if term.find.casefold() != gone]
    else:
        if action not in ("add", "name"):
            messages.error(request, "Choose what to change.")
            return True
        return False
    try:
        redaction.case_list_save(
            case=case, actor=request.user, terms=terms, name_instead=name_instead, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return True
    messages.success(request, "The list is saved. The preview below shows what it replaces.")
    return True
