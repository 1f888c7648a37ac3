from typing import Any

from django import forms

from daybook.risk.models import Level
from daybook.risk.screening import ANSWERS, TOPICS


class ScreeningForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, question in TOPICS:
            self.fields[code] = forms.ChoiceField(
                label=question,
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": "Answer yes, no or not known"},
            )
            self.fields[f"{code}_comment"] = forms.CharField(
                label="Comments (optional)", required=False, max_length=1000
            )
        self.fields["judgement"] = forms.ChoiceField(
            label="Professional judgement: raise the level to",
            choices=[("", "Keep the level the answers point to"), *Level.choices],
            required=False,
        )
        self.fields["judgement_reason"] = forms.CharField(
            label="Why the level is raised",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
        self.fields["review_due"] = forms.DateField(
            label="Review by (leave empty for the usual interval)",
            widget=forms.DateInput(attrs={"type": "date"}),
            required=False,
        )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("judgement") and not data.get("judgement_reason"):
            self.add_error("judgement_reason", "Give the reason for raising the level")
        return data

    def answers(self) -> dict:
        return {
            code: {
                "answer": self.cleaned_data[code],
                "comment": self.cleaned_data[f"{code}_comment"],
            }
            for code, _question in TOPICS
        }
