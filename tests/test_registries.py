"""The registries of import formats and of behaviours: every record complete, every reader of
them following what a record says, and one new record enough to add a format or a behaviour."""

import datetime as dt
import io
import json
import zipfile
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from daybook.imports.models import ImportJob
from daybook.imports.parsers import (
    EXPECTED,
    FORMATS,
    Format,
    ParseResult,
    Record,
    format_of,
    formats,
    parse,
    recognise,
)
from daybook.incidents.behaviours import BEHAVIOURS, Behaviour, Category, serious_codes
from daybook.incidents.models import Entry, EntryBehaviour
from daybook.incidents.services import entry_record
from daybook.insights import escalation, patterns
from tests.conftest import Personas, entry_values


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WHATSAPP = b"12/01/24, 21:05 - Sam Ex: I know you're home\n"
TELEGRAM = json.dumps(
    {
        "name": "Sam Ex",
        "type": "personal_chat",
        "id": 42,
        "messages": [
            {
                "id": 7,
                "type": "message",
                "date_unixtime": "1544006964",
                "from": "Sam Ex",
                "text": "where are you",
            }
        ],
    }
).encode()
MESSENGER = json.dumps(
    {
        "participants": [{"name": "Sam Ex"}],
        "title": "Sam Ex",
        "messages": [
            {"sender_name": "Sam Ex", "timestamp_ms": 1579000000000, "content": "answer me"}
        ],
    }
).encode()
EMAIL = (
    b"From: Sam Ex <sam@example.org>\nTo: me@example.org\nSubject: Answer me\n"
    b"Date: Sun, 01 Dec 2024 21:25:00 +0000\nMessage-ID: <1@example.org>\n\n"
    b"I know where you work.\n"
)
SMS = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">"
    b'<sms protocol="0" address="+447700900123" date="1733084700123" type="1" body="Answer me" />'
    b"</smses>\n"
)
CSV = b"date,number,direction\n2024-12-01T21:25:00,+447700900123,incoming\n"

# (format code, file name, bytes): at least one sample of every format in FORMATS, in every
# shape it comes in. A format added to the registry fails below until it has one.
SAMPLES = [
    ("whatsapp", "WhatsApp Chat with Sam Ex.txt", WHATSAPP),
    ("whatsapp", "WhatsApp Chat with Sam Ex.zip", zipped({"_chat.txt": WHATSAPP})),
    ("telegram", "result.json", TELEGRAM),
    ("telegram", "Telegram.zip", zipped({"ChatExport/result.json": TELEGRAM})),
    ("messenger", "message_1.json", MESSENGER),
    ("messenger", "facebook.zip", zipped({"messages/inbox/sam/message_1.json": MESSENGER})),
    ("email", "mail.eml", EMAIL),
    ("email", "box.mbox", b"From sam@example.org Sun Dec  1 21:25:00 2024\n" + EMAIL),
    ("sms_backup", "sms.xml", SMS),
    ("csv", "calls.csv", CSV),
]


def test_every_format_has_a_sample_here() -> None:
    assert {code for code, _name, _data in SAMPLES} == {known.code for known in FORMATS}


@pytest.mark.parametrize(("code", "name", "data"), SAMPLES)
def test_each_format_is_recognised_and_its_records_carry_its_code(
    code: str, name: str, data: bytes
) -> None:
    assert recognise(name, data) is format_of(code)
    result = parse(data, filename=name)
    assert result.format == code and result.records


def test_every_format_is_complete_and_fits_where_it_is_stored() -> None:
    codes = [known.code for known in FORMATS]
    assert len(codes) == len(set(codes))
    for known in FORMATS:
        assert 0 < len(known.code) <= ImportJob._meta.get_field("format").max_length
        assert known.name and known.accepts in EXPECTED
        assert known.channel in Entry.Channel.values
        assert (known.in_zip, known.in_json, known.in_text) != (None, None, None)


def test_a_file_nothing_recognises_names_every_format() -> None:
    with pytest.raises(formats.ParseError) as refused:
        recognise("notes.txt", b"Dear diary")
    assert all(known.accepts in str(refused.value) for known in FORMATS)


def test_the_first_format_in_the_order_wins() -> None:
    # A Telegram export can hold any file someone sent, including one named like a
    # Messenger thread: Telegram's own result.json decides.
    both = zipped(
        {"ChatExport/result.json": TELEGRAM, "ChatExport/files/message_1.json": MESSENGER}
    )
    assert recognise("export.zip", both).code == "telegram"
    with pytest.raises(KeyError):
        format_of("no_such_format")


NOTES = Format(
    code="notes",
    name="Notes app export",
    accepts="a notes export (.notes)",
    channel=Entry.Channel.LETTER_OR_GIFT,
    read=lambda data, options: ParseResult(
        format="notes",
        records=[
            Record(
                kind="message",
                timestamp=dt.datetime(2024, 12, 1, 21, 25, tzinfo=dt.UTC),
                sender="Sam Ex",
                text=data.decode(),
                locator="line 1",
                identity=data.decode(),
            ),
            Record(
                kind="call",
                timestamp=dt.datetime(2024, 12, 1, 21, 30, tzinfo=dt.UTC),
                sender="Sam Ex",
                text="",
                locator="line 2",
                identity="call",
                direction="incoming",
                call_outcome="missed",
            ),
        ],
        participants={"Sam Ex": 2},
    ),
    in_text=lambda sample: sample.filename.endswith(".notes"),
)


def test_a_format_added_to_the_registry_is_imported_with_its_name_and_channel(
    monkeypatch: pytest.MonkeyPatch, personas: Personas, case, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(formats, "FORMATS", (*FORMATS, NOTES))
    assert parse(b"x", filename="a.notes").format == "notes"
    owner = Client()
    owner.force_login(personas.victim)
    upload = SimpleUploadedFile("parcel.notes", b"left a parcel at my door")
    owner.post(reverse("imports:start", args=[case.pk]), {"file": upload})
    job = ImportJob.objects.get()
    assert job.format == "notes"
    page = owner.get(reverse("imports:job", args=[case.pk, job.pk])).content.decode()
    assert "Notes app export" in page
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(
            reverse("imports:job", args=[case.pk, job.pk]),
            {"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy"},
        )
    job.refresh_from_db()
    assert (job.status, job.added) == ("done", 2)
    channels = list(Entry.objects.filter(case=case).order_by("occurred_at").values_list("channel"))
    assert channels == [(Entry.Channel.LETTER_OR_GIFT,), (Entry.Channel.PHONE_CALL,)]


LONDON = zoneinfo.ZoneInfo("Europe/London")


def log_at(case, personas: Personas, when: dt.datetime, codes: list[str]) -> Entry:
    local = when.astimezone(LONDON)
    values = entry_values(
        occurred_on=local.date().isoformat(),
        occurred_time=local.strftime("%H:%M"),
        channel="text_message",
        place_kind="online",
        behaviours=codes,
        seen="not_applicable",
        feared_violence=False,
        changed_daily_life=False,
    )
    return entry_record(case=case, author=personas.victim, how="victim", values=values)


def test_every_behaviour_has_a_label_a_category_and_a_code_that_fits() -> None:
    longest_code = EntryBehaviour._meta.get_field("code").max_length
    longest_category = EntryBehaviour._meta.get_field("category").max_length
    for code, behaviour in BEHAVIOURS.items():
        assert code.isidentifier() and code == code.lower() and len(code) <= longest_code
        assert behaviour.label and isinstance(behaviour.category, Category)
        assert len(behaviour.category.value) <= longest_category
    assert serious_codes() == tuple(code for code, b in BEHAVIOURS.items() if b.serious)
    assert set(patterns.WITH_OWN_MILESTONE) <= set(serious_codes())


# Which serious behaviour each named milestone finding stands for.
MILESTONE_FINDINGS = {
    "home_or_work": "turning_up",
    "threat": "threats",
    "violence": "violence",
    "breach": "order_breach",
}


def found_serious_and_new(case) -> tuple[set[str], set[str]]:
    serious, new = set(), set()
    for finding in escalation.findings(case):
        if finding.kind in MILESTONE_FINDINGS:
            serious.add(MILESTONE_FINDINGS[finding.kind])
        elif finding.kind == "serious":
            serious.add(finding.facts["code"])
        elif finding.kind == "new_behaviour":
            new.add(finding.facts["code"])
    return serious, new


def test_escalation_treats_exactly_the_serious_behaviours_as_serious(
    personas: Personas, case
) -> None:
    now = timezone.now()
    for week in range(8, 4, -1):
        log_at(case, personas, now - dt.timedelta(weeks=week), ["contacting"])
    for day, code in enumerate(BEHAVIOURS, start=1):
        if code != "contacting":
            log_at(case, personas, now - dt.timedelta(days=day), [code])
    serious, new = found_serious_and_new(case)
    assert serious == set(serious_codes())
    assert new == set(BEHAVIOURS) - set(serious_codes()) - {"contacting"}


def test_a_behaviour_marked_serious_is_a_milestone_and_a_sign_of_escalation(
    monkeypatch: pytest.MonkeyPatch, personas: Personas, case
) -> None:
    monkeypatch.setitem(
        BEHAVIOURS,
        "strangling",
        Behaviour("Strangling or choking me", Category.VIOLENCE, serious=True),
    )
    now = timezone.now()
    for week in range(8, 4, -1):
        log_at(case, personas, now - dt.timedelta(weeks=week), ["contacting"])
    entry = log_at(case, personas, now - dt.timedelta(days=2), ["strangling"])
    (finding,) = [f for f in escalation.findings(case) if f.kind == "serious"]
    assert finding.facts["code"] == "strangling"
    assert finding.explanation.startswith("A serious kind of behaviour: Strangling or choking me")
    assert "strangling" not in found_serious_and_new(case)[1]
    assert patterns.milestones(case).other_firsts == [
        ("Strangling or choking me", entry.occurred_at)
    ]
    advocate = Client()
    advocate.force_login(personas.advocate)
    page = advocate.get(reverse("insights:patterns", args=[case.pk])).content.decode()
    assert "First time: Strangling or choking me" in page
