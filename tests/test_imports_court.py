"""Imports as a court reads them: who said what, the person's own messages as context only,
times right across a clock change, and attachments inside a record kept as exhibits."""

import base64
import datetime as dt
import hashlib
import io
import re
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from daybook.imports.models import ImportJob
from daybook.incidents.models import Entry, Evidence
from daybook.incidents.selectors import log_counts
from daybook.incidents.services import current_contents
from daybook.incidents.verify import verify_case
from daybook.reports.chronology import build
from daybook.reports.pdf import chronology_pdf
from daybook.sharing.services import share_create
from tests.conftest import Personas
from tests.test_evidence import PNG
from tests.test_imports_flow import CHAT, owner, run, upload  # noqa: F401 (a fixture)
from tests.test_reports import sign_in_fresh


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


@pytest.fixture
def chat_with_context(owner: Client, case, django_capture_on_commit_callbacks):  # noqa: F811
    """The chat imported with the other messages kept as context: four of Sam Ex's, and the
    person's own "Stop contacting me"."""
    upload(owner, case, CHAT)
    job = ImportJob.objects.get()
    run(owner, case, job, django_capture_on_commit_callbacks, keep_context="on")
    job.refresh_from_db()
    assert job.status == "done", job.error
    case.refresh_from_db()
    return case


def _by_text(case) -> dict[str, tuple[Entry, dict]]:
    entries = list(Entry.objects.filter(case=case))
    contents = current_contents(entries, case)
    return {contents[e.pk]["what_happened"]: (e, contents[e.pk]) for e in entries}


def test_the_persons_own_message_is_context_never_an_incident(chat_with_context) -> None:
    entries = _by_text(chat_with_context)
    own, _ = entries["Stop contacting me"]
    theirs, _ = entries["I know you\u2019re home"]
    assert (own.status, theirs.status) == ("context", "logged")
    counts = log_counts(chat_with_context, Entry.objects.filter(case=chat_with_context), {})
    assert (counts.entries, counts.context) == (5, 1)
    assert verify_case(chat_with_context).ok


def test_reports_leave_context_out_unless_asked_and_never_number_or_count_it(
    chat_with_context, personas: Personas
) -> None:
    plain = build(chat_with_context, profile="police", produced_by=personas.victim)
    assert "Stop contacting me" not in [row.content["what_happened"] for row in plain.rows]
    assert [row.number for row in plain.rows] == [1, 2, 3, 4]
    assert plain.summary["occasions"] == 4
    asked = build(
        chat_with_context, profile="police", produced_by=personas.victim, include_context=True
    )
    numbers = {row.content["what_happened"]: row.number for row in asked.rows}
    assert numbers["Stop contacting me"] is None
    assert sorted(n for n in numbers.values() if n) == [1, 2, 3, 4]
    assert (asked.summary["occasions"], asked.summary["context"]) == (4, 1)
    text = pdf_text(chronology_pdf(asked))
    assert "1 kept as context and not counted" in text
    assert "Context: not counted as an incident" in text


def test_every_reader_sees_who_said_what(
    chat_with_context,
    owner: Client,  # noqa: F811
    personas: Personas,
) -> None:
    entries = _by_text(chat_with_context)
    theirs, _ = entries["I know you\u2019re home"]
    own, _ = entries["Stop contacting me"]
    page = owner.get(reverse("incidents:entry", args=[chat_with_context.pk, theirs.pk]))
    assert "WhatsApp message from Sam Ex" in page.content.decode()
    own_page = owner.get(reverse("incidents:entry", args=[chat_with_context.pk, own.pk]))
    assert "WhatsApp message from Me" in own_page.content.decode()
    assert 'data-testid="context-note"' in own_page.content.decode()
    log_page = owner.get(reverse("incidents:log", args=[chat_with_context.pk])).content.decode()
    assert "1\n  imported as context (not counted as incidents)" in log_page
    share = share_create(
        case=chat_with_context, actor=personas.victim, police=personas.police_force
    )
    police = sign_in_fresh(personas.police)
    shown = police.get(reverse("police:shared_log", args=[share.pk])).content.decode()
    assert "WhatsApp message from Sam Ex" in shown
    assert "(context: not counted as an incident)" in shown
    asked = build(
        chat_with_context, profile="police", produced_by=personas.victim, include_context=True
    )
    assert "WhatsApp message from Sam Ex" in pdf_text(chronology_pdf(asked))


def test_reports_page_asks_whether_to_include_context(chat_with_context, personas) -> None:
    page = sign_in_fresh(personas.victim).get(reverse("reports:home", args=[chat_with_context.pk]))
    html = page.content.decode()
    assert 'name="include_context" type="checkbox"' in html
    assert "Include imported messages kept as context" in html


# --- Texts: direction and parties, clock change, MMS pictures ------------------------------

STALKER = "+447911123123"
# 27 Oct 2024: clocks went back at 02:00 BST. 00:30:40 UTC is 01:30:40 BST; 01:30:40 UTC is
# 01:30:40 GMT, the same local time an hour later.
BST_MS = int(dt.datetime(2024, 10, 27, 0, 30, 40, tzinfo=dt.UTC).timestamp() * 1000)
GMT_MS = BST_MS + 3_600_000
SMS = f"""<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="4">
  <sms protocol="0" address="{STALKER}" date="{BST_MS}" type="1" body="First at half one" />
  <sms protocol="0" address="{STALKER}" date="{GMT_MS}" type="1" body="Second at half one" />
  <sms protocol="0" address="{STALKER}" date="{GMT_MS + 60000}" type="2" body="Leave me alone" />
  <mms date="{GMT_MS + 120000}" msg_box="1" address="{STALKER}" m_type="132">
    <parts>
      <part seq="0" ct="image/png" name="outside.png" cl="outside.png"
        data="{base64.b64encode(PNG).decode()}" />
      <part seq="0" ct="text/plain" text="Look where I am" />
    </parts>
    <addrs><addr address="{STALKER}" type="137" charset="106" /></addrs>
  </mms>
</smses>
""".encode()


@pytest.fixture
def texts(owner: Client, case, django_capture_on_commit_callbacks):  # noqa: F811
    upload(owner, case, SMS, name="sms-20241027.xml")
    job = ImportJob.objects.get()
    run(owner, case, job, django_capture_on_commit_callbacks, stalkers=[STALKER], keep_context="on")
    job.refresh_from_db()
    assert job.status == "done", job.error
    case.refresh_from_db()
    return case


def test_texts_say_who_sent_them_to_whom(texts) -> None:
    entries = _by_text(texts)
    _, first = entries["First at half one"]
    _, reply = entries["Leave me alone"]
    from daybook.incidents.content import said_by

    assert said_by(first) == f"Text message from {STALKER} to the person"
    assert said_by(reply) == f"Text message from the person to {STALKER}"
    assert entries["Leave me alone"][0].status == "context"


def test_a_text_in_the_repeated_hour_keeps_its_own_instant(texts) -> None:
    entries = _by_text(texts)
    first, second = entries["First at half one"][0], entries["Second at half one"][0]
    assert first.occurred_at == dt.datetime(2024, 10, 27, 0, 30, 40, tzinfo=dt.UTC)
    assert second.occurred_at == dt.datetime(2024, 10, 27, 1, 30, 40, tzinfo=dt.UTC)
    assert verify_case(texts).ok


def test_an_mms_picture_becomes_an_exhibit_of_its_message(texts) -> None:
    entry, _ = _by_text(texts)["Look where I am"]
    [picture] = Evidence.objects.filter(entry=entry)
    assert picture.sha256 == hashlib.sha256(PNG).hexdigest()
    assert picture.content_type == "image/png"


def test_an_e_mail_attachment_becomes_an_exhibit(
    owner: Client,  # noqa: F811
    case,
    django_capture_on_commit_callbacks,
) -> None:
    message = EmailMessage()
    message["From"] = "Sam Ex <sam@example.net>"
    message["To"] = "me@example.org"
    message["Subject"] = "Look"
    message["Date"] = "Fri, 01 Nov 2024 21:05:00 +0000"
    message["Message-ID"] = "<look@example.net>"
    message.set_content("I took this outside your work.")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="work.png")
    upload(owner, case, bytes(message), name="look.eml")
    job = ImportJob.objects.get()
    run(
        owner,
        case,
        job,
        django_capture_on_commit_callbacks,
        stalkers=[re.sub(r"\s+", " ", "Sam Ex <sam@example.net>")],
    )
    job.refresh_from_db()
    assert job.status == "done", job.error
    hashes = set(Evidence.objects.filter(entry__case=case).values_list("sha256", flat=True))
    assert hashlib.sha256(PNG).hexdigest() in hashes


def test_an_older_telegram_chat_without_exact_times_is_recognised_and_read() -> None:
    from daybook.imports.parsers import detect_format, parse

    old = (
        b'{"name": "Sam Ex", "type": "personal_chat", "id": 1, "messages": ['
        b'{"id": 1, "type": "message", "date": "2024-03-01T21:05:00", "from": "Sam Ex",'
        b' "from_id": "user42", "text": "I know where you are"}]}'
    )
    assert detect_format("result.json", old) == "telegram"
    [record] = parse(old, filename="result.json").records
    assert (record.sender, record.text) == ("Sam Ex", "I know where you are")


def test_a_file_too_big_to_keep_is_named_and_the_person_told(
    owner: Client,  # noqa: F811
    case,
    django_capture_on_commit_callbacks,
    settings,
) -> None:
    import zipfile

    from tests.test_imports_flow import PHOTO

    settings.DAYBOOK_EVIDENCE_MAX_BYTES = 2_000_000
    big = "00000013-VIDEO-2024-01-12-21-13-00.mp4"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "_chat.txt",
            f"[12.01.24, 21:12:40] Sam Ex: \u200e<attached: {PHOTO}>\n"
            f"[12.01.24, 21:13:00] Sam Ex: \u200e<attached: {big}>\n",
        )
        archive.writestr(PHOTO, PNG)
        archive.writestr(big, b"\x00\x00\x00\x18ftypmp42" + bytes(3_000_000))
    response = upload(owner, case, buffer.getvalue(), name="WhatsApp Chat.zip")
    preview = owner.get(response["Location"]).content.decode()
    assert "1 file is bigger than the 2 MB Daybook keeps as evidence" in preview
    run(owner, case, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    kept = set(Evidence.objects.filter(entry__case=case).values_list("content_type", flat=True))
    assert kept == {"application/zip", "image/png"}  # the export and the photo, not the video
    entries = _by_text(case)
    [video_entry] = [content for text, (_, content) in entries.items() if big in text]
    assert big in video_entry["source"]["attachments"]


def test_the_migration_marks_context_already_imported(chat_with_context) -> None:
    """Entries imported before context had a status of their own are found by reading their
    first chain record with the case's key."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("daybook.incidents.migrations.0005_entry_context")
    Entry.objects.filter(case=chat_with_context).update(status="logged")
    migration.mark_context(apps, None)
    statuses = {text: entry.status for text, (entry, _) in _by_text(chat_with_context).items()}
    assert statuses["Stop contacting me"] == "context"
    assert [s for t, s in statuses.items() if t != "Stop contacting me"] == ["logged"] * 4
