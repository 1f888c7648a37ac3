"""Reading a ZIP export safely: by name, never extracted, one member at a time, within caps.

An export's ZIP is the victim's own phone's work, but a file sent to them, or made to look
like an export, may be built to harm whoever opens it. So the archive's directory is checked
before a single byte is inflated: a name that could point outside the archive (a "..", an
absolute path, a drive letter, a backslash), a symbolic link, a name given twice, a password,
more members than an export has, or declared sizes that would make it a "ZIP bomb" are
refused with a message saying which. Declared sizes can lie, so inflating is counted as well,
and stops at the cap.

Nothing here holds more than one member in memory: a chat is read whole (it is parsed whole,
up to `MAX_CHAT_BYTES`), media are hashed in chunks and let go, and the import later asks for
one attachment at a time, only if it is small enough to be kept as evidence.
"""

import hashlib
import io
import re
import stat
import zipfile
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Self

from daybook.imports.parsers.base import Limits, ParseError

# The upload, whole in memory or as a file open for reading in binary (it is only read).
Upload = bytes | IO[bytes]

CHUNK_BYTES = 1 << 20  # what is inflated at a time, so no more than this is held per read
MAX_CHAT_BYTES = 200_000_000  # a chat's text or JSON is parsed whole, so it is capped
MAX_EXPANSION_RATIO = 100  # export text inflates about tenfold, photos and videos not at all
RATIO_CHECKED_FROM_BYTES = 10_000_000  # small members may compress very well, harmlessly
DAMAGED = "The ZIP file is damaged or incomplete. Export it again."
TOO_LARGE = "The ZIP file would be far too large once opened, so it was not opened."
_DRIVE = re.compile(r"^[A-Za-z]:")
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
)


def _label(name: str) -> str:
    """A member's name as it can be shown in a message: short, and printable."""
    shown = "".join(char if char.isprintable() else "?" for char in name[:60])
    return f"“{shown}”" if len(name) <= 60 else f"“{shown}…”"


def _refuse_unsafe_name(name: str) -> None:
    """A name that, if anything ever did write it to disk, could land outside the archive."""
    parts = name.split("/")
    if "\\" in name:
        problem = "uses a backslash in its name, which could point outside the ZIP"
    elif name.startswith("/") or _DRIVE.match(name):
        problem = "has a name that points to a place on a computer, outside the ZIP"
    elif ".." in parts:
        problem = "has a name with “..” in it, which points outside the ZIP"
    else:
        return
    raise ParseError(
        f"The ZIP file was not opened: a file in it, {_label(name)}, {problem}. "
        "A phone's export never does this, so this ZIP may not be the export it seems. "
        "Export the chat again from the phone."
    )


def _is_symbolic_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


class Archive:
    """An open ZIP export whose directory has been checked; its members are read by name."""

    def __init__(self, opened: zipfile.ZipFile, archive_bytes: int, limits: Limits) -> None:
        self._zip, self._limits = opened, limits
        self._inflated = 0  # across every member read, against limits.max_uncompressed_bytes
        self._files = self._checked(opened.infolist(), archive_bytes)

    def _checked(
        self, infos: list[zipfile.ZipInfo], archive_bytes: int
    ) -> dict[str, zipfile.ZipInfo]:
        if len(infos) > self._limits.max_members:
            raise ParseError("The ZIP file has more files in it than an export would.")
        files: dict[str, zipfile.ZipInfo] = {}
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            _refuse_unsafe_name(name)
            if _is_symbolic_link(info):
                raise ParseError(
                    f"The ZIP file was not opened: {_label(name)} in it is a link to another "
                    "place, not a file. A phone's export never has links. "
                    "Export the chat again from the phone."
                )
            if name in seen:
                raise ParseError(
                    f"The ZIP file was not opened: it holds two files called {_label(name)}, "
                    "so which one is the evidence cannot be told. "
                    "Export the chat again from the phone."
                )
            seen.add(name)
            if info.flag_bits & 0x1:
                raise ParseError(
                    "The ZIP file is protected with a password. Export it again without one."
                )
            if info.compress_size > archive_bytes:
                raise ParseError(DAMAGED)
            if info.file_size > RATIO_CHECKED_FROM_BYTES and info.file_size > (
                MAX_EXPANSION_RATIO * max(info.compress_size, 1)
            ):
                raise ParseError(
                    f"The ZIP file was not opened: {_label(name)} in it would grow more than "
                    f"{MAX_EXPANSION_RATIO} times once opened, which no real photo, video or "
                    "chat does. It may have been made to overload whatever opens it."
                )
            if not info.is_dir():
                files[name] = info
        declared = sum(info.file_size for info in files.values())
        if declared > self._limits.max_uncompressed_bytes:
            raise ParseError(TOO_LARGE)
        compressed = sum(info.compress_size for info in files.values())
        if declared > RATIO_CHECKED_FROM_BYTES and declared > MAX_EXPANSION_RATIO * max(
            compressed, 1
        ):
            raise ParseError(
                f"The ZIP file was not opened: its files would grow more than "
                f"{MAX_EXPANSION_RATIO} times once opened, which no real export does. "
                "It may have been made to overload whatever opens it."
            )
        return files

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes the ZIP reader; a file given to `open_archive` stays open for its owner."""
        self._zip.close()

    @property
    def names(self) -> list[str]:
        """Every file's name (folders left out), in the archive's order. Only ever labels."""
        return list(self._files)

    def size(self, name: str) -> int:
        """The size the archive declares for a member; reading never goes beyond it."""
        return self._files[name].file_size

    def _chunks(self, name: str, cap: int, too_large: str) -> Iterator[bytes]:
        """A member's bytes, a chunk at a time. Stops and refuses at `cap`, at the size the
        archive declared (a member holding more than it declares is not the file it says it
        is) and at the archive's total, whatever the headers claim."""
        info = self._files[name]
        read = 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    read += len(chunk)
                    self._inflated += len(chunk)
                    if read > cap:
                        raise ParseError(too_large)
                    if read > info.file_size:
                        raise ParseError(DAMAGED)
                    if self._inflated > self._limits.max_uncompressed_bytes:
                        raise ParseError(TOO_LARGE)
                    yield chunk
        except _UNREADABLE:
            unreadable = f"A file inside the ZIP could not be read ({_label(name)})."
            raise ParseError(unreadable) from None

    def read(self, name: str, *, cap: int | None = None) -> bytes:
        """A member whole, for the chat a parser reads. Refused over `cap` (MAX_CHAT_BYTES
        unless given) before inflating it when the archive says so, and while inflating it
        when the archive lied."""
        cap = MAX_CHAT_BYTES if cap is None else cap
        too_large = (
            f"The chat {_label(name)} in the ZIP file is larger than Daybook can read "
            f"({cap // 1_000_000} MB at most). Export a shorter chat, or split it."
        )
        if self.size(name) > cap:
            raise ParseError(too_large)
        return b"".join(self._chunks(name, cap, too_large))

    def digest(self, name: str) -> tuple[int, str]:
        """A member's size and SHA-256, read in chunks that are let go as soon as hashed."""
        hasher, size = hashlib.sha256(), 0
        for chunk in self._chunks(name, self.size(name), DAMAGED):
            hasher.update(chunk)
            size += len(chunk)
        return size, hasher.hexdigest()

    def read_within(self, name: str, cap: int) -> bytes | None:
        """A member whole if it is no larger than `cap`, else None without inflating it: for
        keeping an attachment as evidence, which has a size limit of its own."""
        if self.size(name) > cap:
            return None
        return self.read(name, cap=cap)


def _archive_bytes(upload: IO[bytes]) -> int:
    position = upload.seek(0, io.SEEK_END)
    upload.seek(0)
    return position


def open_archive(upload: Upload, limits: Limits) -> Archive:
    """The upload as an Archive whose directory has passed every check, or a ParseError.
    Nothing is inflated yet. Close it (or use it in a `with`) once done with it."""
    handle: IO[bytes] = io.BytesIO(upload) if isinstance(upload, bytes) else upload
    try:
        archive_bytes = _archive_bytes(handle)
        opened = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ParseError(DAMAGED) from None
    try:
        return Archive(opened, archive_bytes, limits)
    except BaseException:
        opened.close()
        raise


class ArchiveFiles:
    """An archive's files, found by the name an export gives them: the whole path inside the
    archive, or its end (Messenger names media from a folder inside the archive, WhatsApp by
    file name alone). A name that fits two files finds neither: a wrong exhibit would be worse
    than a missing one, whose name stays in the entry's source.

    Only names are kept; a file is inflated when it is asked for, one at a time, and only if
    it is no larger than `max_bytes` (the evidence size limit). A larger one stays listed in
    `too_large`, so the import can say it was not kept, and is never read."""

    def __init__(self, archive: Archive | None, max_bytes: int) -> None:
        self._archive, self._max_bytes = archive, max_bytes
        self._by_ending: dict[str, list[str]] = {}
        self.too_large: list[str] = []
        for path in archive.names if archive is not None else []:
            parts = path.split("/")
            for start in range(len(parts)):
                self._by_ending.setdefault("/".join(parts[start:]), []).append(path)

    def find(self, name: str) -> bytes | None:
        found = self._by_ending.get(name.lstrip("/"), [])
        if self._archive is None or len(found) != 1:
            return None
        content = self._archive.read_within(found[0], self._max_bytes)
        if content is None and found[0] not in self.too_large:
            self.too_large.append(found[0])
        return content
