from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in attempt"
    QUICK_EXIT = "quick_exit", "Left using Exit this page"
    ACCOUNT_CREATED = "account_created", "Account created"
    NAME_CHANGED = "name_changed", "Name changed"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    MFA_ADDED = "mfa_added", "Two-step verification added"
    MFA_REMOVED = "mfa_removed", "Two-step verification removed"
    MFA_RESET = "mfa_reset", "Recovery codes replaced"
    MFA_FAILED = "mfa_failed", "Wrong two-step verification code"
    SESSIONS_ENDED = "sessions_ended", "Other sessions ended"
    ORGANISATION_CREATED = "organisation_created", "Organisation created"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    ROLE_CHANGED = "role_changed", "Role changed"
    CASE_OPENED = "case_opened", "Log started"
    CASE_ERASED = "case_erased", "Log erased"
    ERASURE_REQUESTED = "erasure_requested", "Erasure asked for"
    ERASURE_APPROVED = "erasure_approved", "Erasure approved by a second manager"
    ERASURE_CANCELLED = "erasure_cancelled", "Erasure cancelled"
    RETENTION_DUE = "retention_due", "Case due for its retention review"
    RETENTION_EXTENDED = "retention_extended", "Case kept longer after its retention review"
    RETENTION_YEARS_CHANGED = "retention_years_changed", "Years closed cases are kept changed"
    SUBJECT_ACCESS_REQUESTED = "subject_access_requested", "Copy of everything held asked for"
    SUBJECT_ACCESS_BUILT = "subject_access_built", "Copy of everything held produced"
    SUBJECT_ACCESS_FAILED = "subject_access_failed", "Copy of everything held could not be made"
    SUBJECT_ACCESS_DOWNLOADED = "subject_access_downloaded", "Copy of everything held downloaded"
    ACCOUNT_DELETION_REQUESTED = "account_deletion_requested", "Account deletion asked for"
    ACCOUNT_DELETION_CANCELLED = "account_deletion_cancelled", "Account deletion cancelled"
    ACCOUNT_DELETED = "account_deleted", "Account deleted"
    ACCOUNT_DEACTIVATED = "account_deactivated", "Staff account deactivated"
    DRAFT_SAVED = "draft_saved", "Draft saved"
    DRAFT_DISCARDED = "draft_discarded", "Draft deleted"
    ENTRY_RECORDED = "entry_recorded", "Entry added to the log"
    ENTRY_AMENDED = "entry_amended", "Entry amended"
    ENTRY_WITHDRAWN = "entry_withdrawn", "Entry withdrawn"
    EVIDENCE_ADDED = "evidence_added", "Evidence file added"
    EVIDENCE_WITHDRAWN = "evidence_withdrawn", "Evidence file withdrawn"
    LOG_VIEWED = "log_viewed", "Log viewed"
    ENTRY_VIEWED = "entry_viewed", "Entry viewed"
    EVIDENCE_VIEWED = "evidence_viewed", "Evidence file opened"
    LOG_EXPORTED = "log_exported", "Log downloaded"
    CHECKPOINT_ISSUED = "checkpoint_issued", "Signed checkpoint of the log issued"
    KEYS_ROTATED = "keys_rotated", "Master key rotated"
    BACKUP_MADE = "backup_made", "Backup made"
    BACKUP_RESTORED = "backup_restored", "Backup restored into this instance"
    RECOVERY_COMPARED = "recovery_compared", "Recovered database compared with the ledgers"
    ERASED_AGAIN_AFTER_RESTORE = (
        "erased_again_after_restore",
        "Erased again after a restore brought it back",
    )
    CASE_RECORD_VIEWED = "case_record_viewed", "Case record viewed"
    CASE_UPDATED = "case_updated", "Case record updated"
    CASEWORK_SAVED = "casework_saved", "Casework record saved"
    REFERRAL_MADE = "referral_made", "Referral made"
    REFERRAL_ACCEPTED = "referral_accepted", "Referral accepted"
    REFERRAL_DECLINED = "referral_declined", "Referral declined"
    REFERRAL_WITHDRAWN = "referral_withdrawn", "Referral withdrawn"
    REFERRAL_VIEWED = "referral_viewed", "Referral read by the service"
    CASE_ALLOCATED = "case_allocated", "Case allocated"
    CONSENT_RECORDED = "consent_recorded", "Consent recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    LAWFUL_BASIS_RECORDED = "lawful_basis_recorded", "Acted without consent on a lawful basis"
    RISK_SCREENED = "risk_screened", "Risk screening completed"
    CONSULTATION_SAVED = "consultation_saved", "Consultation recorded"
    LOG_SHARED = "log_shared", "Log shared with the police"
    SHARE_REVOKED = "share_revoked", "Sharing stopped"
    SHARED_LOG_VIEWED = "shared_log_viewed", "Shared log viewed by the police"
    SHARED_ENTRY_VIEWED = "shared_entry_viewed", "Shared entry opened by the police"
    SHARED_EVIDENCE_VIEWED = "shared_evidence_viewed", "Shared evidence file viewed by the police"
    SHARED_EVIDENCE_DOWNLOADED = (
        "shared_evidence_downloaded",
        "Shared evidence file downloaded by the police",
    )
    REPORT_REQUESTED = "report_requested", "Report requested"
    REDACTIONS_CHANGED = "redactions_changed", "Words replaced in disclosed reports changed"
    REPORT_STARTED = "report_started", "Report building started"
    REPORT_BUILT = "report_built", "Report built"
    REPORT_FAILED = "report_failed", "Report could not be built"
    REPORT_DOWNLOADED = "report_downloaded", "Report downloaded"
    REPORTS_PURGED = "reports_purged", "Expired report files deleted"
    IMPORT_UPLOADED = "import_uploaded", "Export uploaded"
    IMPORT_COLUMNS_CHOSEN = "import_columns_chosen", "Columns of an export chosen"
    IMPORT_QUEUED = "import_queued", "Import choices made and import queued"
    IMPORT_CANCEL_ASKED = "import_cancel_asked", "Import cancellation asked for"
    IMPORT_STARTED = "import_started", "Import started"
    ENTRIES_IMPORTED = "entries_imported", "Entries imported into the log"
    IMPORT_FINISHED = "import_finished", "Export imported"
    IMPORT_CANCELLED = "import_cancelled", "Import cancelled; nothing added"
    IMPORT_FAILED = "import_failed", "Import failed; nothing added"
    REPEAT_MATCH = "repeat_match", "Identifier shared with another case"
    ESCALATION_RAISED = "escalation_raised", "Escalation alert raised"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", "Escalation alert acknowledged"
    PATTERNS_VIEWED = "patterns_viewed", "Patterns of a log viewed"
    STATISTICS_VIEWED = "statistics_viewed", "Service statistics viewed"
    STATISTICS_EXPORTED = "statistics_exported", "Service statistics downloaded"


# What a person sees about their own account on the security page.
SIGN_IN_ACTIONS = (
    Action.SIGNED_IN,
    Action.SIGN_IN_FAILED,
    Action.MFA_FAILED,
    Action.SIGNED_OUT,
    Action.QUICK_EXIT,
)


class AuditEventQuerySet(models.QuerySet):
    """Audit events are append-only: bulk changes are refused outright."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events cannot be deleted.")
