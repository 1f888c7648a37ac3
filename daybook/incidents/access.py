"""The access functions for what is inside a log — an entry, an evidence file — which record
the read with the entry or file as its subject. Both go through the case's `case_for`."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from daybook.audit.models import Action
from daybook.cases.access import case_for, read_recorded
from daybook.cases.models import Case
from daybook.incidents.models import Entry, Evidence


def entry_for(
    request: HttpRequest,
    case_id: int,
    entry_id: int,
    *,
    entries: QuerySet[Entry] | None = None,
    write: bool = False,
) -> tuple[Case, Entry]:
    """An entry of a log the person may open (drafts excluded unless `entries` says otherwise)."""
    case = case_for(request, case_id, write=write, reading=None)
    shown = Entry.objects.exclude(status=Entry.Status.DRAFT) if entries is None else entries
    entry = get_object_or_404(shown, pk=entry_id, case=case)
    read_recorded(request, case, Action.ENTRY_VIEWED, entry)
    return case, entry


def evidence_for(
    request: HttpRequest, case_id: int, evidence_id: int, *, write: bool = False
) -> tuple[Case, Evidence]:
    case = case_for(request, case_id, write=write, reading=None)
    evidence = get_object_or_404(
        Evidence.objects.select_related("entry"), pk=evidence_id, entry__case=case
    )
    read_recorded(request, case, Action.EVIDENCE_VIEWED, evidence)
    return case, evidence
