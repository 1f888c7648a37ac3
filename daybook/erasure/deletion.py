"""Deleting every row and stored file about a case, for `erasure_carry_out`.

Rows are found by their foreign keys to the case, over every installed model, so a model added
later that points at a case is erased with it without being listed here. What does not point
at the case directly is handled by name: stored files (kept under the case's uid), background
tasks whose arguments name the case or its imports and reports, and shares (revoked, and the
police told, before they go).
"""

import datetime as dt

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models
from django_tasks_db.models import DBTaskResult

from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case
from daybook.erasure.models import WithdrawnShare
from daybook.imports.models import ImportJob
from daybook.reports.models import Report
from daybook.sharing.models import Share

# Apps whose rows are kept on purpose: the erasure's own request and tombstone, and the audit.
KEPT_APPS = {"erasure", "audit"}

# Background tasks whose first argument is the id of a row about the case, and that row's model
# (named, not imported: some of these apps sit above this one).
TASK_ARGUMENTS = {
    "daybook.insights.tasks.check_escalation": "cases.Case",
    "daybook.imports.tasks.run_import": "imports.ImportJob",
    "daybook.reports.tasks.build_report": "reports.Report",
    "daybook.subject_access.tasks.build_copy": "subject_access.SubjectAccessRequest",
}


def case_foreign_keys() -> list[tuple[type[models.Model], str]]:
    """(model, field name) for every foreign key to a case outside the kept apps."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label in KEPT_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is Case:
                found.append((model, field.name))
    return found


def stored_names(case: Case) -> list[str]:
    """Every stored file of the case: evidence, uploaded exports and their progress files,
    reports. Listed by the folders named after the case's uid as well as by the rows, so a
    file whose row is already gone is not missed."""
    from daybook.incidents.models import Evidence

    names = set(Evidence.objects.filter(entry__case=case).values_list("storage_name", flat=True))
    names |= set(ImportJob.objects.filter(case=case).values_list("storage_name", flat=True))
    names |= set(
        Report.objects.filter(case=case)
        .exclude(storage_name="")
        .values_list("storage_name", flat=True)
    )
    for folder in (case.uid, f"imports/{case.uid}", f"reports/{case.uid}"):
        names |= set(_walk(folder))
    return sorted(name for name in names if name)


def _walk(folder: str) -> list[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = [f"{folder}/{name}" for name in files]
    for sub in folders:
        found += _walk(f"{folder}/{sub}")
    return found


def withdraw_shares(case: Case, *, now: dt.datetime) -> None:
    """Revoke the case's active shares and tell each force that a log shared with it was
    withdrawn, without its reference: the force's list no longer shows the log at all. A share
    revoked earlier was already gone from that list, so it leaves no notice."""
    for share in Share.objects.filter(case=case, revoked_at__isnull=True).order_by("pk"):
        audit_record(
            action=Action.SHARE_REVOKED,
            subject=case,
            organisation_id=share.police_id,
            extra={"share": share.pk, "erased": True},
        )
        WithdrawnShare.objects.create(
            police_id=share.police_id, shared_at=share.created_at, withdrawn_at=now
        )
    Share.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=now)


def delete_tasks(case: Case) -> None:
    """Delete the queued and finished background tasks whose arguments name the case."""
    for path, label in TASK_ARGUMENTS.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model is Case:
            ids = {case.pk}
        else:
            ids = set(model._base_manager.filter(case=case).values_list("pk", flat=True))
        if not ids:
            continue
        tasks = DBTaskResult.objects.filter(task_path=path).values_list("id", "args_kwargs")
        named = [
            task_id
            for task_id, args_kwargs in tasks
            if ((args_kwargs or {}).get("args") or [None])[0] in ids
        ]
        DBTaskResult.objects.filter(id__in=named).delete()


def delete_everything_about(case: Case, *, now: dt.datetime) -> list[str]:
    """Delete every row about the case but the case itself; return the stored files to delete once
    the transaction commits."""
    names = stored_names(case)
    withdraw_shares(case, now=now)
    delete_tasks(case)
    for model, field in case_foreign_keys():
        model._base_manager.filter(**{field: case}).delete()
    case.advocates.clear()
    return names
