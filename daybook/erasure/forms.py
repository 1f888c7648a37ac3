from typing import Any

from django import forms

from daybook.erasure.models import ErasureRequest

Reason = ErasureRequest.Reason

# A manager chooses between these; a retention review asks for erasure from its own page.
MANAGER_REASONS = [
    (Reason.PERSON.value, "The person asked for their data to be erased"),
    (Reason.SERVICE.value, "The service decided"),
]


class ManagerErasureForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is this case to be erased?",
        choices=MANAGER_REASONS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the case is to be erased",
            "invalid_choice": "Choose one of the reasons listed",
        },
    )
    service_reason = forms.ChoiceField(
        label="The service's reason",
        help_text="Only if the service decided.",
        choices=[("", "Choose a reason"), *ErasureRequest.ServiceReason.choices],
        required=False,
        error_messages={"invalid_choice": "Choose one of the service's reasons listed"},
    )
    note = forms.CharField(
        label="More about the decision (optional)",
        help_text="Kept only until the case is erased, then deleted with it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == Reason.SERVICE and not data.get("service_reason"):
            self.add_error("service_reason", "Choose the service's reason for erasing the case")
        return data
