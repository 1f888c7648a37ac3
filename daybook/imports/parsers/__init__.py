"""Parsers that turn exported chats, texts, calls and e-mails into records.

Pure Python with no Django import: each parser takes the uploaded bytes and returns a
ParseResult, or raises ParseError with a kind message saying what was wrong and where.
Which formats there are, how each is recognised and what the import needs to know of it is
in one table, `formats.FORMATS`.
"""

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
    recognise,
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
    "detect_format",
    "format_of",
    "parse",
    "recognise",
]


def detect_format(filename: str, data: bytes) -> str:
    """The code of the format the file is, from its content (its name is only a hint)."""
    return recognise(filename, data).code


def parse(
    data: bytes,
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
    local times without an offset (a WhatsApp chat's) were written."""
    if len(data) > limits.max_upload_bytes:
        raise ParseError("The file is larger than Daybook can import in one go.")
    options = Options(
        filename=filename,
        date_order=date_order,
        csv_mapping=csv_mapping,
        limits=limits,
        region=region,
        time_zone=time_zone,
    )
    return recognise(filename, data).read(data, options)
