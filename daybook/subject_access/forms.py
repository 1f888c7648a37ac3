from django import forms

from daybook.cases.models import WithheldBecause


class WithholdForm(forms.Form):
    because = forms.ChoiceField(
        label="In the person's copy?",
        choices=[("", "Included"), *WithheldBecause.choices],
        required=False,
    )
