from typing import Any, cast

from django import forms
from django.utils.translation import ngettext

from daybook.imports.parsers.whatsapp import ORDER_WORDS, DateExample
from daybook.incidents.forms import TIME_ZONES

DATE_ORDER_CHOICES = [
    ("dmy", "Day first (31/12/2024)"),
    ("mdy", "Month first (12/31/2024)"),
    ("ymd", "Year first (2024/12/31)"),
]


def date_order_choices(examples: list[DateExample]) -> list[tuple[str, str]]:
    """One choice for each reading the chat's dates allow, shown with dates from the chat
    itself and what each would mean read that way."""
    orders = list(examples[0].meanings)
    return [
        (
            order,
            f"{ORDER_WORDS[order].capitalize()}: "
            + "; ".join(f"{example.written} is {example.meanings[order]}" for example in examples),
        )
        for order in orders
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Choose the exported file",
        help_text="A WhatsApp chat export: the .txt file, or the .zip file with media.",
        error_messages={"required": "Choose a file", "empty": "The file is empty."},
        allow_empty_file=True,
    )


class ChoicesForm(forms.Form):
    stalkers = forms.MultipleChoiceField(
        label="Who is the person whose messages you want to log? Choose all that apply",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person"},
    )
    keep_context = forms.BooleanField(
        label="Also keep the other messages, as context (they will not count as incidents)",
        required=False,
    )
    grouping = forms.ChoiceField(
        label="How should messages become entries?",
        choices=[
            ("message", "One entry for each message or call"),
            ("day", "One entry for each day, per channel (for very long chats)"),
        ],
        initial="message",
        required=False,
        widget=forms.RadioSelect,
    )
    time_zone = forms.ChoiceField(
        label="Which time zone was the phone set to?", choices=TIME_ZONES, initial="Europe/London"
    )
    date_order = forms.ChoiceField(
        label="How are dates written in this chat?",
        choices=DATE_ORDER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how dates are written in this chat"},
    )

    def __init__(
        self,
        *args: Any,
        summary: dict,
        date_examples: list[DateExample] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stalkers"]).choices = [
            (name, f"{name} ({ngettext('%d message', '%d messages', count) % count})")
            for name, count in summary["participants"]
        ]
        self.fields["date_order"].initial = summary.get("date_order") or "dmy"
        if summary.get("date_order_ambiguous") and date_examples:
            # Nothing is chosen for the person: a guess left selected is a guess made.
            self.fields["date_order"].initial = None
            cast(forms.ChoiceField, self.fields["date_order"]).choices = date_order_choices(
                date_examples
            )
            self.fields["date_order"].help_text = (
                "Dates in this chat can be read more than one way. Here is what some of them "
                "would mean each way: choose the one that matches what happened."
            )
        if not summary.get("date_order_ambiguous"):
            self.fields[
                "date_order"
            ].help_text = "Daybook worked this out from the chat; change it only if it is wrong."


class ColumnsForm(forms.Form):
    """Which column of a CSV holds what."""

    timestamp = forms.ChoiceField(label="Date and time column")
    time_format = forms.CharField(
        label="How dates are written (optional)",
        help_text="For example %d/%m/%Y %H:%M. Leave empty for 2024-12-31 21:30.",
        required=False,
        max_length=50,
    )
    number = forms.ChoiceField(label="Number or sender column")
    direction = forms.ChoiceField(label="Direction or call type column (optional)", required=False)
    duration = forms.ChoiceField(label="Duration in seconds column (optional)", required=False)
    text = forms.ChoiceField(label="Message text column (optional)", required=False)

    def __init__(self, *args: Any, header: list[str], mapping: dict | None, **kwargs: Any) -> None:
        kwargs["initial"] = mapping or {}
        super().__init__(*args, **kwargs)
        columns = [(name, name) for name in header]
        for name in ("timestamp", "number"):
            cast(forms.ChoiceField, self.fields[name]).choices = columns
        for name in ("direction", "duration", "text"):
            cast(forms.ChoiceField, self.fields[name]).choices = [("", "None"), *columns]
