"""Parsers that turn exported chats, texts, calls and e-mails into records.

Pure Python with no Django import: each parser takes the uploaded bytes and returns a
ParseResult, or raises ParseError with a kind message saying what was wrong and where.
"""

from daybook.imports.parsers import archive, csv_calls, mail, meta, sms_backup, telegram, whatsapp
from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
)
from daybook.imports.parsers.csv_calls import CsvMapping

__all__ = [
    "Attachment",
    "CsvMapping",
    "Limits",
    "ParseError",
    "ParseResult",
    "Record",
    "detect_format",
    "parse",
]

FORMAT_NAMES = {
    "whatsapp": "WhatsApp chat",
    "sms_backup": "SMS Backup & Restore (texts or calls)",
    "telegram": "Telegram chat",
    "messenger": "Facebook Messenger or Instagram conversation",
    "email": "E-mail",
    "mbox": "Mailbox of e-mails",
    "csv": "Spreadsheet (CSV), such as a phone company's call log",
}
EXPECTED = (
    "Daybook can import a WhatsApp chat export (.txt or .zip), an SMS Backup & Restore file "
    "(.xml), a Telegram result.json, a Facebook Messenger or Instagram download (.json or .zip) "
    "e-mails (.eml or .mbox) and a CSV spreadsheet such as a call log."
)
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


def detect_format(filename: str, data: bytes) -> str:
    """What the file is, from its content (its name is only a hint)."""
    if not data:
        raise ParseError("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        members, _warnings = archive.read_members(data, DEFAULT_LIMITS)
        names = [name.lower().rsplit("/", 1)[-1] for name in members]
        if any(name.startswith("message_") and name.endswith(".json") for name in names):
            return "messenger"
        if "result.json" in names:
            return "telegram"
        if any(name.endswith(".txt") for name in names):
            return "whatsapp"
        raise ParseError(f"The ZIP file has no chat in it. {EXPECTED}")
    stripped = data.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped[:1] == b"{":
        head_json = stripped[:65536].decode("utf-8", errors="ignore")
        if '"date_unixtime"' in head_json or '"chats"' in head_json:
            return "telegram"
        if '"participants"' in head_json or '"sender_name"' in head_json:
            return "messenger"
        raise ParseError(f"This JSON file is not an export Daybook recognises. {EXPECTED}")
    if stripped.startswith(b"From ") and b"\nFrom:" in stripped[:65536]:
        return "mbox"
    if stripped.startswith(MAIL_HEADERS):
        return "email"
    head = data[:4096].decode("utf-8", errors="ignore")
    if head.lstrip("\ufeff \r\n\t").startswith("<") and ("<smses" in head or "<calls" in head):
        return "sms_backup"
    if any(whatsapp.HEADER.match(line) for line in head.replace("\r\n", "\n").split("\n")[:20]):
        return "whatsapp"
    if filename.lower().endswith(".csv"):
        return "csv"
    raise ParseError(f"This file is not an export Daybook recognises. {EXPECTED}")


def parse(
    data: bytes,
    *,
    filename: str,
    date_order: str | None = None,
    csv_mapping: CsvMapping | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ParseResult:
    """Parse an upload of any supported format. Raises ParseError, never anything else."""
    if len(data) > limits.max_upload_bytes:
        raise ParseError("The file is larger than Daybook can import in one go.")
    kind = detect_format(filename, data)
    if kind == "sms_backup":
        return sms_backup.parse(data, limits=limits)
    if kind == "csv":
        return csv_calls.parse(data, mapping=csv_mapping, limits=limits)
    if kind == "email":
        return mail.parse_eml(data, limits=limits)
    if kind == "mbox":
        result = mail.parse_mbox(data, limits=limits)
        return result
    if kind == "telegram":
        if data[:4] == b"PK\x03\x04":
            members, _warnings = archive.read_members(data, limits)
            chat = next(name for name in members if name.lower().endswith("result.json"))
            return telegram.parse(members[chat], limits=limits)
        return telegram.parse(data, limits=limits)
    if kind == "messenger":
        if data[:4] == b"PK\x03\x04":
            members, _warnings = archive.read_members(data, limits)
            files = sorted(
                (name, content)
                for name, content in members.items()
                if name.lower().rsplit("/", 1)[-1].startswith("message_") and name.endswith(".json")
            )
            result = meta.parse_threads(files, limits=limits)
            result.members = archive.hashes(members)
            return result
        return meta.parse_threads([(filename or "message_1.json", data)], limits=limits)
    if kind == "whatsapp" and data[:4] == b"PK\x03\x04":
        return _whatsapp_zip(data, date_order, limits)
    return whatsapp.parse(data, date_order=date_order, limits=limits)


def _whatsapp_zip(data: bytes, date_order: str | None, limits: Limits) -> ParseResult:
    members, warnings = archive.read_members(data, limits)
    chats = sorted(name for name in members if name.lower().endswith(".txt"))
    chat = "_chat.txt" if "_chat.txt" in chats else chats[0]
    digests = archive.hashes(members)
    attachments = {
        name.rsplit("/", 1)[-1]: (len(content), digests[name])
        for name, content in members.items()
        if name != chat
    }
    result = whatsapp.parse(
        members[chat], date_order=date_order, limits=limits, member=chat, attachments=attachments
    )
    result.members = digests
    result.warnings = warnings + result.warnings
    return result
