"""What the case record shows of a restore that took its log back to before a checkpoint it
had issued, so the record's view need not know of backups: `{% load backups %}`."""

from typing import Any

from django import template

from daybook.accounts.models import User
from daybook.backups.models import RestoredBehind
from daybook.cases.models import Case

register = template.Library()


@register.inclusion_tag("backups/restored_notice.html")
def restored_notice(case: Case, user: User) -> dict[str, Any]:
    """Every restore that left this log behind a checkpoint, newest first: for the staff who
    hold the case (the service's managers and its advocates)."""
    if not user.has_perm("casework.view_case", case):
        return {"findings": []}
    findings = RestoredBehind.objects.filter(case=case).select_related("restore")
    return {"findings": list(findings.order_by("-restore__restored_at", "-pk"))}
