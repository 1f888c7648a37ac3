"""Parsers that turn exported chats, texts, calls and e-mails into records.

Pure Python with no Django import: each parser takes the upload (its bytes, or a file open
for reading, from which a ZIP is read a member at a time) and returns a ParseResult, or raises
ParseError with a kind message saying what was wrong and where. Which formats there are, how
each is recognised and what the import needs to know of it is in one table, `formats.FORMATS`.
"""

from daybook.imports.parsers.archive import Upload
from daybook.imports.parsers.base import (
    DEFAULT_LIMITS,
    Attachment,
    Limits,
    ParseError,
    ParseResult,
    Record,
)
from daybook.imports.parsers.csv_calls import CsvMapping
from daybook.imports.parsers.formats import (
    EXPECTED,
    FORMATS,
    Format,
    Options,
    format_of,
    is_zip,
    recognise,
    size_of,
    whole,
)

__all__ = [
    "DEFAULT_LIMITS",
    "EXPECTED",
    "FORMATS",
    "Attachment",
    "CsvMapping",
    "Format",
    "Limits",
    "ParseError",
    "ParseResult",
    "Record",
    "Upload",
    "detect_format",
    "format_of",
    "parse",
    "recognise",
    "size_of",
    "whole",
]


def detect_format(filename: str, data: Upload) -> str:
    """The code of the format the file is, from its content (its name is only a hint)."""
    return recognise(filename, data).code


def parse(
    data: Upload,
    *,
    filename: str,
    date_order: str | None = None,
    csv_mapping: CsvMapping | None = None,
    limits: Limits = DEFAULT_LIMITS,
    region: str = "GB",
    time_zone: str = "Europe/London",
) -> ParseResult:
    """Parse an upload of any supported format. Raises ParseError, never anything else.
    `region` is where phone numbers without a country code are from; `time_zone` is where
    local times without an offset (a WhatsApp chat's) were written. `data` is the upload in
    memory or a seekable file open for reading in binary; a ZIP given as a file is read from
    it a member at a time, never whole."""
    if size_of(data) > limits.max_upload_bytes:
        raise ParseError("The file is larger than Daybook can import in one go.")
    options = Options(
        filename=filename,
        date_order=date_order,
        csv_mapping=csv_mapping,
        limits=limits,
        region=region,
        time_zone=time_zone,
    )
    found = recognise(filename, data)
    # Only a ZIP is read from its file, a member at a time; any other export is parsed whole,
    # so its reader is given bytes, as every format's reader always has been.
    return found.read(data if is_zip(data) else whole(data), options)
