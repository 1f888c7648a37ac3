import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.formats import date_format

from daybook.cases.contact import CHANNELS, VOICEMAIL
from daybook.cases.models import CaseStatus, Consent, Consultation, Referral, Relationship
from daybook.risk.models import Level

if TYPE_CHECKING:
    from daybook.accounts.models import User

DATE = forms.DateInput(attrs={"type": "date"})


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ClientDetailsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE, required=False)
    pronouns = forms.CharField(label="Pronouns", max_length=50, required=False)
    phone = forms.CharField(label="Phone", max_length=50, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    address = forms.CharField(
        label="Address", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    address_confidential = forms.BooleanField(
        label="The address is confidential (never shared or disclosed)", required=False
    )
    police_references = forms.CharField(
        label="Police references (one per line)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class SafeContactForm(forms.Form):
    safe_channels = forms.MultipleChoiceField(
        label="Safe ways to contact them", choices=CHANNELS, widget=forms.CheckboxSelectMultiple
    )
    safe_times = forms.CharField(label="Safe times", max_length=200, required=False)
    voicemail_safe = forms.ChoiceField(
        label="Is it safe to leave a voicemail?",
        choices=VOICEMAIL,
        widget=forms.RadioSelect,
    )
    code_word = forms.CharField(label="Code word", max_length=100, required=False)
    never_channels = forms.MultipleChoiceField(
        label="Never contact them by",
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        both = set(data.get("safe_channels") or []) & set(data.get("never_channels") or [])
        if both:
            raise forms.ValidationError("A way of contacting cannot be both safe and never to use")
        return data


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=CaseStatus.choices)
    closure_reason = forms.CharField(label="Reason for closing", max_length=200, required=False)
    domestic = forms.ChoiceField(
        label="Kind of stalking",
        choices=[("", "Not known"), ("yes", "Domestic"), ("no", "Non-domestic")],
        required=False,
    )
    relationship = forms.ChoiceField(label="Relationship", choices=Relationship.choices)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == CaseStatus.CLOSED and not data.get("closure_reason"):
            self.add_error("closure_reason", "Give a reason for closing the case")
        return data


class PerpetratorForm(forms.Form):
    names = forms.CharField(label="Names (one per line)", widget=forms.Textarea(attrs={"rows": 2}))
    aliases = forms.CharField(
        label="Aliases", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE, required=False)
    phones = forms.CharField(
        label="Phone numbers", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    emails = forms.CharField(
        label="E-mail addresses", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    handles = forms.CharField(
        label="Social media handles (platform: handle)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    vehicles = forms.CharField(
        label="Vehicle registrations", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    addresses = forms.CharField(
        label="Addresses", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def identifiers(self) -> dict:
        data = self.cleaned_data
        found: dict[str, Any] = {
            name: lines(data.get(name, ""))
            for name in ("names", "aliases", "phones", "emails", "handles", "vehicles", "addresses")
        }
        found["date_of_birth"] = (
            data["date_of_birth"].isoformat() if data.get("date_of_birth") else ""
        )
        return found


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(
        label="Consent to", choices=Consent.Purpose.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label="Organisation or channel (when it applies)", max_length=100, required=False
    )
    how = forms.ChoiceField(label="How it was given", choices=Consent.How.choices)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        needs_detail = (Consent.Purpose.SHARE_ORGANISATION, Consent.Purpose.CONTACT_CHANNEL)
        if data.get("purpose") in needs_detail and not data.get("detail"):
            self.add_error("detail", "Name the organisation or the channel")
        return data


class LawfulBasisForm(forms.Form):
    purpose = forms.ChoiceField(label="Acting without consent to", choices=Consent.Purpose.choices)
    detail = forms.CharField(label="Organisation (when it applies)", max_length=100, required=False)
    basis = forms.CharField(
        label="The lawful basis, and why consent could not be sought",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# What a referral can ask for: the ways the referral itself gives details for.
REFERRAL_CHANNELS = [choice for choice in CHANNELS if choice[0] in ("phone", "text", "email")]
URGENCY = Referral.Urgency
# Staff choose by how soon the service should make contact...
STAFF_URGENCY = [
    (urgency, f"{urgency.label}: contact within {Referral.CONTACT_WITHIN[urgency]}")
    for urgency in (URGENCY.URGENT, URGENCY.SOON, URGENCY.ROUTINE)
]
# ...and a person asking for themselves, in their own words.
OWN_URGENCY = [
    (URGENCY.URGENT, "As soon as possible"),
    (URGENCY.SOON, "In the next few days"),
    (URGENCY.ROUTINE, "There is no rush"),
]


def _check_safe_contact(form: forms.Form, data: dict) -> None:
    """Each safe way to make contact needs the detail it uses, and none may also be a way
    never to use."""
    chosen = set(data.get("safe_channels") or [])
    if chosen & set(data.get("never_channels") or []):
        form.add_error("never_channels", "A way of contacting cannot be both safe and never to use")
    if chosen & {"phone", "text"} and not data.get("phone"):
        form.add_error("phone", "Give a safe phone number for calls or text messages")
    if "email" in chosen and not data.get("email"):
        form.add_error("email", "Give a safe e-mail address")


class OwnSafeContactForm(forms.Form):
    """How to reach someone asking for support for themselves, in their own words: the
    questions both the public and the signed-in request ask."""

    safe_channels = forms.MultipleChoiceField(
        label="How can we contact you safely?",
        help_text="Choose all that are safe",
        choices=REFERRAL_CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one safe way to contact you"},
    )
    phone = forms.CharField(label="A safe phone number", max_length=50, required=False)
    email = forms.EmailField(label="A safe e-mail address", required=False)
    safe_times = forms.CharField(
        label="When is it safe to contact you?", max_length=200, required=False
    )
    voicemail_safe = forms.ChoiceField(
        label="Can we leave a voicemail?",
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether we can leave a voicemail"},
    )
    never_channels = forms.MultipleChoiceField(
        label="Is there any way we must never contact you? (optional)",
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgency = forms.ChoiceField(
        label="How soon do you need to hear from us?",
        choices=OWN_URGENCY,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how soon you need to hear from us"},
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        _check_safe_contact(self, data)
        return data


class SelfReferralForm(OwnSafeContactForm):
    """Asked of someone referring themselves without an account: first, how to reach them safely."""

    name = forms.CharField(label="Your name, or what we should call you", max_length=200)
    what_is_happening = forms.CharField(
        label="What is happening? (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    consent = forms.BooleanField(
        label="I agree to the service contacting me in the way I have said",
        error_messages={"required": "Agree to be contacted, so the service can reach you"},
    )
    field_order = ["name"]  # then the safe contact questions, then the rest

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError("Give a safe phone number or e-mail address")
        return data


class AccountReferralForm(OwnSafeContactForm):
    """Asked of someone signed in to their own log: what is happening, then how to reach
    them safely (their account's e-mail may be one the stalker can read)."""

    what_is_happening = forms.CharField(
        label="What is happening?",
        help_text="A few words are enough. You can say more when an advocate contacts you.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell us what is happening"},
    )
    bring_log = forms.BooleanField(
        label="Share my log with the service so they can see what has happened", required=False
    )
    field_order = ["what_is_happening"]


class ProfessionalReferralForm(forms.Form):
    name = forms.CharField(label="The person's name", max_length=200)
    safe_channels = forms.MultipleChoiceField(
        label="Safe ways to contact them",
        help_text="Choose all that are safe",
        choices=REFERRAL_CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one safe way to contact them"},
    )
    phone = forms.CharField(label="Safe phone number", max_length=50, required=False)
    email = forms.EmailField(label="Safe e-mail address", required=False)
    safe_times = forms.CharField(label="Safe times to contact", max_length=200, required=False)
    voicemail_safe = forms.ChoiceField(
        label="Is it safe to leave a voicemail?",
        choices=VOICEMAIL,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether a voicemail is safe, or that it is not known"},
    )
    never_channels = forms.MultipleChoiceField(
        label="Never contact them by",
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    urgency = forms.ChoiceField(
        label="How urgent is this referral?",
        choices=STAFF_URGENCY,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how urgent the referral is"},
    )
    consent_basis = forms.ChoiceField(
        label="Consent", choices=Referral.ConsentBasis.choices, widget=forms.RadioSelect
    )
    basis_detail = forms.CharField(
        label="If without consent, why",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    what_is_happening = forms.CharField(
        label="What is happening", widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("consent_basis") != Referral.ConsentBasis.CONSENT and not data.get(
            "basis_detail"
        ):
            self.add_error("basis_detail", "Explain why the referral is made without consent")
        _check_safe_contact(self, data)
        return data


# The form each kind of referral was made with: its questions label the answers shown to staff.
REFERRAL_FORMS: dict[str, type[forms.Form]] = {
    Referral.Source.SELF_PUBLIC: SelfReferralForm,
    Referral.Source.SELF_ACCOUNT: AccountReferralForm,
    Referral.Source.PARTNER: ProfessionalReferralForm,
    Referral.Source.POLICE: ProfessionalReferralForm,
}


def _humane(field: forms.Field, value: object) -> str:
    """An answer as the person chose it: choice labels, dates in words, lists joined."""
    if value in (None, "", []):
        return ""
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, forms.DateField):
        try:
            return date_format(dt.date.fromisoformat(str(value)), "j F Y")
        except ValueError:
            return str(value)
    labels = {str(key): str(label) for key, label in getattr(field, "choices", [])}
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    return labels.get(str(value), str(value))


def referral_answers(source: str, details: dict) -> list[tuple[str, str]]:
    """Each answer a referral holds under the question its form asked, in the form's order.

    Anything kept that the form did not ask (the name and e-mail of a signed-in person's
    account) follows, named from its key."""
    fields = REFERRAL_FORMS[source].base_fields
    answers = [
        (str(field.label), _humane(field, details[name]))
        for name, field in fields.items()
        if name in details
    ]
    for name, value in details.items():
        if name not in fields:
            answers.append((name.replace("_", " ").capitalize(), _humane(forms.Field(), value)))
    return answers


class ReferralFilterForm(forms.Form):
    """The referral list's filters, sent by GET so a filtered list can be bookmarked and
    works without JavaScript."""

    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Referral.Status.choices], required=False
    )
    urgency = forms.ChoiceField(
        label="Urgency", choices=[("", "Any urgency"), *Referral.Urgency.choices], required=False
    )
    source = forms.ChoiceField(
        label="Source", choices=[("", "Any source"), *Referral.Source.choices], required=False
    )


class CaseFilterForm(forms.Form):
    """Staff case lists' filters (GET). Advocates see only their own cases, so only a
    manager is offered the advocate filter."""

    reference = forms.CharField(label="Case reference", max_length=20, required=False)
    risk = forms.ChoiceField(
        label="Risk level",
        choices=[("", "Any risk level"), *Level.choices, ("none", "Not screened")],
        required=False,
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Open cases"), *CaseStatus.choices, ("all", "All cases")],
        required=False,
    )
    advocate = forms.ChoiceField(label="Advocate", required=False)

    def __init__(self, *args: Any, advocates: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if advocates is None:
            del self.fields["advocate"]
        else:
            cast(forms.ChoiceField, self.fields["advocate"]).choices = [
                ("", "Any advocate"),
                ("none", "No advocate"),
                *[(str(person.pk), str(person)) for person in advocates],
            ]

    def filters(self) -> dict[str, str]:
        """The valid filters chosen; a value that is not offered is ignored."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Why is the referral declined?", max_length=300)


class AllocateForm(forms.Form):
    advocates: "forms.ModelMultipleChoiceField[User]" = forms.ModelMultipleChoiceField(
        label="Advocates", queryset=None, widget=forms.CheckboxSelectMultiple
    )


class AdviceRequestForm(forms.Form):
    """A partner's or police officer's request for professional advice: only what they can
    tell the service. Who they are and where they work is known from their account."""

    organisation_kind = forms.ChoiceField(
        label="What kind of organisation do you work for?",
        choices=Consultation.OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of organisation you work for"},
    )
    question = forms.CharField(
        label="What would you like advice about?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you would like advice about"},
    )
    situation = forms.CharField(
        label="What is happening?",
        help_text=(
            "What the person is going through and what has been done so far. Do not give their "
            "name or anything that identifies them unless they have agreed."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe what is happening"},
    )
    contact = forms.CharField(
        label="How can an advocate reach you?",
        help_text="A phone number or e-mail address, and the best times to call.",
        max_length=300,
        error_messages={"required": "Say how an advocate can reach you"},
    )


class AdviceForm(forms.Form):
    """The advocate's answer to a request for advice."""

    advice = forms.CharField(
        label="Advice given",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write the advice given"},
    )
    follow_up = forms.CharField(
        label="Follow-up", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minutes = forms.IntegerField(
        label="Time spent (minutes)", min_value=0, max_value=1440, initial=0
    )


class ConsultationForm(forms.Form):
    """Advice to another organisation. Leave the case empty unless the person has consented
    to sharing with that organisation: without a case, no client identity is kept."""

    organisation_name = forms.CharField(label="Organisation", max_length=200)
    organisation_kind = forms.ChoiceField(
        label="Kind of organisation", choices=Consultation.OrganisationKind.choices
    )
    role = forms.CharField(label="Their role", max_length=200, required=False)
    question = forms.CharField(label="What they asked", widget=forms.Textarea(attrs={"rows": 4}))
    advice = forms.CharField(
        label="Advice given", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    follow_up = forms.CharField(
        label="Follow-up", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minutes = forms.IntegerField(
        label="Time spent (minutes)", min_value=0, max_value=1440, initial=0
    )
    case_reference = forms.CharField(
        label="Case reference (only with the person's consent to share with this organisation)",
        max_length=20,
        required=False,
    )
