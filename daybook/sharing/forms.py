from django import forms

from daybook.accounts.models import Organisation


class ShareForm(forms.Form):
    police = forms.ModelChoiceField(
        label="Police force",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.POLICE_FORCE),
        empty_label=None,
    )
    entries = forms.ModelMultipleChoiceField(
        label="Entries to share (leave all unticked to share the whole log)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(
        label="Only entries up to this date (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )
