from typing import Any

from django import forms

from daybook.police.selectors import Filters, behaviour_choices


class SharedLogFilterForm(forms.Form):
    """Search and filters of a shared log. Every field is optional; a value no one could
    choose on the page (an edited address) is an error on the page, never a failure."""

    words = forms.CharField(
        label="Words",
        help_text="Entries that contain all of these words",
        max_length=200,
        required=False,
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as a real date, like 2026-10-03"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the end date as a real date, like 2026-10-31"},
    )
    behaviour = forms.ChoiceField(
        label="Behaviour",
        choices=[("", "Any"), *behaviour_choices()],
        required=False,
        error_messages={"invalid_choice": "Choose a behaviour from the list"},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def filters(self) -> Filters:
        """The filters that were valid: one wrong value does not undo the others."""
        data = self.cleaned_data if self.is_bound else {}
        return Filters(
            words=" ".join(str(data.get("words") or "").split()),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            behaviour=data.get("behaviour") or "",
        )
