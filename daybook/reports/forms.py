from typing import Any

from django import forms
from django.utils.translation import ngettext

from daybook.reports.chronology import PROFILES
from daybook.reports.packs import DEFAULT_PROHIBITIONS, VPS_AREAS


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to produce",
        choices=[
            ("chronology", "Chronology (PDF)"),
            ("bundle", "Evidence bundle (ZIP with the PDF, exhibits and a verifier)"),
        ],
        widget=forms.RadioSelect,
    )
    profile = forms.ChoiceField(
        label="Profile", choices=list(PROFILES.items()), widget=forms.RadioSelect
    )
    pseudonym = forms.CharField(
        label="Name to show (optional)",
        help_text=(
            "Leave empty to use the person's name, or give a pseudonym they have agreed to: "
            "a disclosable version prints it wherever their name appears."
        ),
        max_length=100,
        required=False,
    )
    include_context = forms.BooleanField(
        label="Include imported messages kept as context",
        help_text=(
            "Messages that are not from the person named in an import (such as your own "
            "replies). They are shown as context, never numbered or counted as incidents."
        ),
        required=False,
    )


class SpoForm(forms.Form):
    necessity = forms.CharField(
        label="Why an order is necessary to protect the person",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    prohibitions = forms.CharField(
        label="Proposed prohibitions and requirements (one per line)",
        widget=forms.Textarea(attrs={"rows": 6}),
        initial="\n".join(DEFAULT_PROHIBITIONS),
    )

    def options(self) -> dict:
        lines = [
            line.strip() for line in self.cleaned_data["prohibitions"].splitlines() if line.strip()
        ]
        return {"necessity": self.cleaned_data["necessity"], "prohibitions": lines}


class StatementForm(forms.Form):
    witness_name = forms.CharField(
        label="Full name to print on the statement",
        help_text="The name the person will sign with. Leave empty to use the name Daybook has.",
        max_length=150,
        required=False,
    )

    def options(self) -> dict:
        return {"witness_name": " ".join(self.cleaned_data["witness_name"].split())}


class VpsForm(forms.Form):
    def __init__(self, *args: Any, facts: dict, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = ""
        if facts.get("count"):
            incidents = ngettext("%d incident", "%d incidents", facts["count"]) % facts["count"]
            months = ngettext("%d month", "%d months", facts["months"]) % facts["months"]
            lead = f"Your log has {incidents} over about {months}. "
        for code, label, prompt in VPS_AREAS:
            self.fields[code] = forms.CharField(
                label=label,
                help_text=lead + prompt,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            lead = ""

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(code) for code, _label, _prompt in VPS_AREAS):
            raise forms.ValidationError("Write about at least one area")
        return data

    def options(self) -> dict:
        return {"answers": {code: self.cleaned_data.get(code, "") for code, _l, _p in VPS_AREAS}}
