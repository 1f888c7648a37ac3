"""The person's own log as CSV rows: everything, including what is kept private."""

from collections.abc import Iterator

from daybook.cases.models import Case
from daybook.incidents import keys
from daybook.incidents.models import Entry, Evidence
from daybook.incidents.selectors import behaviour_labels
from daybook.incidents.services import current_contents

HEADER = [
    "Case",
    "Date",
    "Start time",
    "End time",
    "Time precision",
    "Time zone",
    "Where (kind)",
    "Where",
    "How",
    "Behaviours",
    "What happened",
    "Saw them",
    "Description",
    "Witnesses",
    "How it made me feel",
    "Feared violence",
    "Changed day-to-day life",
    "Police reference",
    "Police officer",
    "Private details (keep out of anything disclosed)",
    "Status",
    "Amended",
    "Recorded at",
    "Recorded how",
    "Evidence files (SHA-256)",
]


def spreadsheet_safe(value: str) -> str:
    """Stop a cell being run as a formula when the file is opened in a spreadsheet."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def log_csv_rows(case: Case) -> Iterator[list[str]]:
    key = keys.case_key(case)
    yield HEADER
    evidence: dict[int, list[str]] = {}
    for entry_id, sha256 in Evidence.objects.filter(entry__case=case, withdrawn=False).values_list(
        "entry_id", "sha256"
    ):
        evidence.setdefault(entry_id, []).append(sha256)
    entries = list(
        Entry.objects.filter(case=case)
        .exclude(status=Entry.Status.DRAFT)
        .order_by("occurred_at", "pk")
    )
    contents = current_contents(entries, case, key)
    for entry in entries:
        content = contents[entry.pk]
        row = [
            case.reference,
            content["occurred_on"],
            content["occurred_time"] or "",
            content["ended_time"] or "",
            entry.get_precision_display(),
            content["time_zone"],
            entry.get_place_kind_display(),
            content["place"],
            entry.get_channel_display(),
            "; ".join(behaviour_labels(content["behaviours"])),
            content["what_happened"],
            entry.get_seen_display(),
            content["description"],
            content["witnesses"],
            content["feelings"],
            "yes" if content["feared_violence"] else "no",
            "yes" if content["changed_daily_life"] else "no",
            content["police_reference"],
            content["police_officer"],
            content["private_details"],
            entry.get_status_display(),
            "yes" if entry.amended else "no",
            entry.recorded_at.isoformat(timespec="seconds"),
            entry.get_recorded_how_display(),
            " ".join(evidence.get(entry.pk, [])),
        ]
        yield [spreadsheet_safe(str(value)) for value in row]
