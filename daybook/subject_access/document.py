"""The readable PDF of a person's copy, laid out from the collected data as plain parts
(a heading, paragraphs, term and description pairs, tables) for reports/typst/subject_access.typ.
"""

import datetime as dt
import json
import re
from typing import Any

from django.conf import settings

from daybook.incidents.behaviours import BEHAVIOURS
from daybook.incidents.models import Entry
from daybook.reports.pdf import subject_access_pdf

EMPTY = "None held."


# An entry's coded answers, in the words the entry form offers (the JSON keeps the codes).
CODED = {
    "channel": dict(Entry.Channel.choices),
    "place_kind": dict(Entry.PlaceKind.choices),
    "precision": dict(Entry.Precision.choices),
    "seen": dict(Entry.Seen.choices),
}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}[^ ]*)?$")


def _readable(content: dict[str, Any]) -> dict[str, Any]:
    """An entry's content (or an amendment's changes) with its codes put into words."""
    found: dict[str, Any] = {}
    for key, value in content.items():
        if key in CODED and isinstance(value, str):
            value = CODED[key].get(value, value)
        elif key == "behaviours" and isinstance(value, list):
            value = [BEHAVIOURS[code].label if code in BEHAVIOURS else code for code in value]
        elif key == "changes" and isinstance(value, dict):
            value = _readable(value)
        found[key] = value
    return found


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    """Any collected value as text a person can read."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value if item not in (None, "")) or "—"
    if isinstance(value, dict):
        pairs = (f"{_label(str(key))}: {_text(item)}" for key, item in value.items())
        return "; ".join(pairs) or "—"
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            return _when(value)
        except ValueError:  # looks like a date but is not one: printed as written
            return value
    return str(value)


def _when(value: str | None) -> str:
    if not value:
        return "—"
    moment = dt.datetime.fromisoformat(value)
    if len(value) <= len("2026-01-01"):
        return f"{moment:%-d %b %Y}"
    return f"{moment.astimezone(dt.UTC):%-d %b %Y, %H:%M} UTC"


def _pairs(found: dict[str, Any]) -> list[list[str]]:
    return [[_label(key), _text(value)] for key, value in found.items()]


def _part(
    heading: str,
    *,
    level: int = 2,
    paragraphs: list[str] | None = None,
    pairs: list[list[str]] | None = None,
    tables: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "heading": heading,
        "level": level,
        "paragraphs": paragraphs or [],
        "pairs": pairs or [],
        "tables": tables or [],
    }


def _table(
    head: list[str], rows: list[list[str]], widths: list[int], caption: str = ""
) -> dict[str, Any]:
    return {"caption": caption, "head": head, "rows": rows, "widths": widths, "empty": EMPTY}


def _log_parts(log: dict[str, Any]) -> list[dict[str, Any]]:
    parts = [
        _part(
            f"Log {log['reference']}",
            paragraphs=[f"Started {_when(log['started_at'])}. {len(log['entries'])} entries."],
        )
    ]
    for number, entry in enumerate(log["entries"], start=1):
        history = [
            [
                str(record["record"]),
                record["kind"],
                _when(record["recorded_at"]),
                record["recorded_by"],
                _text(_readable(record["content"])),
            ]
            for record in entry["history"]
        ]
        files = [
            [item["name"], _text(item["size"]), item["sha256"], _text(item["withdrawn"])]
            for item in entry["evidence"]
        ]
        tables = [
            _table(
                ["No.", "Record", "When", "By", "What it said"],
                history,
                [1, 2, 3, 3, 8],
                caption="Its history: the entry, then each amendment or withdrawal",
            )
        ]
        if files:
            tables.append(
                _table(
                    ["File", "Bytes", "SHA-256", "Withdrawn"],
                    files,
                    [4, 2, 6, 2],
                    caption="Evidence files (in the evidence folder of this copy)",
                )
            )
        parts.append(
            _part(
                f"Entry {number}: {_when(entry['occurred_on'])} ({entry['status']})",
                level=3,
                pairs=_pairs(_readable(entry["content"])),
                tables=tables,
            )
        )
    record = log["case_record"]
    if record is not None:
        details = {key: value for key, value in record.items() if key != "sections"}
        parts.append(
            _part(f"The service's case record for {log['reference']}", pairs=_pairs(details))
        )
        for section in record["sections"]:
            parts.append(
                _part(
                    section["section"],
                    level=3,
                    tables=[
                        _table(
                            ["Recorded", "What it says"],
                            [
                                [_when(item["recorded_at"]), _text(item["answers"])]
                                for item in section["records"]
                            ],
                            [1, 4],
                        )
                    ],
                )
            )
    parts.append(
        _part(
            f"Consent and its lawful basis ({log['reference']})",
            level=3,
            tables=[
                _table(
                    ["Purpose", "Organisation or detail", "How", "Recorded", "Withdrawn"],
                    [
                        [
                            item["purpose"],
                            _text([item["organisation"], item["detail"]]),
                            item["how"],
                            _when(item["recorded_at"]),
                            _when(item["withdrawn_at"]),
                        ]
                        for item in log["consents"]
                    ],
                    [3, 3, 3, 2, 2],
                )
            ],
        )
    )
    parts.append(
        _part(
            f"Advice given to other organisations ({log['reference']})",
            level=3,
            tables=[
                _table(
                    ["With", "When", "What was asked", "Advice"],
                    [
                        [
                            f"{item['with']} ({item['kind']})",
                            _when(item["at"]),
                            _text(" ".join(filter(None, (item["question"], item["situation"])))),
                            _text(" ".join(filter(None, (item["advice"], item["follow_up"])))),
                        ]
                        for item in log.get("consultations", [])
                    ],
                    [3, 2, 4, 4],
                )
            ],
        )
    )
    parts.append(
        _part(
            f"Sharing with the police ({log['reference']})",
            level=3,
            tables=[
                _table(
                    ["With", "What", "Shared", "By", "Stopped"],
                    [
                        [
                            item["with"],
                            item["what"],
                            _when(item["shared_at"]),
                            item["shared_by"],
                            _when(item["stopped_at"]),
                        ]
                        for item in log["shares"]
                    ],
                    [3, 3, 2, 3, 2],
                )
            ],
        )
    )
    return parts


def layout(data: dict[str, Any]) -> dict[str, Any]:
    """The PDF's data: every part of the copy, as plain text."""
    parts = []
    account = data["account"]
    if account is not None:
        details = {key: value for key, value in account.items() if key != "sign_in_history"}
        parts.append(
            _part(
                "Your account",
                pairs=_pairs(details),
                tables=[
                    _table(
                        ["When", "What", "From (IP address)"],
                        [
                            [_when(item["at"]), item["what"], _text(item["ip"])]
                            for item in account["sign_in_history"]
                        ],
                        [2, 3, 2],
                        caption="Signing in and out",
                    )
                ],
            )
        )
    for log in data["logs"]:
        parts += _log_parts(log)
    if data["drafts"]:
        parts.append(
            _part(
                "Forms you started and did not send",
                tables=[
                    _table(
                        ["Saved", "Form", "What you had written"],
                        [
                            [_when(item["saved_at"]), item["form"], _text(item["content"])]
                            for item in data["drafts"]
                        ],
                        [2, 2, 6],
                    )
                ],
            )
        )
    parts.append(
        _part(
            "Referrals about you",
            tables=[
                _table(
                    ["Reference", "To", "From", "Status", "Made", "What it says"],
                    [
                        [
                            item["reference"],
                            item["to"],
                            _text([item["source"], item["referred_by"]]),
                            item["status"],
                            _when(item["made_at"]),
                            _text(item["details"]),
                        ]
                        for item in data["referrals"]
                    ],
                    [2, 2, 2, 2, 2, 5],
                )
            ],
        )
    )
    parts.append(
        _part(
            "Who else opened or changed your records",
            paragraphs=[
                "Each time someone other than you opened or changed your log or case record: "
                "their role and organisation, what they did and when."
            ],
            tables=[
                _table(
                    ["When", "Who", "What", "Log"],
                    [
                        [_when(item["at"]), item["who"], item["action"], item["log"]]
                        for item in data["views"]
                    ],
                    [2, 3, 3, 2],
                )
            ],
        )
    )
    return {
        "title": "A copy of everything held about you",
        "author": "",
        "footer": f"{settings.DAYBOOK_SERVICE_NAME}: your copy",
        "intro": (
            "This is everything the service holds about you in Daybook, as the law on "
            "data protection gives you the right to have (UK GDPR, Article 15). The file "
            "copy.json in the same folder holds the same in a form other software can read."
        ),
        "produced": f"Produced {_when(data['produced_at'])}.",
        "parts": parts,
    }


def copy_pdf(data: dict[str, Any], *, produced_at: dt.datetime) -> bytes:
    return subject_access_pdf(layout(data), produced_at=produced_at)


def copy_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
