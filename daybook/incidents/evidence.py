"""Checking an uploaded evidence file before anything is stored.

The file's own bytes decide what it is (never its name or the browser's claim), and only
kinds on the allow-list are kept. The file itself is never altered; EXIF date and location
are read for display only.
"""

import datetime as dt
import hashlib
import io
import unicodedata
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

# sniffed type -> (what to call it, file name endings it may have)
ALLOWED: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/jpeg": ("a JPEG photo", (".jpg", ".jpeg", ".jfif")),
    "image/png": ("a PNG image", (".png",)),
    "image/gif": ("a GIF image", (".gif",)),
    "image/webp": ("a WebP image", (".webp",)),
    "image/heic": ("a HEIC photo", (".heic", ".heif")),
    "audio/mpeg": ("an MP3 recording", (".mp3",)),
    "audio/mp4": ("an M4A recording", (".m4a", ".mp4", ".aac")),
    "audio/ogg": ("an Ogg recording", (".ogg", ".oga", ".opus")),
    "audio/x-wav": ("a WAV recording", (".wav",)),
    "audio/amr": ("an AMR recording", (".amr",)),
    "video/mp4": ("an MP4 video", (".mp4", ".m4v")),
    "video/quicktime": ("a QuickTime video", (".mov", ".qt")),
    "video/3gpp": ("a 3GP video", (".3gp",)),
    "video/webm": ("a WebM video", (".webm",)),
    "application/pdf": ("a PDF document", (".pdf",)),
    "application/msword": ("a Word document", (".doc",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "a Word document",
        (".docx",),
    ),
    "application/vnd.oasis.opendocument.text": ("an OpenDocument text", (".odt",)),
    "text/plain": ("a plain text file", (".txt", ".text", ".log")),
}
PREVIEWABLE = {"image/jpeg", "image/png", "image/gif", "image/webp"}
_FORBIDDEN_NAME_CHARACTERS = set('/\\:*?"<>|')


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    size: int
    content_type: str
    sha256: str
    exif: dict[str, Any]


def max_bytes() -> int:
    return settings.DAYBOOK_EVIDENCE_MAX_BYTES


def _check_name(name: str) -> str:
    if not name or len(name) > 200:
        raise ValidationError(
            "The file name must be between 1 and 200 characters. Rename it and try again."
        )
    if any(char in _FORBIDDEN_NAME_CHARACTERS for char in name) or name.startswith("."):
        raise ValidationError(
            'The file name contains characters that are not allowed, such as / \\ : * ? " < > |. '
            "Rename it and try again."
        )
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") for char in name):
        raise ValidationError(
            "The file name contains hidden or control characters. Rename it and try again."
        )
    return name


def _sniff(data: bytes) -> str | None:
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return kind.mime
    if b"\x00" in data[:8192]:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Markup is never accepted as "text": it could be rendered by something downstream.
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script")):
        return None
    return "text/plain"


def _exif(data: bytes) -> dict[str, Any]:
    """Date taken and GPS position, when the photo carries them."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            taken = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)
            gps = exif.get_ifd(0x8825)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return {}
    found: dict[str, Any] = {}
    if taken:
        found["taken"] = str(taken).strip("\x00 ")
    try:
        if gps and 2 in gps and 4 in gps:
            lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
            lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
            found["location"] = [round(lat, 6), round(lon, 6)]
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return found


def taken_display(raw: str) -> str:
    """A photo's EXIF date ("2026:11:21 22:04:10", the camera's own clock, with no zone) as
    people write it: "21 November 2026 at 22:04". Anything unreadable is shown as it is, so
    the photo's own claim is never lost or replaced."""
    text = raw.strip("\x00 ")
    for pattern in ("%Y:%m:%d %H:%M:%S", "%Y:%m:%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d"):
        try:
            moment = dt.datetime.strptime(text, pattern)  # noqa: DTZ007 - EXIF has no zone
        except ValueError:
            continue
        day = f"{moment.day} {moment:%B %Y}"
        return day if pattern == "%Y:%m:%d" else f"{day} at {moment:%H:%M}"
    return text


def _degrees(value: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    return degrees + minutes / 60 + seconds / 3600


def check_upload(name: str, data: bytes) -> CheckedFile:
    """Validate an upload; raise ValidationError with a kind message saying what is wrong."""
    name = _check_name(name)
    if not data:
        raise ValidationError("The file is empty. Choose the file again, or a different one.")
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError(
            f"The file is {len(data) / 1_000_000:.1f} MB. Files must be smaller than "
            f"{limit / 1_000_000:.0f} MB."
        )
    content_type = _sniff(data)
    if content_type not in ALLOWED:
        raise ValidationError(
            "This kind of file cannot be added. Add photos, screenshots, recordings, videos, "
            "PDFs, Word documents or plain text files."
        )
    description, endings = ALLOWED[content_type]
    if "." in name and not name.lower().endswith(endings):
        raise ValidationError(
            f"The file is called “{name}” but it is {description}. "
            "It may have been renamed. Check it is the right file."
        )
    return CheckedFile(
        name=name,
        data=data,
        size=len(data),
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        exif=_exif(data) if content_type.startswith("image/") else {},
    )


def preview_jpeg(data: bytes, content_type: str) -> bytes | None:
    """A re-encoded, downscaled JPEG of a raster image, or None. Nothing else is previewed."""
    if content_type not in PREVIEWABLE:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((1000, 1000))
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=80)
            return output.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
