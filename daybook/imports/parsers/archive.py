"""Reading a ZIP export safely: by name, in memory, never extracted, with size caps."""

import hashlib
import io
import zipfile

from daybook.imports.parsers.base import Limits, ParseError


def read_members(data: bytes, limits: Limits) -> tuple[dict[str, bytes], list[str]]:
    """Every member's bytes by name, and warnings. Names are only ever used as labels."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ParseError("The ZIP file is damaged or incomplete. Export it again.") from None
    if len(infos) > limits.max_members:
        raise ParseError("The ZIP file has more files in it than an export would.")
    if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
        raise ParseError("The ZIP file would be far too large once opened, so it was not opened.")
    members, warnings, total = {}, [], 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            warnings.append("A file in the ZIP had a name pointing outside it; it was left out.")
            continue
        try:
            with archive.open(info) as handle:
                content = handle.read(limits.max_uncompressed_bytes - total + 1)
        except (
            zipfile.BadZipFile,
            NotImplementedError,
            RuntimeError,
            EOFError,
            OSError,
            ValueError,
        ):
            raise ParseError(f"A file inside the ZIP could not be read ({name[:60]}).") from None
        total += len(content)
        if total > limits.max_uncompressed_bytes:
            raise ParseError(
                "The ZIP file would be far too large once opened, so it was not opened."
            )
        members[name] = content
    return members, warnings


def hashes(members: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in members.items()}
