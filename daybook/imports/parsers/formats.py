"""Every kind of export Daybook imports, one `Format` each, in the order they are recognised.

An upload is recognised from its content (its name is only a hint): first its shape (a ZIP, a
JSON file, anything else), then the first format in `FORMATS` that knows that shape and
recognises it. Everything else the import needs to know of a format (its name for the person,
how it is read, the channel its messages are logged under) is in the same record, so adding a
format is a parser module and one entry here (docs/developers/adding-an-import-format.md).
"""

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from daybook.imports.parsers import archive, csv_calls, mail, meta, sms_backup, telegram, whatsapp
from daybook.imports.parsers.archive import Upload
from daybook.imports.parsers.base import DEFAULT_LIMITS, Limits, ParseError, ParseResult
from daybook.imports.parsers.csv_calls import CsvMapping

Shape = Literal["zip", "json", "text"]

ZIP_MAGIC = b"PK\x03\x04"
LEADING_BLANKS = b"\xef\xbb\xbf \r\n\t"  # a UTF-8 byte order mark and white space
SNIFF_BYTES = 65536  # how much of the start of a file recognising it reads, at most
TEXT_HEAD_BYTES = 4096
MAIL_HEADERS = (
    b"From:",
    b"Received:",
    b"Return-Path:",
    b"MIME-Version:",
    b"Message-ID:",
    b"Date:",
    b"Delivered-To:",
    b"Subject:",
    b"To:",
)


@dataclass(frozen=True, slots=True)
class Sample:
    """What recognising a file that is neither a ZIP nor JSON looks at."""

    filename: str  # lower-cased; only ever a hint
    start: bytes  # the first 64 KB after any byte order mark and leading white space
    head: str  # the first 4 KB as text, as they are

    @property
    def lines(self) -> list[str]:
        return self.head.replace("\r\n", "\n").split("\n")


@dataclass(frozen=True, slots=True)
class Options:
    """What the person has told Daybook about an upload, and the caps it is read within."""

    filename: str = ""
    date_order: str | None = None  # for exports whose dates could be day or month first
    csv_mapping: CsvMapping | None = None  # for a spreadsheet: which column is which
    limits: Limits = DEFAULT_LIMITS
    region: str = "GB"  # where phone numbers written without a country code are from
    time_zone: str = "Europe/London"  # where local times without an offset were written


@dataclass(frozen=True, slots=True)
class Format:
    """One kind of export. `code` is what its ParseResult, its ImportJob and the keys of its
    imported records carry: never change one, or a re-import no longer finds what is there."""

    code: str
    name: str  # for the person, e.g. on the page that shows what was found
    accepts: str  # a phrase for "Daybook can import …", naming the files to upload
    channel: str  # an Entry.Channel value for its messages (a call is always a phone call)
    read: Callable[[Upload, Options], ParseResult]
    # How it is recognised, for each shape it can come in: from the names (lower-cased,
    # without folders) of the files in a ZIP, from the start of a JSON file as text, or from
    # a Sample of any other file. None where it never comes in that shape.
    in_zip: Callable[[list[str]], bool] | None = None
    in_json: Callable[[str], bool] | None = None
    in_text: Callable[[Sample], bool] | None = None
    # A spreadsheet's columns differ from one provider to the next: the person confirms which
    # column is which (a CsvMapping) before its records can be read.
    asks_for_columns: bool = False


def size_of(upload: Upload) -> int:
    if isinstance(upload, bytes):
        return len(upload)
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def is_zip(upload: Upload) -> bool:
    if isinstance(upload, bytes):
        return upload[:4] == ZIP_MAGIC
    upload.seek(0)
    start = upload.read(len(ZIP_MAGIC))
    upload.seek(0)
    return start == ZIP_MAGIC


def whole(upload: Upload) -> bytes:
    """An upload that is not a ZIP, in memory: such a file is parsed whole (and is capped by
    Limits.max_upload_bytes). A ZIP is only ever read from its file, a member at a time."""
    if isinstance(upload, bytes):
        return upload
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _is_mbox(start: bytes) -> bool:
    return start.startswith(b"From ") and b"\nFrom:" in start[:SNIFF_BYTES]


def _is_email(sample: Sample) -> bool:
    return _is_mbox(sample.start) or sample.start.startswith(MAIL_HEADERS)


def _is_sms_backup(sample: Sample) -> bool:
    head = sample.head
    return head.lstrip("\ufeff \r\n\t").startswith("<") and ("<smses" in head or "<calls" in head)


def _is_whatsapp(sample: Sample) -> bool:
    return any(whatsapp.HEADER.match(line) for line in sample.lines[:20])


def _is_messenger_thread(name: str) -> bool:
    return name.startswith("message_") and name.endswith(".json")


def _read_email(upload: Upload, options: Options) -> ParseResult:
    data = whole(upload)
    start = data.lstrip(LEADING_BLANKS)[:SNIFF_BYTES]
    if _is_mbox(start):
        return mail.parse_mbox(data, limits=options.limits)
    return mail.parse_eml(data, limits=options.limits)


def _read_sms_backup(upload: Upload, options: Options) -> ParseResult:
    return sms_backup.parse(whole(upload), limits=options.limits, region=options.region)


def _read_csv(upload: Upload, options: Options) -> ParseResult:
    return csv_calls.parse(
        whole(upload),
        mapping=options.csv_mapping,
        limits=options.limits,
        time_zone=options.time_zone,
    )


def _read_telegram(data: Upload, options: Options) -> ParseResult:
    if not is_zip(data):
        return telegram.parse(whole(data), limits=options.limits, time_zone=options.time_zone)
    with archive.open_archive(data, options.limits) as files:
        chat = next(name for name in files.names if name.lower().endswith("result.json"))
        content = files.read(chat)
        # The media beside the chat are hashed as they stream by, for the import to attach.
        digests = {chat: hashlib.sha256(content).hexdigest()}
        for name in files.names:
            if name != chat:
                digests[name] = files.digest(name)[1]
    result = telegram.parse(content, limits=options.limits, time_zone=options.time_zone)
    result.members = digests
    return result


def _read_messenger(data: Upload, options: Options) -> ParseResult:
    if not is_zip(data):
        return meta.parse_threads(
            [(options.filename or "message_1.json", whole(data))], limits=options.limits
        )
    with archive.open_archive(data, options.limits) as files:
        threads = sorted(
            name for name in files.names if _is_messenger_thread(name.lower().rsplit("/", 1)[-1])
        )
        # The threads are parsed together, so together they are held to one chat's cap.
        left, read = archive.MAX_CHAT_BYTES, []
        for name in threads:
            content = files.read(name, cap=left)
            left -= len(content)
            read.append((name, content))
        digests = {name: hashlib.sha256(content).hexdigest() for name, content in read}
        for name in files.names:
            if name not in digests:
                digests[name] = files.digest(name)[1]
    result = meta.parse_threads(read, limits=options.limits)
    result.members = digests
    return result


def _read_whatsapp(data: Upload, options: Options) -> ParseResult:
    if not is_zip(data):
        return whatsapp.parse(
            whole(data),
            date_order=options.date_order,
            limits=options.limits,
            time_zone=options.time_zone,
        )
    with archive.open_archive(data, options.limits) as files:
        chats = sorted(name for name in files.names if name.lower().endswith(".txt"))
        chat = "_chat.txt" if "_chat.txt" in chats else chats[0]
        text = files.read(chat)
        digests = {chat: hashlib.sha256(text).hexdigest()}
        attachments = {}
        for name in files.names:
            if name != chat:
                size, digests[name] = files.digest(name)
                attachments[name.rsplit("/", 1)[-1]] = (size, digests[name])
    result = whatsapp.parse(
        text,
        date_order=options.date_order,
        limits=options.limits,
        member=chat,
        attachments=attachments,
        time_zone=options.time_zone,
    )
    result.members = digests
    return result


# In the order they are tried: the first that recognises an upload reads it.
FORMATS: tuple[Format, ...] = (
    Format(
        code=telegram.FORMAT,
        name="Telegram chat",
        accepts="a Telegram result.json",
        channel="messaging_app",
        read=_read_telegram,
        in_zip=lambda names: "result.json" in names,
        # Older single-chat exports have no "date_unixtime"; every Telegram message has a
        # "from_id" (Messenger and Instagram have none).
        in_json=lambda head: any(
            key in head for key in ('"date_unixtime"', '"chats"', '"from_id"')
        ),
    ),
    Format(
        code=meta.FORMAT,
        name="Facebook Messenger or Instagram conversation",
        accepts="a Facebook Messenger or Instagram download (.json or .zip)",
        channel="social_media",
        read=_read_messenger,
        in_zip=lambda names: any(_is_messenger_thread(name) for name in names),
        in_json=lambda head: '"participants"' in head or '"sender_name"' in head,
    ),
    Format(
        code=mail.FORMAT,
        name="E-mail",
        accepts="e-mails (.eml or .mbox)",
        channel="email",
        read=_read_email,
        in_text=_is_email,
    ),
    Format(
        code=sms_backup.FORMAT,
        name="SMS Backup & Restore (texts or calls)",
        accepts="an SMS Backup & Restore file (.xml)",
        channel="text_message",
        read=_read_sms_backup,
        in_text=_is_sms_backup,
    ),
    Format(
        code=whatsapp.FORMAT,
        name="WhatsApp chat",
        accepts="a WhatsApp chat export (.txt or .zip)",
        channel="messaging_app",
        read=_read_whatsapp,
        in_zip=lambda names: any(name.endswith(".txt") for name in names),
        in_text=_is_whatsapp,
    ),
    Format(
        code=csv_calls.FORMAT,
        name="Spreadsheet (CSV), such as a phone company's call log",
        accepts="a CSV spreadsheet such as a call log",
        channel="text_message",  # a row without call details is taken for a text message
        read=_read_csv,
        in_text=lambda sample: sample.filename.endswith(".csv"),
        asks_for_columns=True,
    ),
)
EXPECTED = (
    "Daybook can import "
    + ", ".join(known.accepts for known in FORMATS[:-1])
    + f" and {FORMATS[-1].accepts}."
)
UNRECOGNISED: dict[Shape, str] = {
    "zip": "The ZIP file has no chat in it.",
    "json": "This JSON file is not an export Daybook recognises.",
    "text": "This file is not an export Daybook recognises.",
}


def format_of(code: str) -> Format:
    """The format an import job or a parse result names. Raises KeyError for an unknown code."""
    for known in FORMATS:
        if known.code == code:
            return known
    raise KeyError(code)


def recognise(filename: str, upload: Upload) -> Format:
    """What the file is, from its content. Raises ParseError, naming what Daybook can import.
    A ZIP given as a file is recognised from its directory, without reading it into memory."""
    if not size_of(upload):
        raise ParseError("The file is empty.")
    shape: Shape
    if is_zip(upload):
        shape = "zip"
        with archive.open_archive(upload, DEFAULT_LIMITS) as files:  # reads the directory only
            names = [name.lower().rsplit("/", 1)[-1] for name in files.names]
        found = next((f for f in FORMATS if f.in_zip is not None and f.in_zip(names)), None)
    elif (start := (data := whole(upload)).lstrip(LEADING_BLANKS)[:SNIFF_BYTES])[:1] == b"{":
        shape, head = "json", start.decode("utf-8", errors="ignore")
        found = next((f for f in FORMATS if f.in_json is not None and f.in_json(head)), None)
    else:
        shape = "text"
        sample = Sample(
            filename=filename.lower(),
            start=start,
            head=data[:TEXT_HEAD_BYTES].decode("utf-8", errors="ignore"),
        )
        found = next((f for f in FORMATS if f.in_text is not None and f.in_text(sample)), None)
    if found is None:
        raise ParseError(f"{UNRECOGNISED[shape]} {EXPECTED}")
    return found
