from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from daybook.cases.models import Case, new_uid
from daybook.incidents.chain import CHAIN_VERSION


class RecordedHow(models.TextChoices):
    VICTIM = "victim", "By the person"
    ADVOCATE = "advocate", "By an advocate"
    IMPORT = "import", "Imported"
    WITNESS = "witness", "From a witness"


class Entry(models.Model):
    """One thing that happened, as the log shows it now.

    The evidence is the chain of `ChainRecord`s: the original entry and each amendment or
    withdrawal. These columns are the current state replayed from that chain (checked by
    `verify_log`), kept so lists, filters and statistics run in SQL. What the entry says
    is read from the sealed chain records; only a draft, not yet in the chain, keeps its
    text here in `draft_sealed`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LOGGED = "logged", "In the log"
        # An imported message that is not the other person's (the person's own reply, or
        # someone else's), kept so the conversation reads whole: in the log, but never an
        # incident, an occasion or pattern data, and in reports only if the person chooses.
        CONTEXT = "context", "Context"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Precision(models.TextChoices):
        EXACT = "exact", "Exact time"
        APPROXIMATE = "approximate", "Roughly this time"
        DATE_ONLY = "date_only", "Date only"

    class PlaceKind(models.TextChoices):
        HOME = "home", "Home"
        WORK_OR_SCHOOL = "work_or_school", "Work or school"
        ONLINE = "online", "Online"
        PUBLIC_PLACE = "public_place", "A public place"
        OTHER = "other", "Somewhere else"

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE_CALL = "phone_call", "Phone call"
        TEXT_MESSAGE = "text_message", "Text message"
        MESSAGING_APP = "messaging_app", "Messaging app"
        EMAIL = "email", "E-mail"
        SOCIAL_MEDIA = "social_media", "Social media"
        LETTER_OR_GIFT = "letter_or_gift", "Letter or gift"
        THIRD_PARTY = "third_party", "Through another person"
        TRACKING = "tracking", "Tracking device or account"
        OTHER = "other", "Other"

    class Seen(models.TextChoices):
        IDENTIFIED = "identified", "I saw them and know who it was"
        SEEN = "seen", "I saw someone but am not sure who"
        NOT_SEEN = "not_seen", "I did not see them"
        NOT_APPLICABLE = "not_applicable", "Does not apply (for example a message)"

    # What can still be amended, withdrawn or given files: everything in the log not withdrawn.
    IN_LOG = (Status.LOGGED, Status.CONTEXT)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    occurred_on = models.DateField()
    occurred_at = models.DateTimeField(help_text="Start, for ordering; local midnight if no time.")
    ended_at = models.DateTimeField(null=True, blank=True)
    precision = models.CharField(max_length=12, choices=Precision.choices)
    time_zone = models.CharField(max_length=64)
    place_kind = models.CharField(max_length=20, choices=PlaceKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    seen = models.CharField(max_length=20, choices=Seen.choices)
    # The calendar of the entry's own time zone (see content.calendar), for pattern counts.
    occurred_week = models.DateField(null=True, help_text="Monday of the week")
    occurred_month = models.DateField(null=True, help_text="First day of the month")
    occurred_weekday = models.PositiveSmallIntegerField(null=True, help_text="1 is Monday")
    occurred_hour = models.PositiveSmallIntegerField(null=True, help_text="None if date only")
    feared_violence = models.BooleanField(default=False)
    changed_daily_life = models.BooleanField(default=False)
    amended = models.BooleanField(default=False)
    draft_sealed = models.BinaryField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_how = models.CharField(max_length=10, choices=RecordedHow.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The log page walks this in order and skips the rare drafts.
            models.Index(fields=["case", "-occurred_at", "id"], name="entry_case_timeline"),
            models.Index(fields=["case", "status", "channel"], name="entry_case_channel"),
            # Pattern counts read only these indexes, never the table.
            models.Index(fields=["case", "status", "occurred_week"], name="entry_case_week"),
            models.Index(
                fields=["case", "status", "occurred_month", "channel"], name="entry_case_month"
            ),
            models.Index(
                fields=["case", "status", "occurred_weekday", "occurred_hour"],
                name="entry_case_rhythm",
            ),
            models.Index(
                fields=[
                    *("case", "status", "channel", "place_kind", "occurred_at"),
                    *("feared_violence", "changed_daily_life"),
                ],
                name="entry_case_overview",
            ),
        ]

    def __str__(self) -> str:
        """Date, time where known, and channel: enough to tell entries apart in a list."""
        when = f"{self.occurred_on.day} {self.occurred_on:%b %Y}"
        if self.precision != self.Precision.DATE_ONLY and self.occurred_at:
            local = self.occurred_at.astimezone(ZoneInfo(self.time_zone))
            when += f", {'about ' if self.precision == self.Precision.APPROXIMATE else ''}"
            when += f"{local:%H:%M}"
        return f"{when}, {self.get_channel_display().lower()}"


class EntryBehaviour(models.Model):
    """One behaviour code on an entry in the log (drafts have none): a row each so filters
    and statistics stay in SQL. `case` is repeated here so per-case counts read one index."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="behaviour_rows")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30)
    category = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "code"], name="entry_behaviour_once")
        ]
        indexes = [
            models.Index(fields=["case", "code", "entry"], name="behaviour_case_code"),
            models.Index(fields=["case", "category", "entry"], name="behaviour_case_category"),
        ]

    def __str__(self) -> str:
        return self.code


class LogTally(models.Model):
    """One count a log's pages show, kept as the log changes (daybook/incidents/tallies.py): how
    many entries have a status, a kind of behaviour, a channel and place, a week, a month, an
    hour of the week. Written in the transaction of each change, so a page reads a few rows
    however long the log is; `verify_log` counts the entries again and compares."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)
    key = models.CharField(max_length=60)
    count = models.PositiveIntegerField()
    # The earliest and latest entry counted, where a page says when something first happened.
    first = models.DateTimeField(null=True)
    last = models.DateTimeField(null=True)
    feared_violence = models.PositiveIntegerField(default=0)
    changed_daily_life = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "key"], name="log_tally_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.count}"


class LogVerification(models.Model):
    """The last whole check of a case's log (daybook/incidents/checks.py): run in the
    background after every change and by `verify_log`, so the log page says when the log was
    last checked and what was found, and never calls verified what has not been checked."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField()
    # The chain as it was checked: how many records, ending in which hash.
    records = models.PositiveIntegerField()
    head = models.CharField(max_length=64)
    files_checked = models.BooleanField(default=False)
    problem = models.TextField(blank=True, help_text="In words; never an entry's text")

    def __str__(self) -> str:
        return f"Checked at record {self.records}"

    @property
    def ok(self) -> bool:
        return not self.problem


class Evidence(models.Model):
    """A file attached to an entry. The bytes are stored sealed and never replaced."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="evidence")
    uid = models.CharField(max_length=32, unique=True, default=new_uid, editable=False)
    storage_name = models.CharField(max_length=200, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    meta_sealed = models.BinaryField()
    withdrawn = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Evidence {self.sha256[:12]}"

    @property
    def is_image(self) -> bool:
        return self.content_type in {"image/jpeg", "image/png", "image/gif", "image/webp"}


class ChainRecord(models.Model):
    """One link of a case's hash chain. Never changed or deleted once written."""

    class Kind(models.TextChoices):
        ENTRY = "entry", "Entry"
        AMENDMENT = "amendment", "Amendment"
        WITHDRAWAL = "withdrawal", "Withdrawal"
        EVIDENCE = "evidence", "Evidence file"
        EVIDENCE_WITHDRAWAL = "evidence_withdrawal", "Evidence withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chain")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="chain_records")
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.CASCADE, related_name="chain_records"
    )
    # The uids the hash covers, beside the foreign keys, so verification reads one table.
    entry_uid = models.CharField(max_length=32)
    evidence_uid = models.CharField(max_length=32, null=True, blank=True)
    rid = models.CharField(max_length=32, default=new_uid, editable=False)
    # How the record is hashed (daybook/incidents/chain.py): 2 commits to its free text.
    version = models.PositiveSmallIntegerField(default=CHAIN_VERSION)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_how = models.CharField(max_length=10, choices=RecordedHow.choices)
    body_sealed = models.BinaryField()

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="chain_seq_unique_per_case")
        ]
        indexes = [models.Index(fields=["entry", "seq"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.seq}"


class Checkpoint(models.Model):
    """A signed statement that a case's log had `sequence` records ending in `head` at
    `issued_at` (daybook/incidents/checkpoints.py). Only ever added, never changed: a copy
    kept outside the database shows a log that was cut short or restored from an older copy."""

    class Purpose(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        REPORT = "report", "Report"
        BUNDLE = "bundle", "Evidence bundle"
        POLICE_VIEW = "police_view", "Police view"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checkpoints")
    sequence = models.PositiveIntegerField()
    head = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    signature = models.CharField(max_length=100, help_text="Ed25519, standard base64")

    class Meta:
        ordering = ["case", "issued_at", "pk"]

    def __str__(self) -> str:
        return f"Checkpoint at record {self.sequence}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A checkpoint is never changed once issued.")
        super().save(*args, **kwargs)
