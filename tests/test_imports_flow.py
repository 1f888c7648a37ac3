"""Importing an export through the pages: preview, choices, background import, exactly once."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from daybook.imports import services
from daybook.imports.models import ImportedRecord, ImportJob, ImportSource
from daybook.incidents.models import Entry, Evidence
from daybook.incidents.services import current_contents
from daybook.incidents.verify import verify_case
from tests.conftest import Personas
from tests.test_evidence import PNG

E2E = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, "
    "not even WhatsApp, can read or listen to them. Tap to learn more."
)
CHAT = (
    f"12/01/24, 21:04 - {E2E}\n"
    "12/01/24, 21:05 - Sam Ex: I know you\u2019re home\n"
    "12/01/24, 21:05 - Sam Ex: answer me\nor I'm coming over\n"
    "12/01/24, 21:09 - Sam Ex: This message was deleted\n"
    "12/01/24, 21:10 - Me: Stop contacting me\n"
    "13/01/24, 02:14 - Sam Ex: Missed voice call\n"
).encode()


@pytest.fixture
def owner(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.victim)
    return client


def upload(client: Client, case, data: bytes, name: str = "WhatsApp Chat with Sam Ex.txt"):
    return client.post(
        reverse("imports:start", args=[case.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def run(client: Client, case, job: ImportJob, capture, **choices: object):
    data = {"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy", **choices}
    with capture(execute=True):
        return client.post(reverse("imports:job", args=[case.pk, job.pk]), data)


def test_an_export_becomes_entries_exactly(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    response = upload(owner, case, CHAT)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("imports:job", args=[case.pk, job.pk])
    preview = owner.get(response["Location"]).content.decode()
    assert "Sam Ex: 4" in preview and "Me: 1" in preview and job.sha256 in preview
    run(owner, case, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.added, job.already_there) == ("done", 4, 0)
    entries = list(Entry.objects.filter(case=case).order_by("occurred_at", "pk"))
    contents = current_contents(entries, case)
    texts = [contents[e.pk]["what_happened"] for e in entries]
    assert texts == [
        "I know you\u2019re home",
        "answer me\nor I'm coming over",
        "This message was deleted",
        "Missed voice call",
    ]
    first = contents[entries[0].pk]
    assert first["behaviours"] == ["contacting"] and entries[0].channel == "messaging_app"
    assert entries[0].recorded_how == "import" and entries[0].occurred_at.hour == 21
    assert first["source"]["file_sha256"] == job.sha256 and first["source"]["locator"] == "line 2"
    assert contents[entries[2].pk]["source"]["facts"] == ["deleted"]
    assert (
        entries[3].channel == "phone_call"
        and contents[entries[3].pk]["source"]["call_outcome"] == "missed"
    )
    export = Evidence.objects.get(entry=entries[0])
    assert export.sha256 == job.sha256
    case.refresh_from_db()
    assert verify_case(case).ok
    assert "4 added" in owner.get(reverse("imports:job", args=[case.pk, job.pk])).content.decode()


def test_importing_again_adds_nothing_twice_and_records_the_new_source(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    upload(owner, case, CHAT)
    run(owner, case, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    overlapping = CHAT + b"14/01/24, 08:00 - Sam Ex: still here\n"
    upload(owner, case, overlapping)
    second = ImportJob.objects.order_by("-pk").first()
    run(owner, case, second, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert (second.added, second.already_there) == (1, 4)
    assert Entry.objects.filter(case=case).count() == 5
    assert ImportSource.objects.filter(job=second).count() == 5
    assert ImportedRecord.objects.filter(case=case).count() == 5


def test_the_same_words_sent_twice_are_two_entries_and_are_not_imported_again(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    twice = CHAT + b"14/01/24, 08:00 - Sam Ex: answer\n14/01/24, 08:00 - Sam Ex: answer\n"
    upload(owner, case, twice)
    run(owner, case, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    assert Entry.objects.filter(case=case).count() == 6
    upload(owner, case, twice + b"14/01/24, 08:00 - Sam Ex: answer\n")
    third = ImportJob.objects.order_by("-pk").first()
    run(owner, case, third, django_capture_on_commit_callbacks)
    third.refresh_from_db()
    assert (third.added, third.already_there) == (1, 6)


def test_stored_dedupe_keys_are_keyed_per_case_and_reveal_no_message(
    personas: Personas, owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    from daybook.cases.services import case_open

    upload(owner, case, CHAT)
    run(owner, case, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    other = case_open(created_by=personas.victim, owner=personas.victim)
    upload(owner, other, CHAT)
    run(owner, other, ImportJob.objects.order_by("-pk").first(), django_capture_on_commit_callbacks)
    ours = set(ImportedRecord.objects.filter(case=case).values_list("dedupe_key", flat=True))
    theirs = set(ImportedRecord.objects.filter(case=other).values_list("dedupe_key", flat=True))
    assert len(ours) == len(theirs) == 4 and not ours & theirs
    bare = hashlib.sha256(b"whatsapp|2024-01-12T21:05:00|Sam Ex|answer me\nor I'm coming over|1")
    assert bare.hexdigest() not in ours


def test_other_messages_can_be_kept_as_context(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    upload(owner, case, CHAT)
    run(owner, case, ImportJob.objects.get(), django_capture_on_commit_callbacks, keep_context="on")
    entries = list(Entry.objects.filter(case=case))
    contents = current_contents(entries, case)
    mine = [c for c in contents.values() if c["source"]["sender"] == "Me"]
    assert (
        len(mine) == 1
        and mine[0]["behaviours"] == []
        and mine[0]["source"]["from_stalker"] is False
    )


PHOTO = "00000012-PHOTO-2024-01-12-21-12-40.png"


def test_attachments_in_a_zip_become_exhibits(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "_chat.txt",
            f"[12.01.24, 21:12:40] Sam Ex: \u200e<attached: {PHOTO}>\n",
        )
        archive.writestr(PHOTO, PNG)
    upload(owner, case, buffer.getvalue(), name="WhatsApp Chat.zip")
    run(owner, case, ImportJob.objects.get(), django_capture_on_commit_callbacks)
    entry = Entry.objects.get(case=case)
    names = sorted(item.content_type for item in Evidence.objects.filter(entry=entry))
    assert names == ["application/zip", "image/png"]


def test_an_undecidable_date_order_is_asked(owner: Client, case) -> None:
    upload(owner, case, b"05/06/24, 10:00 - Sam Ex: hello\n")
    page = owner.get(
        reverse("imports:job", args=[case.pk, ImportJob.objects.get().pk])
    ).content.decode()
    assert "cannot tell from this chat whether dates are written day first" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"Dear diary, nothing here looks like a chat\n", "not an export Daybook recognises"),
        (b"PK\x03\x04 truncated zip", "damaged or incomplete"),
        ("12/01/24, 21:05 - Sam Ex: caf\xe9\n".encode("latin-1"), "not plain UTF-8"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_kept(
    owner: Client, case, data: bytes, message: str
) -> None:
    html = upload(owner, case, data).content.decode()
    assert message in html
    assert not ImportJob.objects.exists()
    assert not default_storage.exists(f"imports/{case.uid}")


def test_a_zip_bomb_and_escaping_names_are_refused(owner: Client, case) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", "12/01/24, 21:05 - Sam Ex: hi\n")
        archive.writestr("../../evil.txt", "x")
        archive.writestr("small.bin", b"\0" * 10)
    from daybook.imports.parsers import Limits, ParseError, parse

    with pytest.raises(ParseError, match="The ZIP file was not opened"):
        parse(buffer.getvalue(), filename="x.zip")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", b"\0" * 5_000_000)

    with pytest.raises(ParseError, match="far too large"):
        parse(bomb.getvalue(), filename="bomb.zip", limits=Limits(max_uncompressed_bytes=1_000_000))


def test_a_cancelled_import_adds_nothing(
    owner: Client, case, personas: Personas, monkeypatch
) -> None:
    job = services.import_upload(case=case, actor=personas.victim, name="chat.txt", data=CHAT)
    services.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "Europe/London"},
        actor=job.created_by,
    )
    job.refresh_from_db()
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1)
    job.status = ImportJob.Status.RUNNING
    services.import_cancel(job=job, actor=job.created_by)
    job.status = ImportJob.Status.QUEUED
    services.import_run(job)
    job.refresh_from_db()
    assert job.status == "cancelled" and "nothing was added" in job.error
    assert not Entry.objects.exists() and not ImportedRecord.objects.exists()


def test_a_failure_part_way_leaves_nothing_behind(
    owner: Client, case, personas: Personas, monkeypatch
) -> None:
    from daybook.incidents import services as log

    job = services.import_upload(case=case, actor=personas.victim, name="chat.txt", data=CHAT)
    services.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "Europe/London"},
        actor=job.created_by,
    )
    calls = {"n": 0}
    real = log.ImportBatch.entry

    def fail_on_third(batch: log.ImportBatch, **kwargs: object) -> Entry:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(batch, **kwargs)

    monkeypatch.setattr(log.ImportBatch, "entry", fail_on_third)
    services.import_run(job)
    job.refresh_from_db()
    assert job.status == "failed" and "nothing was added" in job.error
    assert not Entry.objects.exists() and not Evidence.objects.exists()
    assert not default_storage.exists(case.uid) or default_storage.listdir(case.uid)[1] == []
    case.refresh_from_db()
    assert case.chain_seq == 0


def test_a_failed_import_removes_only_its_own_files(case, personas: Personas, monkeypatch) -> None:
    """Files of the same log stored by something else at the time (an upload that has not
    committed yet, another import) are not the failed import's to remove: only the files whose
    uids start with the import's own prefix are."""
    from django.core.files.base import ContentFile

    from daybook.incidents import keys
    from daybook.incidents import services as log

    job = services.import_upload(case=case, actor=personas.victim, name="chat.txt", data=CHAT)
    services.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "dmy"},
        actor=job.created_by,
    )
    # An upload to the same log, stored and about to be recorded, while the import runs.
    in_flight = default_storage.save(
        keys.evidence_storage_name(case.uid, log.file_uid()), ContentFile(b"sealed bytes")
    )
    stored: list[str] = []
    real_keep = log.ImportBatch._keep

    def keep_then_fail(batch: log.ImportBatch, entry, checked, sealed) -> Evidence:
        evidence = real_keep(batch, entry, checked, sealed)
        stored.append(evidence.storage_name)
        raise RuntimeError("disk full")

    monkeypatch.setattr(log.ImportBatch, "_keep", keep_then_fail)
    services.import_run(job)
    job.refresh_from_db()
    assert job.status == "failed" and not Evidence.objects.exists()
    (own,) = stored
    assert own.startswith(f"{case.uid}/{services.files_prefix(job)}")
    assert not default_storage.exists(own)
    assert default_storage.exists(in_flight)


def test_texts_and_calls_from_a_phone_backup(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    from tests.imports.test_sms_backup import CALLS, SMS

    for data, name in ((SMS, "sms-20241201.xml"), (CALLS, "calls-20241201.xml")):
        upload(owner, case, data, name=name)
        job = ImportJob.objects.order_by("-pk").first()
        run(owner, case, job, django_capture_on_commit_callbacks, stalkers=["+447911123123"])
        job.refresh_from_db()
        assert job.status == "done", job.error
    entries = list(Entry.objects.filter(case=case).order_by("occurred_at"))
    contents = current_contents(entries, case)
    texts = {contents[e.pk]["what_happened"]: e.channel for e in entries}
    assert texts["I saw your car at work\nAnswer me"] == "text_message"
    assert texts["Missed call from +447911123123"] == "phone_call"
    assert texts["Call from +447911123123, 12 seconds"] == "phone_call"
    assert "Stop \U0001f602" not in texts  # the person's own message, not chosen


CALL_LOG = (
    b"Date,Number,Type,Duration (s)\n"
    b"2024-12-01 21:30,07700 900123,Missed,0\n"
    b"2024-12-01 21:35,07700 900123,Incoming,40\n"
    b"2024-12-02 08:00,07700 900999,Outgoing,60\n"
)


def test_a_csv_call_log_is_imported_after_choosing_the_columns(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    upload(owner, case, CALL_LOG.replace(b"Date,Number", b"When it was,Who"), name="bill.csv")
    job = ImportJob.objects.get()
    url = reverse("imports:job", args=[case.pk, job.pk])
    assert "Which column is which?" in owner.get(url).content.decode()
    bad = owner.post(url, {"timestamp": "When it was", "number": "Who", "time_format": "%d/%m/%Y"})
    assert "does not match the date format" in bad.content.decode()
    owner.post(
        url,
        {
            "timestamp": "When it was",
            "number": "Who",
            "direction": "Type",
            "duration": "Duration (s)",
        },
    )
    job.refresh_from_db()
    assert job.options["csv_mapping"]["number"] == "Who"
    assert "07700 900123: 2" in owner.get(url).content.decode()
    run(owner, case, job, django_capture_on_commit_callbacks, stalkers=["07700 900123"])
    job.refresh_from_db()
    assert (job.status, job.added) == ("done", 2), job.error
    texts = sorted(
        c["what_happened"]
        for c in current_contents(list(Entry.objects.filter(case=case)), case).values()
    )
    assert texts == ["Call from 07700 900123, 40 seconds", "Missed call from 07700 900123"]


def test_one_entry_per_day_keeps_every_message_exactly(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    upload(owner, case, CHAT)
    job = ImportJob.objects.get()
    run(owner, case, job, django_capture_on_commit_callbacks, grouping="day")
    job.refresh_from_db()
    assert job.added == 4
    entries = list(Entry.objects.filter(case=case).order_by("occurred_at"))
    contents = current_contents(entries, case)
    # 12 Jan messages in one entry; the 13 Jan call is a different day and channel.
    assert len(entries) == 2
    day = contents[entries[0].pk]["what_happened"]
    assert day == (
        "21:05:00 Sam Ex: I know you\u2019re home\n"
        "21:05:00 Sam Ex: answer me\nor I'm coming over\n"
        "21:09:00 Sam Ex: This message was deleted"
    )
    assert len(contents[entries[0].pk]["source"]["records"]) == 3
    assert ImportedRecord.objects.filter(entry=entries[0]).count() == 3


def test_an_email_keeps_its_raw_hash_and_authentication_results(
    owner: Client, case, django_capture_on_commit_callbacks
) -> None:
    from tests.imports.test_other_formats import make_email

    raw = make_email().as_bytes()
    upload(owner, case, raw, name="message.eml")
    job = ImportJob.objects.get()
    run(owner, case, job, django_capture_on_commit_callbacks, stalkers=["Sam Ex <sam@example.org>"])
    job.refresh_from_db()
    assert job.status == "done" and job.added == 1
    entry = Entry.objects.get(case=case)
    details = current_contents([entry], case)[entry.pk]["source"]["details"]
    assert details["sha256"] == hashlib.sha256(raw).hexdigest()
    assert details["authentication_results"] == [
        "mx.example.org; spf=pass smtp.mailfrom=example.org; dkim=pass"
    ]


def test_messenger_media_go_to_the_message_that_names_them_even_with_one_file_name_twice(
    personas: Personas, case, django_capture_on_commit_callbacks
) -> None:
    import json

    from PIL import Image

    def png(colour: tuple[int, int, int]) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
        return buffer.getvalue()

    red, blue = png((200, 0, 0)), png((0, 0, 200))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as folder:
        for thread, stamp, colour in (
            ("sam_1", 1700000000000, red),
            ("sam_2", 1700000600000, blue),
        ):
            base = f"your_activity/messages/inbox/{thread}"
            message = {
                "sender_name": "Sam Ex",
                "timestamp_ms": stamp,
                "content": f"look {thread}",
                "photos": [{"uri": f"messages/inbox/{thread}/photos/1.png"}],
            }
            conversation = {"participants": [{"name": "Sam Ex"}], "messages": [message]}
            folder.writestr(f"{base}/message_1.json", json.dumps(conversation))
            folder.writestr(f"{base}/photos/1.png", colour)
    job = services.import_upload(
        case=case, actor=personas.victim, name="facebook.zip", data=archive.getvalue()
    )
    services.import_configure(
        job=job, options={"stalkers": ["Sam Ex"], "time_zone": "UTC"}, actor=job.created_by
    )
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run(job)
    entries = list(Entry.objects.filter(case=case).order_by("occurred_at"))
    assert len(entries) == 2
    photos = [
        [e.sha256 for e in Evidence.objects.filter(entry=entry) if e.content_type == "image/png"]
        for entry in entries
    ]
    assert photos == [[hashlib.sha256(red).hexdigest()], [hashlib.sha256(blue).hexdigest()]]
