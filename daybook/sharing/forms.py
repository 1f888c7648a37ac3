from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString

from daybook.accounts.models import Organisation
from daybook.incidents.content import PRIVATE_SHARE_HINT, PRIVATE_SHARE_QUESTION

if TYPE_CHECKING:
    from daybook.incidents.models import Entry
from daybook.ui import components

WHOLE, DATES, CHOSEN = "whole", "dates", "chosen"


class ChooserFilterForm(forms.Form):
    """The dates the chooser shows entries for (both optional)."""

    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data


class ShareForm(forms.Form):
    """What to share and with whom. Posted first to the check page, then, unchanged, to
    share it; the dates are the chooser's, carried along in hidden fields."""

    police = forms.ModelChoiceField(
        label="Police force",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.POLICE_FORCE),
        empty_label=None,
    )
    scope = forms.ChoiceField(
        label="What do you want to share?",
        choices=[(WHOLE, WHOLE), (DATES, DATES), (CHOSEN, CHOSEN)],
        required=False,
        widget=forms.RadioSelect,
    )
    entries: "forms.ModelMultipleChoiceField[Entry]" = forms.ModelMultipleChoiceField(
        label="Entries", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    # No unless the person chooses yes: a post without it (a script, an old page) shares none.
    include_private = forms.ChoiceField(
        label=PRIVATE_SHARE_QUESTION,
        help_text=PRIVATE_SHARE_HINT,
        choices=[("no", "No"), ("yes", "Yes")],
        initial="no",
        required=False,
        widget=forms.RadioSelect,
    )
    date_from = forms.DateField(required=False, widget=forms.HiddenInput)
    date_to = forms.DateField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, entries: Any, scope_required: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["entries"]).queryset = entries
        self.scope_required = scope_required

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["include_private"] = data.get("include_private") == "yes"  # cleaned: a yes or no
        ticked = data.get("entries") or []
        scope = data.get("scope")
        if not scope and not self.scope_required:
            # A post made without the chooser (for example by a script) names no scope:
            # ticked entries mean just those, none the whole log, as before the chooser.
            scope = data["scope"] = CHOSEN if ticked else WHOLE
        if not scope:
            self.add_error("scope", "Choose what you want to share")
        elif scope == CHOSEN and not ticked:
            self.add_error("entries", "Tick the entries you want to share")
        elif scope != CHOSEN and ticked:
            self.add_error(
                "scope",
                "You ticked some entries: choose “Only the entries you tick below”, or untick them",
            )
        elif scope == DATES and not (data.get("date_from") or data.get("date_to")):
            self.add_error("scope", "Choose the dates first, then choose what to share")
        return data

    def scope_radios(self, labels: dict[str, tuple[str, str]]) -> SafeString:
        """The scope question as GOV.UK radios; `labels` holds the options that apply now."""
        field = self["scope"]
        chosen = field.value()
        params: dict[str, Any] = {
            "idPrefix": field.auto_id,
            "name": field.html_name,
            "fieldset": {"legend": {"text": field.label, "classes": "govuk-fieldset__legend--m"}},
            "items": [
                {"value": value, "text": text, "hint": {"text": hint}, "checked": value == chosen}
                for value, (text, hint) in labels.items()
            ],
        }
        if field.errors:
            params["errorMessage"] = {"text": " ".join(str(error) for error in field.errors)}
        return components.render("radios", params)

    def entry_checkboxes(self, rows: list) -> SafeString:
        """One small checkbox per entry on the page: date and time as the label, behaviours
        and the first words as the hint."""
        field = self["entries"]
        ticked = {str(value) for value in (field.value() or [])}
        items = []
        for row in rows:
            when = date_format(row.entry.occurred_on, "D j M Y") + (
                f", {row.time}" if row.time else ""
            )
            if row.entry.status == row.entry.Status.WITHDRAWN:
                when += " (withdrawn)"
            hint = " · ".join(part for part in (", ".join(row.behaviours), row.first_words) if part)
            items.append(
                {
                    "value": row.entry.pk,
                    "text": when,
                    "hint": {"text": hint},
                    "checked": str(row.entry.pk) in ticked,
                }
            )
        params: dict[str, Any] = {
            "idPrefix": field.auto_id,
            "name": field.html_name,
            "classes": "govuk-checkboxes--small",
            "fieldset": {
                "legend": {"text": "Entries on this page", "classes": "govuk-fieldset__legend--s"}
            },
            "hint": {
                "text": "Ticks count only on this page. To choose from other dates, show "
                "those dates first."
            },
            "items": items,
        }
        if field.errors:
            params["errorMessage"] = {"text": " ".join(str(error) for error in field.errors)}
        return components.render("checkboxes", params)
