"""Checking a log in the background after every change, and keeping what the last check found,
so the log page can say when the whole log was last checked without checking it while it waits.

A check reads the whole chain and every entry (daybook/incidents/verify.py). A page never runs
one: a change enqueues one once it has committed, `verify_log` and "Check the log and its files
now" run one at once, and each keeps its result here.
"""

from django.db import transaction
from django.utils import timezone

from daybook.cases.models import Case
from daybook.incidents.models import LogVerification
from daybook.incidents.verify import Verification, verify_case


def check_and_keep(case: Case, *, check_files: bool) -> Verification:
    """Check the whole log now and keep what was found."""
    result = verify_case(case, check_files=check_files)
    with transaction.atomic():
        LogVerification.objects.update_or_create(
            case=case,
            defaults={
                "checked_at": timezone.now(),
                "records": result.records,
                "head": result.head,
                "files_checked": check_files,
                "problem": result.problem or "",
            },
        )
    return result


def check_if_changed(case_id: int) -> None:
    """The background check after a change: skipped when the last check already covers the log
    as it stands (several changes in quick succession need one check of the last)."""
    case = Case.objects.filter(pk=case_id, erased_at__isnull=True).first()
    if case is None:
        return
    last = LogVerification.objects.filter(case=case).first()
    if last is not None and (last.records, last.head) == (case.chain_seq, case.chain_head):
        return
    check_and_keep(case, check_files=False)


def last_check(case: Case) -> LogVerification | None:
    return LogVerification.objects.filter(case=case).first()
