from typing import Any

from django import forms

ANSWERS = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]

# (field name, question, what a "yes" means in the result, counts as a stalking behaviour)
QUESTIONS = [
    (
        "contact",
        "Has someone kept calling, messaging, writing to you or sending gifts "
        "when you did not want them to?",
        "unwanted calls, messages, letters or gifts",
        True,
    ),
    (
        "turning_up",
        "Have they turned up at your home, work or places you go, or waited around nearby?",
        "turning up or waiting around where you are",
        True,
    ),
    (
        "following",
        "Have they followed you, watched you or tracked where you are, "
        "for example with an app or a tag?",
        "following, watching or tracking you",
        True,
    ),
    (
        "online",
        "Have they got into your accounts or devices, or kept checking what you do online?",
        "getting into or watching your accounts and devices",
        True,
    ),
    (
        "others",
        "Have they contacted your family, friends or colleagues about you, "
        "or got other people to do things to you?",
        "involving other people",
        True,
    ),
    (
        "property",
        "Have they damaged your things or posted things about you?",
        "damaging your things or publishing things about you",
        True,
    ),
    ("threats", "Have they threatened you or someone close to you?", "threats", True),
    ("repeated", "Has this happened more than once?", "", False),
    (
        "afraid",
        "Does it make you feel frightened, or has it changed how you live your day to day life?",
        "",
        False,
    ),
]


class SelfCheckForm(forms.Form):
    """A short, unsaved self-check: the answers are never stored or logged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question, _meaning, _counts in QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=question,
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose yes, no or not sure"},
            )

    def result(self) -> dict[str, object]:
        answers = self.cleaned_data
        behaviours = [
            meaning for name, _q, meaning, counts in QUESTIONS if counts and answers[name] == "yes"
        ]
        repeated = answers["repeated"] == "yes"
        return {
            "behaviours": behaviours,
            "any_yes": bool(behaviours),
            "likely_stalking": len(behaviours) >= 2 or (bool(behaviours) and repeated),
            "feels_afraid": answers["afraid"] == "yes",
        }
