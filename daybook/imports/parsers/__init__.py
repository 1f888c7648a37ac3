"""Parsers that turn exported chats, texts, calls and e-mails into records.

Pure Python with no Django import: each parser takes the uploaded bytes and returns a
ParseResult, or raises ParseError with a kind message saying what was wrong and where.
"""

from daybook.imports.parsers import archive, sms_backup, whatsapp
from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
)

__all__ = ["Attachment", "Limits", "ParseError", "ParseResult", "Record", "detect_format", "parse"]

FORMAT_NAMES = {"whatsapp": "WhatsApp chat", "sms_backup": "SMS Backup & Restore (texts or calls)"}
EXPECTED = (
    "Daybook can import a WhatsApp chat export (the .txt file, or the .zip with media) and an "
    "SMS Backup & Restore file of texts or calls (.xml)."
)


def detect_format(filename: str, data: bytes) -> str:
    """What the file is, from its content (its name is only a hint)."""
    if not data:
        raise ParseError("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        members, _warnings = archive.read_members(data, DEFAULT_LIMITS)
        if any(name.lower().endswith(".txt") for name in members):
            return "whatsapp"
        raise ParseError(f"The ZIP file has no chat in it. {EXPECTED}")
    head = data[:4096].decode("utf-8", errors="ignore")
    if head.lstrip("\ufeff \r\n\t").startswith("<") and ("<smses" in head or "<calls" in head):
        return "sms_backup"
    if any(whatsapp.HEADER.match(line) for line in head.replace("\r\n", "\n").split("\n")[:20]):
        return "whatsapp"
    raise ParseError(f"This file is not an export Daybook recognises. {EXPECTED}")


def parse(
    data: bytes, *, filename: str, date_order: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> ParseResult:
    """Parse an upload of any supported format. Raises ParseError, never anything else."""
    if len(data) > limits.max_upload_bytes:
        raise ParseError("The file is larger than Daybook can import in one go.")
    kind = detect_format(filename, data)
    if kind == "sms_backup":
        return sms_backup.parse(data, limits=limits)
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
