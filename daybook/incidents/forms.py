import datetime as dt
from typing import Any, Self

from django import forms
from django.utils import timezone

from daybook.incidents import content as entry_content
from daybook.incidents.behaviours import BEHAVIOUR_CHOICES
from daybook.incidents.models import Entry

TIME_ZONES = [
    ("Europe/London", "UK time"),
    ("Europe/Dublin", "Ireland"),
    ("Europe/Paris", "Central Europe"),
    ("Europe/Athens", "Eastern Europe"),
    ("America/New_York", "US Eastern"),
    ("America/Los_Angeles", "US Pacific"),
    ("Asia/Kolkata", "India"),
    ("Australia/Sydney", "Australia Eastern"),
    ("UTC", "UTC"),
]


class EntryForm(forms.Form):
    """What happened: only the date and a description are needed when someone is in a hurry."""

    occurred_on = forms.DateField(
        label="When did it happen?",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date it happened", "invalid": "Enter a real date"},
    )
    occurred_time = forms.TimeField(
        label="What time did it start?",
        required=False,
        help_text="Leave empty if you do not know.",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Enter a time like 21:30"},
    )
    ended_time = forms.TimeField(
        label="If it went on for a while, when did it end?",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Enter a time like 22:15"},
    )
    precision = forms.ChoiceField(
        label="How sure are you of the time?",
        choices=Entry.Precision.choices,
        initial=Entry.Precision.EXACT,
        required=False,
        widget=forms.RadioSelect,
    )
    time_zone = forms.ChoiceField(
        label="Time zone", choices=TIME_ZONES, initial="Europe/London", required=False
    )
    what_happened = forms.CharField(
        label="What happened?",
        help_text="Write it in your own words: what they did or said, and what you did.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe what happened"},
    )
    behaviours = forms.MultipleChoiceField(
        label="What did they do? Choose all that apply",
        choices=BEHAVIOUR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.ChoiceField(
        label="How did it happen?",
        choices=Entry.Channel.choices,
        initial=Entry.Channel.OTHER,
        required=False,
        widget=forms.RadioSelect,
    )
    place_kind = forms.ChoiceField(
        label="Where were you?",
        choices=Entry.PlaceKind.choices,
        initial=Entry.PlaceKind.OTHER,
        required=False,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(label="Where exactly? (optional)", required=False, max_length=500)
    seen = forms.ChoiceField(
        label="Did you see them?",
        choices=Entry.Seen.choices,
        initial=Entry.Seen.NOT_APPLICABLE,
        required=False,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label="What did they look like? (optional)",
        help_text="Clothes, anything they carried, a vehicle and its registration.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    witnesses = forms.CharField(
        label="Did anyone else see or hear it? (optional)",
        help_text="Their names and how to reach them, if you know.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    feelings = forms.CharField(
        label="How did it make you feel? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    feared_violence = forms.BooleanField(
        label="I was afraid they would use violence", required=False
    )
    changed_daily_life = forms.BooleanField(
        label="It changed what I do day to day (for example routes, work, going out)",
        required=False,
    )
    police_reference = forms.CharField(
        label="Police reference or crime number (optional)", required=False, max_length=100
    )
    police_officer = forms.CharField(
        label="Police officer's name or number (optional)", required=False, max_length=200
    )
    private_details = forms.CharField(
        label="Details to keep private (optional)",
        help_text=(
            "For example a new address, a refuge or a child's school. "
            + entry_content.PRIVATE_PROMISE
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    from_witness = forms.BooleanField(
        label="This is what a witness saw or heard, in their words",
        required=False,
    )

    def clean_occurred_on(self) -> dt.date:
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError("The date must be today or in the past")
        if day.year < 1900:
            raise forms.ValidationError("Enter a real date")
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ("precision", "channel", "place_kind", "seen", "time_zone"):
            if not data.get(name) and name not in self.errors:
                data[name] = self.fields[name].initial  # unanswered: the neutral default
        if not data.get("occurred_time") and data.get("precision") != Entry.Precision.DATE_ONLY:
            # In a hurry, a missing time simply means the date is all that is known.
            data["precision"] = Entry.Precision.DATE_ONLY
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned answers as entry content, ready for the services."""
        data = {name: self.cleaned_data.get(name) for name in entry_content.FIELDS}
        return entry_content.normalise(data)

    @classmethod
    def from_content(cls, content: dict[str, Any], **kwargs: Any) -> Self:
        return cls(initial=dict(content), **kwargs)


class AmendForm(EntryForm):
    reason = forms.CharField(
        label="Why are you changing this entry?",
        help_text="For example: I remembered the time, or I typed the wrong date.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are changing this entry"},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason"},
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Add a photo, screenshot, recording, video or document",
        help_text=(
            "The file is kept exactly as it is, with a fingerprint (SHA-256) "
            "to prove it has not changed."
        ),
        error_messages={
            "required": "Choose a file to add",
            "empty": "The file is empty. Choose the file again, or a different one.",
        },
        allow_empty_file=True,
    )


class LogFilterForm(forms.Form):
    order = forms.ChoiceField(
        label="Order",
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")],
        required=False,
    )
    behaviour = forms.ChoiceField(
        label="Behaviour", choices=[("", "Any")] + BEHAVIOUR_CHOICES, required=False
    )
    channel = forms.ChoiceField(
        label="How", choices=[("", "Any"), *Entry.Channel.choices], required=False
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CaseOpenForm(forms.Form):
    label = forms.CharField(
        label="Client's name or a pseudonym",
        help_text="Stored encrypted. Shown only to people who can see this case.",
        max_length=200,
    )
