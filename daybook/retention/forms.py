"""The forms of the retention pages."""

import datetime as dt

from django import forms
from django.utils import timezone

from daybook.retention.models import RetentionReview
from daybook.retention.services import LONGEST_YEARS, add_years


class KeepForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the case kept for longer?",
        choices=RetentionReview.KeepReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the case is kept for longer"},
    )
    keep_until = forms.DateField(
        label="Keep it until",
        help_text="The case is listed for review again on this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the day until which the case is kept",
            "invalid": "Enter a real date, for example 31/3/2031",
        },
    )

    def clean_keep_until(self) -> dt.date:
        day: dt.date = self.cleaned_data["keep_until"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("The day must be after today")
        if day > add_years(today, LONGEST_YEARS):
            raise forms.ValidationError(f"The day must be within {LONGEST_YEARS} years")
        return day


class RetentionYearsForm(forms.Form):
    retention_years = forms.IntegerField(
        label="Years a case is kept after it closes",
        help_text="6 unless your service has decided otherwise.",
        min_value=1,
        max_value=LONGEST_YEARS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter a number of years",
            "invalid": "Enter a whole number of years, for example 6",
            "min_value": f"Enter a number of years from 1 to {LONGEST_YEARS}",
            "max_value": f"Enter a number of years from 1 to {LONGEST_YEARS}",
        },
    )
