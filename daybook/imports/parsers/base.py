"""What every parser returns, and the one error every parser raises."""

import datetime as dt
import functools
import gc
import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class ParseError(Exception):
    """A kind, plain-English message for the person, and where in the file it went wrong."""

    def __init__(self, message: str, *, line: int | None = None, record: int | None = None) -> None:
        where = (
            f" (line {line})"
            if line is not None
            else f" (record {record})"
            if record is not None
            else ""
        )
        super().__init__(message + where)
        self.message, self.line, self.record = message, line, record


@dataclass(frozen=True, slots=True)
class Limits:
    max_upload_bytes: int = 200_000_000
    max_uncompressed_bytes: int = 1_000_000_000
    max_members: int = 10_000
    max_line_bytes: int = 1_000_000
    max_records: int = 1_000_000
    # Real exports nest a handful of levels (Telegram about eight); anything far deeper is
    # built to exhaust the parser, so it is refused before Python's own recursion limit.
    max_nesting: int = 100
    # An attachment's bytes are carried to the importer only up to these sizes; beyond them
    # the attachment keeps its name, size and hash and a warning says why it has no exhibit.
    max_attachment_bytes: int = 50_000_000
    max_attachments_total_bytes: int = 500_000_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str  # as written in the export; never used as a path
    member: str | None = None  # the archive member holding it, when present
    size: int | None = None
    sha256: str | None = None
    # The attachment's own bytes, where the export holds them inline (an MMS part, an e-mail
    # attachment), so the importer can keep them as an exhibit. None when the export only
    # names a file (found through `member`) or the bytes were too large to carry.
    data: bytes | None = field(default=None, repr=False)
    content_type: str | None = None

    @classmethod
    def inline(cls, name: str, data: bytes, content_type: str | None = None) -> "Attachment":
        return cls(
            name=name,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            content_type=content_type,
        )


@dataclass(slots=True, eq=True)
class Record:
    """One message, call or system notice, exactly as the export gave it.

    Not frozen: a frozen dataclass sets each field through object.__setattr__, which made
    building 100,000 records several times slower. Parsers create records; nothing changes them.
    """

    kind: str  # "message" | "call" | "system"
    timestamp: dt.datetime  # aware UTC where the source gives UTC; naive local for WhatsApp
    sender: str
    text: str  # exactly as decoded: never normalised or stripped of invisible characters
    locator: str  # "lines 12-14", "record 57": where it is in the file
    # What makes this the same record in another export of the same source. The import keys
    # it with the case's own secret before storing it, so no hash of a message is kept bare.
    identity: str
    recipients: tuple[str, ...] = ()
    direction: str | None = None  # "incoming" | "outgoing"
    call_outcome: str | None = None  # "answered" | "missed" | "rejected" | "blocked" | ...
    duration_seconds: int | None = None
    attachments: tuple[Attachment, ...] = ()
    facts: tuple[str, ...] = ()  # e.g. "deleted", "edited", "view_once", "media_omitted"
    thread: str = ""
    member: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParseResult:
    format: str
    records: list[Record]
    participants: dict[str, int]
    date_order: str | None = None
    date_order_ambiguous: bool = False
    naive_times: bool = False
    warnings: list[str] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)


# A JSON string with its escapes, written so the regular expression engine never backtracks.
JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_nesting(data: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest, found without parsing it (the
    standard parser recurses once per level, so a file nested thousands deep would exhaust
    it). Brackets inside strings do not count."""
    brackets = JSON_STRING.sub(b"", data).translate(None, NOT_BRACKETS)
    steps = (1 if step == 1 else -1 for step in brackets.translate(BRACKET_STEPS))
    return max(itertools.accumulate(steps, initial=0))


def without_cycle_collection(parse: Callable[P, R]) -> Callable[P, R]:
    """Run a parser with the cyclic garbage collector paused. A parse builds hundreds of
    thousands of small objects that never refer to each other in a cycle, and the collector
    would otherwise walk all of them again every few thousand (a fifth of the parse time)."""

    @functools.wraps(parse)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return parse(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused
