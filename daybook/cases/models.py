import json
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from daybook import crypto
from daybook.accounts.models import Organisation

GENESIS = "0" * 64
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_uid() -> str:
    return secrets.token_hex(16)


def new_reference() -> str:
    """A short reference that says nothing about how many cases exist or when one was opened."""
    letters = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"DB-{letters[:4]}-{letters[4:]}"


def new_referral_reference() -> str:
    """A referral's own reference, given to the person who made it; like a case's, it says
    nothing about how many referrals exist."""
    letters = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"RF-{letters[:4]}-{letters[4:]}"


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ALLOCATED = "allocated", "Allocated"
    CONTACTING = "contacting", "Contacting"
    ACTIVE = "active", "Active"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"


class Relationship(models.TextChoices):
    EX_PARTNER = "ex_partner", "Ex-partner"
    FAMILY = "family", "Family member"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    COLLEAGUE = "colleague", "Colleague"
    NEIGHBOUR = "neighbour", "Neighbour"
    STRANGER = "stranger", "Stranger"
    ONLINE_ONLY = "online_only", "Known online only"
    UNKNOWN = "unknown", "Not known"


class Case(models.Model):
    """One person's log about one stalking situation, and the key that protects it.

    Owned by a victim (who may have no service yet), and/or held by a support service
    with assigned advocates. `chain_seq` and `chain_head` are the end of the log's hash
    chain; appends lock this row so the chain can never fork.
    """

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    reference = models.CharField(max_length=20, unique=True, default=new_reference)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    service = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    advocates = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases"
    )
    label_sealed = models.BinaryField(null=True, blank=True)
    wrapped_key = models.BinaryField(null=True)
    key_id = models.CharField(max_length=16)
    chain_seq = models.PositiveIntegerField(default=0)
    chain_head = models.CharField(max_length=64, default=GENESIS)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    # Casework: where the case is, and the dates the commissioner asks about.
    status = models.CharField(
        max_length=12, choices=CaseStatus.choices, default=CaseStatus.REFERRED, db_index=True
    )
    referred_at = models.DateTimeField(null=True, blank=True)
    first_contact_attempt_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Why it was closed, in the words of whoever closed it: sealed with the case's key.
    closure_reason_sealed = models.BinaryField(null=True, blank=True)
    domestic = models.BooleanField(null=True, blank=True)
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    # Client details, safe contact and police references: one sealed JSON document each.
    client_sealed = models.BinaryField(null=True, blank=True)
    safe_contact_sealed = models.BinaryField(null=True, blank=True)
    # The names and phrases replaced in everything disclosed (reports.redaction), sealed.
    redactions_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="case_has_owner_or_service",
                condition=models.Q(owner__isnull=False) | models.Q(service__isnull=False),
            )
        ]
        indexes = [
            # Staff case lists filter a service's cases by status.
            models.Index(fields=["service", "status"], name="case_service_status"),
            # Service statistics filter a service's cases by these dates.
            models.Index(fields=["service", "referred_at"], name="case_service_referred"),
            models.Index(fields=["service", "first_contact_at"], name="case_service_contacted"),
            models.Index(fields=["service", "closed_at"], name="case_service_closed"),
        ]

    def __str__(self) -> str:
        return self.reference

    def closure_reason_ad(self) -> str:
        return f"case:{self.uid}:closure_reason"

    def redactions_ad(self) -> str:
        return f"case:{self.uid}:redactions"

    @property
    def closure_reason(self) -> str:
        """Why the case was closed, opened from its sealed form; empty once it is erased."""
        from daybook.cases.sealing import CaseErased, open_for  # sealing imports this module

        try:
            return str(open_for(self, self.closure_reason_sealed, self.closure_reason_ad(), ""))
        except CaseErased:
            return ""


class WithheldBecause(models.TextChoices):
    """Why a manager left a casework record out of the person's copy of their data: the
    exemptions of the Data Protection Act 2018 a service most often relies on (Schedule 2:
    other people's data, crime, legal privilege; Schedule 3: serious harm, where the data is
    health or social work data). docs/privacy.md says when each applies."""

    THIRD_PARTY = "third_party", "It would reveal another person's information"
    CRIME = "crime", "It would prejudice preventing or detecting crime"
    LEGAL_PRIVILEGE = "legal_privilege", "It is legally privileged"
    SERIOUS_HARM = "serious_harm", "It would be likely to cause serious harm"


class CaseRecord(models.Model):
    """Something recorded in a case's casework. Free text is sealed with the case's key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed = models.BinaryField(null=True, blank=True)
    # Empty unless a manager withheld the record from subject access, and why (a code only:
    # the record itself says what it is).
    withheld = models.CharField(max_length=20, choices=WithheldBecause.choices, blank=True)

    class Meta:
        abstract = True

    def associated(self) -> str:
        return f"{self._meta.label_lower}:{self.uid}"

    def opened(self) -> dict[str, Any]:
        """What is sealed in the record, or nothing once the case is erased."""
        from daybook.cases.sealing import CaseErased, open_for  # sealing imports this module

        try:
            found = open_for(self.case, self.sealed, self.associated(), {})
        except CaseErased:
            return {}
        return found if isinstance(found, dict) else {}


class Perpetrator(CaseRecord):
    """Someone the case is about; names and identifiers are sealed."""

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return "Perpetrator"


class Referral(models.Model):
    """A referral into a support service: by the person, or by a partner or the police.

    Until it is accepted there is no case, so what it says is sealed with a key of its own.
    """

    class Source(models.TextChoices):
        SELF_ACCOUNT = "self_account", "Self-referral (from their account)"
        SELF_PUBLIC = "self_public", "Self-referral (public form)"
        PARTNER = "partner", "Partner agency"
        POLICE = "police", "Police"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class ConsentBasis(models.TextChoices):
        CONSENT = "consent", "The person agreed to this referral"
        VITAL_INTERESTS = "vital_interests", "Without consent: serious risk of harm"
        LEGAL_DUTY = "legal_duty", "Without consent: a legal duty"

    class Urgency(models.TextChoices):
        URGENT = "urgent", "Urgent"
        SOON = "soon", "Soon"
        ROUTINE = "routine", "Routine"
        # Referrals made before urgency was asked.
        NOT_STATED = "not_stated", "Not stated"

    # How soon the service aims to make first contact, by urgency: the referral forms offer
    # these words and the confirmation page repeats them, so they are written once.
    CONTACT_WITHIN: ClassVar[dict[str, str]] = {
        Urgency.URGENT: "1 working day",
        Urgency.SOON: "3 working days",
        Urgency.ROUTINE: "10 working days",
    }

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    reference = models.CharField(max_length=20, unique=True, default=new_referral_reference)
    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_in")
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    consent_basis = models.CharField(
        max_length=20, choices=ConsentBasis.choices, default=ConsentBasis.CONSENT
    )
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.NOT_STATED)
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referrer_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_out"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    wrapped_key = models.BinaryField(null=True)
    details_sealed = models.BinaryField()
    # Why the service declined it, sealed with the referral's own key like its details.
    decline_reason_sealed = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["service", "status", "-created_at"]),
            models.Index(fields=["service", "created_at"], name="referral_service_period"),
            # The triage list filters a service's referrals by urgency, newest first.
            models.Index(
                fields=["service", "urgency", "-created_at"], name="referral_service_urgency"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    def key_name(self) -> str:
        """The name the referral's own key is wrapped under (and its details sealed with)."""
        return f"referral:{self.uid}"

    def decline_reason_ad(self) -> str:
        return f"referral:{self.uid}:decline_reason"

    @property
    def decline_reason(self) -> str:
        """Why the service declined the referral, opened with the referral's own key."""
        if not self.decline_reason_sealed or self.wrapped_key is None:
            return ""
        key = crypto.unwrap_data_key(bytes(self.wrapped_key), self.key_name())
        sealed = bytes(self.decline_reason_sealed)
        return str(json.loads(crypto.open_sealed(key, sealed, self.decline_reason_ad())))

    @property
    def referred_by(self) -> str:
        """The referring organisation and person; empty for a public self-referral."""
        if self.referrer is None or self.source == self.Source.SELF_ACCOUNT:
            return ""
        person = self.referrer.name or self.referrer.email
        if self.referrer_organisation is None:
            return person
        return f"{self.referrer_organisation.name}: {person}"

    @property
    def contact_within(self) -> str:
        return self.CONTACT_WITHIN.get(self.urgency, self.CONTACT_WITHIN[self.Urgency.ROUTINE])


class ReferralOut(CaseRecord):
    class Status(models.TextChoices):
        MADE = "made", "Made"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"

    organisation_name = models.CharField(max_length=200)
    made_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MADE)

    def __str__(self) -> str:
        return f"Referral to {self.organisation_name}"


class Consent(CaseRecord):
    """What the person agreed to, for one purpose, and whether they have withdrawn it."""

    class Purpose(models.TextChoices):
        SUPPORT = "support", "Support from the service"
        SHARE_ORGANISATION = "share_organisation", "Sharing with a named organisation"
        POLICE = "police", "Sharing with the police"
        STATISTICS = "statistics", "Anonymised statistics"
        CONTACT_CHANNEL = "contact_channel", "Being contacted this way"

    class How(models.TextChoices):
        VERBAL = "verbal", "Verbally"
        WRITTEN = "written", "In writing"
        ONLINE = "online", "Online, in their account"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    how = models.CharField(max_length=10, choices=How.choices)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["case", "purpose"])]

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def detail(self) -> str:
        """The organisation or the channel it names, e.g. a phone number: sealed."""
        return str(self.opened().get("detail", ""))


class LawfulBasis(CaseRecord):
    """An audited decision to act without consent, with the basis written down (sealed)."""

    purpose = models.CharField(max_length=20, choices=Consent.Purpose.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Lawful basis for {self.get_purpose_display().lower()}"

    @property
    def detail(self) -> str:
        """The organisation it applies to, when it names one: sealed with the basis."""
        return str(self.opened().get("detail", ""))


class ContactNote(CaseRecord):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        TEXT = "text", "Text message"
        EMAIL = "email", "E-mail"
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        LETTER = "letter", "Letter"

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", "We contacted them"
        INCOMING = "incoming", "They contacted us"
        ATTEMPT = "attempt", "Attempt, no answer"

    happened_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    duration_minutes = models.PositiveIntegerField(default=0)
    safe_contact_checked = models.BooleanField()

    class Meta:
        ordering = ["-happened_at"]

    def __str__(self) -> str:
        return f"Contact on {self.happened_at:%d %b %Y}"


class Task(CaseRecord):
    due_on = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"Task due {self.due_on:%d %b %Y}"


class CriminalJustice(CaseRecord):
    class Offence(models.TextChoices):
        S2 = "s2", "Harassment (s.2)"
        S2A = "s2a", "Stalking (s.2A)"
        S4 = "s4", "Harassment, fear of violence (s.4)"
        S4A = "s4a", "Stalking, fear of violence or serious alarm (s.4A)"
        OTHER = "other", "Other"

    class Stage(models.TextChoices):
        REPORTED = "reported", "Reported"
        INVESTIGATING = "investigating", "Under investigation"
        CHARGED = "charged", "Charged"
        NO_FURTHER_ACTION = "nfa", "No further action"
        COURT = "court", "At court"
        CONVICTED = "convicted", "Convicted"
        ACQUITTED = "acquitted", "Acquitted"
        OTHER_OUTCOME = "other_outcome", "Other outcome"

    offence = models.CharField(max_length=10, choices=Offence.choices)
    stage = models.CharField(max_length=15, choices=Stage.choices, default=Stage.REPORTED)

    def __str__(self) -> str:
        return self.get_offence_display()


class ProtectiveOrder(CaseRecord):
    class Kind(models.TextChoices):
        SPO = "spo", "Stalking Protection Order"
        INTERIM_SPO = "interim_spo", "Interim Stalking Protection Order"
        RESTRAINING = "restraining", "Restraining order"
        NON_MOLESTATION = "non_molestation", "Non-molestation order"
        DAPO = "dapo", "Domestic Abuse Protection Order"
        BAIL = "bail", "Bail conditions"

    class Status(models.TextChoices):
        ADVOCATED = "advocated", "Advocated for"
        POLICE_CONSIDERING = "police_considering", "Police considering"
        APPLIED = "applied", "Applied for"
        INTERIM = "interim", "Interim order in place"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"
        VARIED = "varied", "Varied"
        RENEWED = "renewed", "Renewed"
        DISCHARGED = "discharged", "Discharged"
        EXPIRED = "expired", "Expired"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ADVOCATED)
    made_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # The court and the conditions ("terms", one a line) are sealed with the case's key.
    breaches = models.ManyToManyField(
        "incidents.Entry", blank=True, related_name="order_breaches", through="OrderBreach"
    )

    def __str__(self) -> str:
        return self.get_kind_display()

    def conditions(self) -> list[str]:
        """The order's conditions, one a line as recorded; a breach names one by its place."""
        terms = str(self.opened().get("terms") or "")
        return [line.strip() for line in terms.splitlines() if line.strip()]


class OrderBreach(models.Model):
    """An entry of the log that breached an order, and which of the order's conditions it
    breached: its place in `ProtectiveOrder.conditions()` (0 for the first), or none when
    not stated. One entry may breach several conditions of one order."""

    protectiveorder = models.ForeignKey(ProtectiveOrder, on_delete=models.CASCADE)
    entry = models.ForeignKey("incidents.Entry", on_delete=models.CASCADE)
    condition = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["protectiveorder", "entry", "condition"], name="order_breach_once"
            ),
            # NULLs are distinct in a unique constraint: "not stated" once per entry and order.
            models.UniqueConstraint(
                fields=["protectiveorder", "entry"],
                condition=models.Q(condition__isnull=True),
                name="order_breach_unstated_once",
            ),
        ]

    def __str__(self) -> str:
        return "Breach of an order"


class VpsSupport(CaseRecord):
    class ReadAloud(models.TextChoices):
        UNDECIDED = "undecided", "Not decided"
        SELF = "self", "They will read it"
        SOMEONE_ELSE = "someone_else", "Someone else will read it"
        NOT_READ = "not_read", "Not to be read aloud"

    offered_on = models.DateField()
    made_on = models.DateField(null=True, blank=True)
    read_aloud = models.CharField(
        max_length=15, choices=ReadAloud.choices, default=ReadAloud.UNDECIDED
    )

    def __str__(self) -> str:
        return "Victim personal statement"


class VictimsCodeEvent(CaseRecord):
    class Right(models.TextChoices):
        REFERRAL = "4", "Right 4: referral to support services"
        UPDATES = "6", "Right 6: updates on the case"
        VPS = "7", "Right 7: making a victim personal statement"
        COMPLAINT = "12", "Right 12: making a complaint"

    right = models.CharField(max_length=2, choices=Right.choices)
    happened_on = models.DateField()

    def __str__(self) -> str:
        return self.get_right_display()


class OutcomeMeasure(CaseRecord):
    class Stage(models.TextChoices):
        INTAKE = "intake", "Intake"
        REVIEW = "review", "Review"
        EXIT = "exit", "Exit"

    stage = models.CharField(max_length=10, choices=Stage.choices)
    measured_on = models.DateField()
    coping = models.PositiveSmallIntegerField()
    feeling_safe = models.PositiveSmallIntegerField()
    health_wellbeing = models.PositiveSmallIntegerField()
    informed_empowered = models.PositiveSmallIntegerField()
    justice_confidence = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["case", "stage"])]

    def __str__(self) -> str:
        return f"Outcome measures at {self.get_stage_display().lower()}"


class Consultation(models.Model):
    """Advice given to another organisation about a stalking case. No client identity unless
    the case is linked, which needs the person's consent to share with that organisation."""

    class OrganisationKind(models.TextChoices):
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        HOUSING = "housing", "Housing"
        EDUCATION = "education", "Education"
        EMPLOYER = "employer", "Employer"
        SOCIAL_CARE = "social_care", "Social care"
        VOLUNTARY = "voluntary", "Voluntary sector"
        OTHER = "other", "Other"

    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    service = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consultations"
    )
    organisation_name = models.CharField(max_length=200)
    organisation_kind = models.CharField(max_length=15, choices=OrganisationKind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.PositiveIntegerField(default=0)
    wrapped_key = models.BinaryField(null=True)
    sealed = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["service", "created_at"], name="consultation_period")]

    def __str__(self) -> str:
        return f"Consultation with {self.organisation_name}"
