"""The forms of the insights pages."""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from daybook.accounts.models import Organisation, User


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What you have done or decided",
        help_text="For example: risk re-screened with the person, safety plan reviewed.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


DATE = forms.DateInput(attrs={"type": "date"})


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To (included)", widget=DATE)
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Every service",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.has_perm("insights.compare_services"):
            cast(forms.ModelChoiceField, self.fields["service"]).queryset = support_services()
        else:
            del self.fields["service"]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start of the period must be before its end.")
        return data


def support_services() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.SUPPORT_SERVICE).order_by("name")
