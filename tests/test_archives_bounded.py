"""A ZIP export is opened safely and within bounds, whatever it holds or claims to hold."""

import hashlib
import io
import json
import os
import stat
import struct
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from daybook.imports import services
from daybook.imports.models import ImportJob
from daybook.imports.parsers import ParseError, parse
from daybook.imports.parsers import archive as archive_module
from daybook.imports.parsers.archive import ArchiveFiles, open_archive
from daybook.imports.parsers.base import DEFAULT_LIMITS
from daybook.incidents.models import Entry, Evidence
from tests.conftest import Personas
from tests.test_evidence import PNG

MIB = 1 << 20
CHAT = b"12/01/24, 21:05 - Sam Ex: hi\n12/01/24, 21:06 - Sam Ex: answer me\n"
PHOTO = "00000012-PHOTO-2024-01-12-21-12-40.png"
PHOTO_CHAT = f"[12.01.24, 21:12:40] Sam Ex: \u200e<attached: {PHOTO}>\n".encode()
MEMORY_CEILING_KB = 300_000  # peak resident memory, in kilobytes as Linux reports it


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as folder:
        for name, content in members.items():
            folder.writestr(name, content)
    return buffer.getvalue()


def write_nul_member(folder: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of `size` NUL bytes, written a chunk at a time (never held whole)."""
    chunk = bytes(MIB)
    with folder.open(name, "w") as handle:
        for _ in range(size // MIB):
            handle.write(chunk)


@pytest.fixture(scope="module")
def nul_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 0.9 MB ZIP holding a chat and 900 MiB of NUL bytes."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as folder:
        folder.writestr("_chat.txt", CHAT)
        write_nul_member(folder, "nothing.bin", 900 * MIB)
    return path


@pytest.fixture(scope="module")
def export_with_large_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A chat beside a video as large as an upload may be (Limits.max_upload_bytes refuses
    anything larger first), stored as phones store media: uncompressed."""
    path = tmp_path_factory.mktemp("video") / "video.zip"
    video_bytes = DEFAULT_LIMITS.max_upload_bytes - MIB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as folder:
        folder.writestr("_chat.txt", CHAT)
        chunk = os.urandom(MIB)  # does not compress, like a real video
        with folder.open("00000013-VIDEO-2024-01-12-21-13-00.mp4", "w") as handle:
            for _ in range(video_bytes // MIB):
                handle.write(chunk)
    assert path.stat().st_size <= DEFAULT_LIMITS.max_upload_bytes
    return path


# Names that could put a file outside the archive, if anything ever wrote it to disk.


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../evil.txt", "“..” in it"),
        ("media/../../evil.txt", "“..” in it"),
        ("/etc/evil.txt", "points to a place on a computer"),
        ("C:/Windows/evil.txt", "points to a place on a computer"),
        ("c:evil.txt", "points to a place on a computer"),
        ("media\\..\\evil.txt", "backslash"),
    ],
)
def test_a_name_pointing_outside_the_zip_refuses_the_whole_zip(name: str, problem: str) -> None:
    data = zip_of({"_chat.txt": CHAT, name: b"x"})
    with pytest.raises(ParseError, match="The ZIP file was not opened") as refused:
        parse(data, filename="WhatsApp Chat.zip")
    assert problem in refused.value.message and name[:20] in refused.value.message


def test_a_symbolic_link_in_the_zip_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as folder:
        folder.writestr("_chat.txt", CHAT)
        link = zipfile.ZipInfo("photo.jpg")
        link.create_system = 3  # Unix, whose mode bits are kept in external_attr
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        folder.writestr(link, "/etc/passwd")
    with pytest.raises(ParseError, match="“photo.jpg” in it is a link"):
        parse(buffer.getvalue(), filename="WhatsApp Chat.zip")


def test_two_files_with_the_same_name_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate
        folder.writestr("_chat.txt", CHAT)
        folder.writestr(PHOTO, PNG)
        folder.writestr(PHOTO, b"another picture")
    with pytest.raises(ParseError, match=f"two files called “{PHOTO}”"):
        parse(buffer.getvalue(), filename="WhatsApp Chat.zip")


# Sizes: checked from the directory before anything is inflated, and counted while inflating.


def test_a_zip_bomb_of_nul_bytes_is_refused_within_seconds(nul_bomb: Path) -> None:
    data = nul_bomb.read_bytes()
    assert len(data) < MIB
    started = time.monotonic()
    with pytest.raises(ParseError, match="would grow more than 100 times"):
        parse(data, filename="WhatsApp Chat.zip")
    assert time.monotonic() - started < 5


def test_many_small_members_that_together_are_a_bomb_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as folder:
        folder.writestr("_chat.txt", CHAT)
        for number in range(12):  # each under the size a single member's ratio is checked at
            write_nul_member(folder, f"{number}.bin", 9 * MIB)
    started = time.monotonic()
    with pytest.raises(ParseError, match="its files would grow more than 100 times"):
        parse(buffer.getvalue(), filename="WhatsApp Chat.zip")
    assert time.monotonic() - started < 5


def test_a_declared_total_over_the_limit_is_refused_before_inflating() -> None:
    data = zip_of({"_chat.txt": CHAT, "video.mp4": os.urandom(2 * MIB)}, zipfile.ZIP_STORED)
    limits = DEFAULT_LIMITS.__class__(max_uncompressed_bytes=MIB)
    with pytest.raises(ParseError, match="far too large once opened"):
        parse(data, filename="WhatsApp Chat.zip", limits=limits)


def _patch_sizes(
    data: bytes, name: bytes, *, compressed: int | None, uncompressed: int | None
) -> bytes:
    """The ZIP with one member's sizes rewritten in both its headers, as a forger would."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        position = 0
        while (position := patched.find(signature, position)) != -1:
            name_at = position + (30 if signature == b"PK\x03\x04" else 46)
            if patched[name_at : name_at + len(name)] == name:
                if compressed is not None:
                    struct.pack_into("<I", patched, position + offset, compressed)
                if uncompressed is not None:
                    struct.pack_into("<I", patched, position + offset + 4, uncompressed)
            position += 4
    return bytes(patched)


def test_a_header_that_hides_a_bomb_behind_a_false_compressed_size_is_refused() -> None:
    """Claiming the member is as large compressed as inflated makes its ratio look harmless."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as folder:
        folder.writestr("_chat.txt", CHAT)
        write_nul_member(folder, "nothing.bin", 300 * MIB)
    forged = _patch_sizes(
        buffer.getvalue(), b"nothing.bin", compressed=300 * MIB, uncompressed=None
    )
    started = time.monotonic()
    with pytest.raises(ParseError, match="damaged or incomplete"):
        parse(forged, filename="WhatsApp Chat.zip")
    assert time.monotonic() - started < 5


def test_a_header_that_understates_the_size_stops_inflating_at_the_claim() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as folder:
        folder.writestr("_chat.txt", CHAT)
        write_nul_member(folder, "nothing.bin", 300 * MIB)
    forged = _patch_sizes(buffer.getvalue(), b"nothing.bin", compressed=None, uncompressed=1000)
    started = time.monotonic()
    with pytest.raises(ParseError, match="could not be read"):
        parse(forged, filename="WhatsApp Chat.zip")
    assert time.monotonic() - started < 5


def test_a_chat_over_the_cap_is_refused_with_a_message(monkeypatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_CHAT_BYTES", 100_000)
    long_chat = CHAT * (200_000 // len(CHAT))
    with pytest.raises(ParseError, match="The chat “_chat.txt” in the ZIP file is larger"):
        parse(zip_of({"_chat.txt": long_chat}), filename="WhatsApp Chat.zip")


def test_a_chat_whose_header_understates_its_size_is_stopped_at_the_cap(monkeypatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_CHAT_BYTES", 100_000)
    data = zip_of({"_chat.txt": CHAT * (400_000 // len(CHAT))}, zipfile.ZIP_STORED)
    forged = _patch_sizes(data, b"_chat.txt", compressed=None, uncompressed=50_000)
    with zipfile.ZipFile(io.BytesIO(forged)) as folder:
        assert folder.getinfo("_chat.txt").file_size == 50_000
    with pytest.raises(ParseError):
        parse(forged, filename="WhatsApp Chat.zip")


def test_messenger_threads_are_held_to_one_chat_cap_together(monkeypatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_CHAT_BYTES", 150_000)
    message = {"sender_name": "Sam Ex", "timestamp_ms": 1700000000000, "content": "x" * 900}
    thread = json.dumps({"participants": [{"name": "Sam Ex"}], "messages": [message] * 100})
    base = "your_activity/messages/inbox/sam_1"
    one = zip_of({f"{base}/message_1.json": thread.encode()})
    assert len(parse(one, filename="facebook.zip").records) == 100
    two = zip_of({f"{base}/message_{n}.json": thread.encode() for n in (1, 2)})
    with pytest.raises(ParseError, match="larger than Daybook can read"):
        parse(two, filename="facebook.zip")


# Media are hashed as they stream by, and read again one at a time only to be kept.


def test_media_are_hashed_and_listed_without_being_kept() -> None:
    video = os.urandom(3 * MIB)
    data = zip_of({"_chat.txt": PHOTO_CHAT, PHOTO: PNG, "clip.mp4": video})
    result = parse(data, filename="WhatsApp Chat.zip")
    assert result.members == {
        "_chat.txt": hashlib.sha256(PHOTO_CHAT).hexdigest(),
        PHOTO: hashlib.sha256(PNG).hexdigest(),
        "clip.mp4": hashlib.sha256(video).hexdigest(),
    }
    attachment = result.records[0].attachments[0]
    assert (attachment.size, attachment.sha256) == (len(PNG), hashlib.sha256(PNG).hexdigest())


def test_an_attachment_over_the_evidence_limit_is_listed_but_never_inflated() -> None:
    big = os.urandom(2 * MIB)
    data = zip_of({"_chat.txt": CHAT, PHOTO: PNG, "clip.mp4": big}, zipfile.ZIP_STORED)
    # Its stored bytes are spoiled: inflating it at all would fail its checksum.
    start = data.index(big[:64])
    spoiled = data[:start] + bytes(64) + data[start + 64 :]
    files = ArchiveFiles(open_archive(spoiled, DEFAULT_LIMITS), max_bytes=MIB)
    assert files.find(PHOTO) == PNG
    assert files.find("clip.mp4") is None
    assert files.too_large == ["clip.mp4"]


@pytest.mark.django_db
def test_an_import_keeps_small_attachments_and_leaves_large_ones_named(
    personas: Personas, case, settings, django_capture_on_commit_callbacks
) -> None:
    settings.DAYBOOK_EVIDENCE_MAX_BYTES = MIB
    big_name = "00000013-VIDEO-2024-01-12-21-13-00.mp4"
    chat = PHOTO_CHAT + f"[12.01.24, 21:13:00] Sam Ex: \u200e<attached: {big_name}>\n".encode()
    data = zip_of({"_chat.txt": chat, PHOTO: PNG, big_name: os.urandom(2 * MIB)})
    job = services.import_upload(
        case=case, actor=personas.victim, name="WhatsApp Chat.zip", data=data
    )
    services.import_configure(
        job=job,
        options={"stalkers": ["Sam Ex"], "time_zone": "UTC", "date_order": "dmy"},
        actor=job.created_by,
    )
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_run(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    kinds = sorted(item.content_type for item in Evidence.objects.filter(entry__case=case))
    assert kinds == ["application/zip", "image/png"]
    assert Entry.objects.filter(case=case).count() >= 1


# Memory: measured in a fresh process, with Django loaded as the application has it.

MEASURE = textwrap.dedent(
    """
    import os, resource, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
    import django
    django.setup()
    from daybook.imports.parsers import ParseError, parse
    with open(sys.argv[1], "rb") as upload:
        data = upload.read()
    try:
        result = parse(data, filename="WhatsApp Chat.zip")
        outcome = f"parsed {len(result.records)} records, {len(result.members)} files"
    except ParseError as error:
        outcome = f"refused: {error}"
    del data
    # ru_maxrss keeps, across exec, the size of the process this one was started from;
    # VmHWM is this program's own peak. Both in kilobytes.
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(own, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, outcome)
    """
)


def peak_kilobytes(upload: Path) -> tuple[int, str]:
    finished = subprocess.run(  # noqa: S603 - this interpreter, running a fixed script
        [sys.executable, "-c", MEASURE, str(upload)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=os.environ.copy(),
    )
    peak, _with_parent, outcome = finished.stdout.strip().splitlines()[-1].split(" ", 2)
    return int(peak), outcome


def test_the_nul_bomb_is_refused_within_the_memory_ceiling(nul_bomb: Path) -> None:
    peak, outcome = peak_kilobytes(nul_bomb)
    assert outcome.startswith("refused: The ZIP file was not opened")
    assert peak < MEMORY_CEILING_KB, f"peak {peak // 1000} MB"


def test_a_chat_beside_the_largest_video_an_upload_may_hold_stays_within_the_ceiling(
    export_with_large_video: Path,
) -> None:
    peak, outcome = peak_kilobytes(export_with_large_video)
    assert outcome == "parsed 2 records, 2 files"
    assert peak < MEMORY_CEILING_KB, f"peak {peak // 1000} MB"


def test_a_normal_export_stays_well_within_the_ceiling(tmp_path: Path) -> None:
    upload = tmp_path / "WhatsApp Chat.zip"
    upload.write_bytes(zip_of({"_chat.txt": PHOTO_CHAT * 1000, PHOTO: PNG}))
    peak, outcome = peak_kilobytes(upload)
    assert outcome == "parsed 1000 records, 2 files"
    assert peak < MEMORY_CEILING_KB, f"peak {peak // 1000} MB"


IMPORT = textwrap.dedent(
    """
    import os, resource, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daybook.settings")
    import django
    django.setup()
    from daybook.cases.models import Case
    from daybook.imports import services
    from daybook.imports.parsers import ParseError
    case = Case.objects.get(pk=int(sys.argv[2]))
    # Given as the upload view gives it: the file Django wrote a large upload to, unread.
    with open(sys.argv[1], "rb") as upload:
        try:
            job = services.import_upload(
                case=case, actor=case.owner, name="WhatsApp Chat.zip", data=upload
            )
        except ParseError as error:
            job, outcome = None, f"refused: {error}"
    if job is not None:
        options = {"stalkers": ["Sam Ex"], "time_zone": "UTC", "date_order": "dmy"}
        services.import_configure(job=job, options=options, actor=case.owner)
        job.refresh_from_db()
        services.import_run(job)
        job.refresh_from_db()
        outcome = f"{job.status} {job.added}"
    # ru_maxrss keeps, across exec, the size of the process this one was started from;
    # VmHWM is this program's own peak. Both in kilobytes.
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(own, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, outcome)
    """
)


def database_url_of_the_tests(connection) -> str:
    """The address of the database these tests run on (the test copy, not the one named in
    DAYBOOK_DATABASE_URL), for a process started from a test."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    given = urlsplit(os.environ["DAYBOOK_DATABASE_URL"])
    return urlunsplit(given._replace(path=f"/{name}"))


def import_peak_kilobytes(upload: Path, case, evidence: Path) -> tuple[int, str]:
    """The whole import, upload to entries, in a fresh process on the test database."""
    from django.db import connection

    environment = {
        **os.environ,
        "DAYBOOK_DATABASE_URL": database_url_of_the_tests(connection),
        "DAYBOOK_VAR_DIR": str(evidence),
    }
    finished = subprocess.run(  # noqa: S603 - this interpreter, running a fixed script
        [sys.executable, "-c", IMPORT, str(upload), str(case.pk)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=environment,
    )
    peak, _with_parent, outcome = finished.stdout.strip().splitlines()[-1].split(" ", 2)
    return int(peak), outcome


@pytest.mark.django_db(transaction=True)
def test_a_whole_import_of_a_normal_export_stays_within_the_ceiling(case, tmp_path: Path) -> None:
    upload = tmp_path / "WhatsApp Chat.zip"
    upload.write_bytes(zip_of({"_chat.txt": PHOTO_CHAT * 1000, PHOTO: PNG}))
    peak, outcome = import_peak_kilobytes(upload, case, tmp_path / "var")
    assert outcome == "done 1000"
    assert peak < MEMORY_CEILING_KB, f"peak {peak // 1000} MB"


@pytest.mark.django_db(transaction=True)
def test_a_whole_import_of_a_chat_beside_the_largest_video_stays_within_the_ceiling(
    case, export_with_large_video: Path, tmp_path: Path
) -> None:
    """Upload, check, storage, import and keeping the export as an exhibit: none of them
    holds the upload whole, so the peak does not grow with the file."""
    peak, outcome = import_peak_kilobytes(export_with_large_video, case, tmp_path / "var")
    assert outcome == "done 2"
    assert peak < MEMORY_CEILING_KB, f"peak {peak // 1000} MB"
    kept = Evidence.objects.get(entry__case=case)
    assert (kept.content_type, kept.size) == (
        "application/zip",
        export_with_large_video.stat().st_size,
    )


@pytest.mark.django_db(transaction=True)
def test_uploading_the_nul_bomb_is_refused_within_the_ceiling(
    case, nul_bomb: Path, tmp_path: Path
) -> None:
    peak, outcome = import_peak_kilobytes(nul_bomb, case, tmp_path / "var")
    assert outcome.startswith("refused: The ZIP file was not opened")
    assert peak < MEMORY_CEILING_KB, f"peak {peak // 1000} MB"
