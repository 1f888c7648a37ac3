"""The casework sections that share one shape: a list of records on a case and a form.

Each section names its model, its form, and which of the form's answers are free text to
be sealed with the case's key (the rest are plain columns, for lists and statistics). One
set of views and one template serve them all; a new section is one entry here.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms

from daybook.cases import models as casework
from daybook.risk import models as risk

if TYPE_CHECKING:
    from daybook.accounts.models import User
    from daybook.incidents.models import Entry

DATE = forms.DateInput(attrs={"type": "date"})


class ReferralOutForm(forms.Form):
    organisation_name = forms.CharField(label="Organisation", max_length=200)
    made_on = forms.DateField(label="Date", widget=DATE)
    status = forms.ChoiceField(label="Status", choices=casework.ReferralOut.Status.choices)
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ContactNoteForm(forms.Form):
    happened_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    channel = forms.ChoiceField(label="How", choices=casework.ContactNote.Channel.choices)
    direction = forms.ChoiceField(
        label="Direction", choices=casework.ContactNote.Direction.choices, widget=forms.RadioSelect
    )
    duration_minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=600, initial=0)
    safe_contact_checked = forms.BooleanField(
        label="I checked the safe contact details before this contact",
        error_messages={"required": "Check the safe contact details before any contact"},
    )
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 5}))


class TaskForm(forms.Form):
    title = forms.CharField(label="Task", max_length=300)
    due_on = forms.DateField(label="Due", widget=DATE)
    assignee: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label="Assigned to", queryset=None, required=False
    )
    done = forms.BooleanField(label="Done", required=False)


class CriminalJusticeForm(forms.Form):
    crime_reference = forms.CharField(label="Crime reference", max_length=100)
    offence = forms.ChoiceField(label="Offence", choices=casework.CriminalJustice.Offence.choices)
    officer = forms.CharField(label="Officer in charge", max_length=200, required=False)
    stage = forms.ChoiceField(label="Stage", choices=casework.CriminalJustice.Stage.choices)
    bail_conditions = forms.CharField(
        label="Bail conditions", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ProtectiveOrderForm(forms.Form):
    kind = forms.ChoiceField(label="Order", choices=casework.ProtectiveOrder.Kind.choices)
    status = forms.ChoiceField(label="Status", choices=casework.ProtectiveOrder.Status.choices)
    court = forms.CharField(
        label="Court (or police station, for bail)", max_length=200, required=False
    )
    made_on = forms.DateField(label="Date made", widget=DATE, required=False)
    expires_on = forms.DateField(label="Expires", widget=DATE, required=False)
    # Stored under its first name, "terms", so orders recorded before keep their conditions.
    terms = forms.CharField(
        label="Conditions (one per line)",
        help_text="Each prohibition or requirement on its own line, as the order words it. "
        "A breach names the condition it broke.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    breaches: "forms.ModelMultipleChoiceField[Entry]" = forms.ModelMultipleChoiceField(
        label="Breaches (entries in the log)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


NOT_STATED = "not_stated"


class OrderBreachForm(forms.Form):
    """One breach of one order: the entry of the log, and the condition it broke."""

    entry: "forms.ModelChoiceField[Entry]" = forms.ModelChoiceField(
        label="Entry in the log",
        queryset=None,
        empty_label="Choose an entry",
        error_messages={"required": "Choose the entry that breached the order"},
    )
    condition = forms.ChoiceField(
        label="Condition breached",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the condition, or say it is not stated"},
    )

    def __init__(self, *args: Any, conditions: list[str], entries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries  # type: ignore[attr-defined]
        self.fields["condition"].choices = [  # type: ignore[attr-defined]
            *((str(place), condition) for place, condition in enumerate(conditions)),
            (NOT_STATED, "Not stated, or not one of these"),
        ]

    def condition_place(self) -> int | None:
        chosen = self.cleaned_data["condition"]
        return None if chosen == NOT_STATED else int(chosen)


class VpsForm(forms.Form):
    offered_on = forms.DateField(label="Offered on", widget=DATE)
    made_on = forms.DateField(label="Made on", widget=DATE, required=False)
    read_aloud = forms.ChoiceField(
        label="Reading it in court", choices=casework.VpsSupport.ReadAloud.choices
    )
    updates = forms.CharField(
        label="Updates", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class VictimsCodeForm(forms.Form):
    right = forms.ChoiceField(label="Right", choices=casework.VictimsCodeEvent.Right.choices)
    happened_on = forms.DateField(label="Date", widget=DATE)
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False)


SCORE: dict[str, Any] = {"min_value": 1, "max_value": 5, "help_text": "1 (lowest) to 5 (highest)"}


class OutcomeForm(forms.Form):
    stage = forms.ChoiceField(label="Stage", choices=casework.OutcomeMeasure.Stage.choices)
    measured_on = forms.DateField(label="Date", widget=DATE)
    coping = forms.IntegerField(label="Coping with everyday life", **SCORE)
    feeling_safe = forms.IntegerField(label="Feeling safe", **SCORE)
    health_wellbeing = forms.IntegerField(label="Health and wellbeing", **SCORE)
    informed_empowered = forms.IntegerField(label="Feeling informed and empowered", **SCORE)
    justice_confidence = forms.IntegerField(label="Confidence in the justice system", **SCORE)


class MaracForm(forms.Form):
    criteria = forms.MultipleChoiceField(
        label="Criteria met",
        choices=risk.MaracReferral.Criterion.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    referred_on = forms.DateField(label="Referred on", widget=DATE)
    meeting_on = forms.DateField(label="Meeting", widget=DATE, required=False)
    outcome = forms.CharField(
        label="Outcome", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SafetyActionForm(forms.Form):
    area = forms.ChoiceField(label="Area", choices=risk.SafetyAction.Area.choices)
    action = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label="Who does it", choices=risk.SafetyAction.Owner.choices)
    due_on = forms.DateField(label="Due", widget=DATE, required=False)
    status = forms.ChoiceField(label="Status", choices=risk.SafetyAction.Status.choices)
    review_on = forms.DateField(label="Review on", widget=DATE, required=False)
    internal_note = forms.CharField(
        label="Internal note (the person does not see this)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    model: type[casework.CaseRecord]
    form: type[forms.Form]
    sealed: tuple[str, ...]
    many: tuple[str, ...] = ()
    # The consent an entry in this section needs, and which answer names the organisation.
    consent: str = ""
    consent_organisation_field: str = ""
    safe_contact_first: bool = False
    victim_sees: tuple[str, ...] = field(default=())


SECTIONS = {
    section.slug: section
    for section in (
        Section(
            "contact",
            "Contact notes",
            casework.ContactNote,
            ContactNoteForm,
            ("note",),
            safe_contact_first=True,
        ),
        Section("tasks", "Tasks", casework.Task, TaskForm, ("title",)),
        Section(
            "referrals-out",
            "Referrals to other agencies",
            casework.ReferralOut,
            ReferralOutForm,
            ("reason",),
            consent=casework.Consent.Purpose.SHARE_ORGANISATION,
            consent_organisation_field="organisation_name",
        ),
        Section(
            "justice",
            "Criminal justice",
            casework.CriminalJustice,
            CriminalJusticeForm,
            ("crime_reference", "officer", "bail_conditions"),
        ),
        Section(
            "orders",
            "Protective orders",
            casework.ProtectiveOrder,
            ProtectiveOrderForm,
            ("court", "terms"),
            many=("breaches",),
            victim_sees=("kind", "status", "court", "made_on", "expires_on", "terms"),
        ),
        Section("vps", "Victim personal statement", casework.VpsSupport, VpsForm, ("updates",)),
        Section(
            "victims-code", "Victims' Code", casework.VictimsCodeEvent, VictimsCodeForm, ("note",)
        ),
        Section("outcomes", "Outcome measures", casework.OutcomeMeasure, OutcomeForm, ()),
        Section("marac", "MARAC referrals", risk.MaracReferral, MaracForm, ("outcome",)),
        Section(
            "safety-plan",
            "Safety plan",
            risk.SafetyAction,
            SafetyActionForm,
            ("action", "internal_note"),
            victim_sees=("area", "action", "owner", "due_on", "status", "review_on"),
        ),
    )
}
