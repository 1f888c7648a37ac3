from django import forms

from daybook.cases.models import CaseStatus, Consent, Consultation, Referral, Relationship

DATE = forms.DateInput(attrs={"type": "date"})
CHANNELS = [
    ("phone", "Phone call"),
    ("text", "Text message"),
    ("email", "E-mail"),
    ("letter", "Letter"),
    ("in_person", "In person"),
    ("video", "Video call"),
]

VOICEMAIL = [("no", "No"), ("yes", "Yes"), ("unknown", "Not known")]


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
        data = super().clean()
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
        data = super().clean()
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
        found = {
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
        data = super().clean()
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


class SelfReferralForm(forms.Form):
    """Asked of someone referring themselves without an account: first, how to reach them safely."""

    name = forms.CharField(label="Your name, or what we should call you", max_length=200)
    phone = forms.CharField(label="A safe phone number", max_length=50, required=False)
    email = forms.EmailField(label="A safe e-mail address", required=False)
    safe_times = forms.CharField(
        label="When is it safe to contact you?", max_length=200, required=False
    )
    voicemail_safe = forms.ChoiceField(
        label="Can we leave a voicemail?",
        choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect,
    )
    what_is_happening = forms.CharField(
        label="What is happening? (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    consent = forms.BooleanField(
        label="I agree to the service contacting me in the way I have said",
        error_messages={"required": "Agree to be contacted, so the service can reach you"},
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError("Give a safe phone number or e-mail address")
        return data


class AccountReferralForm(forms.Form):
    bring_log = forms.BooleanField(
        label="Share my log with the service so they can see what has happened", required=False
    )
    safe_times = forms.CharField(
        label="When is it safe to contact you?", max_length=200, required=False
    )
    phone = forms.CharField(label="A safe phone number", max_length=50, required=False)
    what_is_happening = forms.CharField(
        label="Anything you want the service to know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ProfessionalReferralForm(forms.Form):
    name = forms.CharField(label="The person's name", max_length=200)
    phone = forms.CharField(label="Safe phone number", max_length=50, required=False)
    email = forms.EmailField(label="Safe e-mail address", required=False)
    safe_times = forms.CharField(label="Safe times to contact", max_length=200, required=False)
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
        data = super().clean()
        if data.get("consent_basis") != Referral.ConsentBasis.CONSENT and not data.get(
            "basis_detail"
        ):
            self.add_error("basis_detail", "Explain why the referral is made without consent")
        return data


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Why is the referral declined?", max_length=300)


class AllocateForm(forms.Form):
    advocates = forms.ModelMultipleChoiceField(
        label="Advocates", queryset=None, widget=forms.CheckboxSelectMultiple
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
