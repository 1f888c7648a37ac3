"""Clean copies of evidence files, for a bundle that may be disclosed to the defence.

A clean copy must not say where a photo or recording was made or what device made it, and
its content (pixels, sound, moving picture, text) must be exactly the uploaded file's: media
are never decoded and re-encoded. Each format's own structure is walked and only the parts
known to be needed to show the content are kept. Anything that does not follow its format's
structure, or holds something that cannot be removed without touching the content, gives
None: the caller leaves that file out of what is disclosed and says so. The original file is
never altered.
"""

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Literal

__all__ = ["CLEANABLE", "clean_copy"]


class _CannotClean(Exception):
    """The file breaks its format's structure, or holds something that cannot be removed."""


def _require(condition: bool) -> None:
    if not condition:
        raise _CannotClean


def _u32be(data: bytes, at: int) -> int:
    _require(at + 4 <= len(data))
    return int.from_bytes(data[at : at + 4], "big")


def _u32le(data: bytes, at: int) -> int:
    _require(at + 4 <= len(data))
    return int.from_bytes(data[at : at + 4], "little")


# --- JPEG -------------------------------------------------------------------------------

_JPEG_SOI, _JPEG_EOI, _JPEG_SOS, _JPEG_COM = 0xD8, 0xD9, 0xDA, 0xFE
_JPEG_TEM = 0x01
_JPEG_RESTARTS = range(0xD0, 0xD8)
# Application segments that only say how to show the pixels. JFIF gives the pixel density,
# ICC_PROFILE the colours, and Adobe's says whether the channels are colour-transformed
# (without it a CMYK or RGB JPEG decodes to different colours).
_JPEG_KEPT_APPLICATION_SEGMENTS = {
    0xE0: b"JFIF\x00",
    0xE2: b"ICC_PROFILE\x00",
    0xEE: b"Adobe",
}
_EXIF_IDENTIFIER = b"Exif\x00\x00"
_EXIF_ORIENTATION_TAG = 0x0112
_TIFF_SHORT = 3


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation in an EXIF block's first directory, when it is there and valid."""
    order: Literal["little", "big"]
    if tiff[:2] == b"II":
        order = "little"
    elif tiff[:2] == b"MM":
        order = "big"
    else:
        return None
    if len(tiff) < 8:
        return None
    directory = int.from_bytes(tiff[4:8], order)
    if directory + 2 > len(tiff):
        return None
    count = int.from_bytes(tiff[directory : directory + 2], order)
    for entry in range(directory + 2, min(directory + 2 + 12 * count, len(tiff) - 11), 12):
        tag, kind, number = struct.unpack(
            "<HHI" if order == "little" else ">HHI", tiff[entry : entry + 8]
        )
        if tag == _EXIF_ORIENTATION_TAG and kind == _TIFF_SHORT and number == 1:
            value = int.from_bytes(tiff[entry + 8 : entry + 10], order)
            return value if 1 <= value <= 8 else None
    return None


def _orientation_only_exif(orientation: int) -> bytes:
    """An APP1 EXIF segment holding nothing but the photo's orientation: without it a phone
    photo taken upright is shown on its side, though not a pixel has changed."""
    tiff = (
        b"MM\x00\x2a"
        + struct.pack(">I", 8)
        + struct.pack(">H", 1)
        + struct.pack(">HHIHH", _EXIF_ORIENTATION_TAG, _TIFF_SHORT, 1, orientation, 0)
        + struct.pack(">I", 0)
    )
    payload = _EXIF_IDENTIFIER + tiff
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if 0xE0 <= marker <= 0xEF:
        identifier = _JPEG_KEPT_APPLICATION_SEGMENTS.get(marker)
        return identifier is not None and payload.startswith(identifier)
    return marker != _JPEG_COM


def _end_of_entropy_coded_data(data: bytes, pos: int) -> int:
    """Where the compressed pixels after a scan header end: at the next real marker."""
    while True:
        at = data.find(b"\xff", pos)
        _require(at != -1 and at + 1 < len(data))
        following = data[at + 1]
        # 0xFF 0x00 is a stuffed pixel byte and restart markers sit inside the scan.
        if following == 0x00 or following in _JPEG_RESTARTS:
            pos = at + 2
            continue
        return at


def _clean_jpeg(data: bytes) -> bytes:
    _require(data.startswith(b"\xff\xd8"))
    kept = [b"\xff\xd8"]
    pos = 2
    scanned = False
    oriented = False
    while True:
        _require(pos < len(data) and data[pos] == 0xFF)
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes may pad before any marker
            pos += 1
        _require(pos < len(data))
        marker = data[pos]
        pos += 1
        _require(marker not in (0x00, _JPEG_SOI))
        if marker == _JPEG_EOI:
            _require(scanned)
            kept.append(b"\xff\xd9")
            # Whatever follows the image (a phone's second picture or motion video, each with
            # its own metadata) is not part of it and is left out.
            return b"".join(kept)
        if marker == _JPEG_TEM or marker in _JPEG_RESTARTS:
            kept.append(bytes((0xFF, marker)))
            if marker in _JPEG_RESTARTS and scanned:
                end = _end_of_entropy_coded_data(data, pos)
                kept.append(data[pos:end])
                pos = end
            continue
        _require(pos + 2 <= len(data))
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        _require(length >= 2 and end <= len(data))
        payload = data[pos + 2 : end]
        if _keep_jpeg_segment(marker, payload):
            kept.append(bytes((0xFF, marker)) + data[pos:end])
        elif marker == 0xE1 and payload.startswith(_EXIF_IDENTIFIER) and not oriented:
            orientation = _exif_orientation(payload[len(_EXIF_IDENTIFIER) :])
            if orientation is not None:
                kept.append(_orientation_only_exif(orientation))
                oriented = True
        pos = end
        if marker == _JPEG_SOS:
            scanned = True
            end = _end_of_entropy_coded_data(data, pos)
            kept.append(data[pos:end])
            pos = end


# --- PNG --------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The chunks that make the picture and say how to show it (colour, transparency, pixel
# size, animation). Text, dates, EXIF and anything unknown are left out.
_PNG_KEPT_CHUNKS = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"IEND",
        b"tRNS",
        b"gAMA",
        b"cHRM",
        b"sRGB",
        b"iCCP",
        b"sBIT",
        b"bKGD",
        b"pHYs",
        b"cICP",
        b"mDCV",
        b"cLLI",
        b"acTL",
        b"fcTL",
        b"fdAT",
    }
)


def _clean_png(data: bytes) -> bytes:
    _require(data.startswith(_PNG_SIGNATURE))
    kept = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    first = True
    while True:
        length = _u32be(data, pos)
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        _require(length < 2**31 and end <= len(data) and len(kind) == 4 and kind.isalpha())
        _require(zlib.crc32(data[pos + 4 : end - 4]) == _u32be(data, end - 4))
        _require((kind == b"IHDR") == first)
        first = False
        if kind in _PNG_KEPT_CHUNKS:
            kept.append(data[pos:end])
        else:
            # A critical chunk (upper-case first letter) we do not know may be needed to show
            # the picture, so it cannot be dropped.
            _require(kind[:1].islower())
        pos = end
        if kind == b"IEND":
            return b"".join(kept)


# --- RIFF (WebP, WAV) ---------------------------------------------------------------------


def _riff_chunks(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, bytes]]:
    """Each chunk's four-character code and payload, between start and end."""
    pos = start
    while pos < end:
        _require(pos + 8 <= end)
        fourcc = data[pos : pos + 4]
        size = _u32le(data, pos + 4)
        payload_end = pos + 8 + size
        _require(payload_end <= end)
        yield fourcc, data[pos + 8 : payload_end]
        # Odd-sized chunks are padded to an even length; some writers omit the very last pad.
        pos = min(payload_end + (size & 1), end)


def _riff_chunk(fourcc: bytes, payload: bytes) -> bytes:
    padding = b"\x00" if len(payload) % 2 else b""
    return fourcc + len(payload).to_bytes(4, "little") + payload + padding


def _riff_body(data: bytes, form: bytes) -> tuple[int, int]:
    _require(len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == form)
    end = 8 + _u32le(data, 4)
    _require(end <= len(data))
    return 12, end


def _riff_file(form: bytes, chunks: list[bytes]) -> bytes:
    body = b"".join(chunks)
    return b"RIFF" + (4 + len(body)).to_bytes(4, "little") + form + body


_WEBP_IMAGE_CHUNKS = frozenset({b"VP8 ", b"VP8L", b"ALPH"})
_WEBP_KEPT_CHUNKS = _WEBP_IMAGE_CHUNKS | {b"VP8X", b"ICCP", b"ANIM", b"ANMF"}
_WEBP_EXIF_FLAG, _WEBP_XMP_FLAG = 0x08, 0x04
_WEBP_FRAME_HEADER_SIZE = 16


def _clean_webp(data: bytes) -> bytes:
    start, end = _riff_body(data, b"WEBP")
    kept = []
    has_image = False
    for fourcc, payload in _riff_chunks(data, start, end):
        if fourcc not in _WEBP_KEPT_CHUNKS:
            continue  # EXIF, XMP and chunks readers are told to ignore
        if fourcc == b"VP8X":
            _require(len(payload) >= 10)
            flags = payload[0] & ~(_WEBP_EXIF_FLAG | _WEBP_XMP_FLAG)
            payload = bytes((flags,)) + payload[1:]
        elif fourcc == b"ANMF":
            _require(len(payload) >= _WEBP_FRAME_HEADER_SIZE)
            frame_chunks = [
                _riff_chunk(inner, inner_payload)
                for inner, inner_payload in _riff_chunks(
                    payload, _WEBP_FRAME_HEADER_SIZE, len(payload)
                )
                if inner in _WEBP_IMAGE_CHUNKS
            ]
            _require(bool(frame_chunks))
            payload = payload[:_WEBP_FRAME_HEADER_SIZE] + b"".join(frame_chunks)
        has_image = has_image or fourcc in _WEBP_IMAGE_CHUNKS or fourcc == b"ANMF"
        kept.append(_riff_chunk(fourcc, payload))
    _require(has_image)
    return _riff_file(b"WEBP", kept)


_WAV_KEPT_CHUNKS = frozenset({b"fmt ", b"data", b"fact"})


def _clean_wav(data: bytes) -> bytes:
    start, end = _riff_body(data, b"WAVE")
    chunks = [
        (fourcc, payload)
        for fourcc, payload in _riff_chunks(data, start, end)
        if fourcc in _WAV_KEPT_CHUNKS
    ]
    kinds = [fourcc for fourcc, _ in chunks]
    _require(kinds.count(b"fmt ") == 1 and kinds.count(b"data") == 1)
    _require(kinds.index(b"fmt ") < kinds.index(b"data"))
    return _riff_file(b"WAVE", [_riff_chunk(fourcc, payload) for fourcc, payload in chunks])


# --- GIF --------------------------------------------------------------------------------

_GIF_IMAGE, _GIF_EXTENSION, _GIF_TRAILER = 0x2C, 0x21, 0x3B
_GIF_GRAPHIC_CONTROL, _GIF_PLAIN_TEXT, _GIF_APPLICATION = 0xF9, 0x01, 0xFF
# Looping (two names for the same thing) and the colour profile; XMP and the rest go.
_GIF_KEPT_APPLICATIONS = frozenset({b"NETSCAPE2.0", b"ANIMEXTS1.0", b"ICCRGBG1012"})


def _after_sub_blocks(data: bytes, pos: int) -> int:
    while True:
        _require(pos < len(data))
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size


def _colour_table_size(packed: int) -> int:
    return 3 << ((packed & 0x07) + 1) if packed & 0x80 else 0


def _keep_gif_extension(label: int, body: bytes) -> bool:
    if label in (_GIF_GRAPHIC_CONTROL, _GIF_PLAIN_TEXT):
        return True
    if label == _GIF_APPLICATION:
        return body[:1] == b"\x0b" and body[1:12] in _GIF_KEPT_APPLICATIONS
    return False  # comments, and extensions no reader needs


def _clean_gif(data: bytes) -> bytes:
    _require(data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 13)
    pos = 13 + _colour_table_size(data[10])
    _require(pos <= len(data))
    kept = [data[:pos]]
    has_image = False
    while True:
        _require(pos < len(data))
        introducer = data[pos]
        if introducer == _GIF_TRAILER:
            _require(has_image)
            kept.append(b";")
            return b"".join(kept)
        if introducer == _GIF_IMAGE:
            _require(pos + 11 <= len(data))
            # descriptor (10 bytes), local colour table, LZW code size, then the pixels
            end = pos + 10 + _colour_table_size(data[pos + 9]) + 1
            end = _after_sub_blocks(data, end)
            kept.append(data[pos:end])
            has_image = True
        elif introducer == _GIF_EXTENSION:
            _require(pos + 2 <= len(data))
            end = _after_sub_blocks(data, pos + 2)
            if _keep_gif_extension(data[pos + 1], data[pos + 2 : end]):
                kept.append(data[pos:end])
        else:
            raise _CannotClean
        pos = end


# --- ISO base media (MP4, MOV, 3GP, M4A) --------------------------------------------------

# Boxes a player needs at the top of the file; any other (meta, udta, uuid, vendors' own)
# is blanked.
_BMFF_KEPT_TOP_LEVEL = frozenset(
    {
        b"ftyp",
        b"moov",
        b"mdat",
        b"free",
        b"skip",
        b"wide",
        b"pdin",
        b"moof",
        b"mfra",
        b"styp",
        b"sidx",
        b"ssix",
        b"prft",
    }
)
_BMFF_METADATA = frozenset({b"udta", b"meta", b"uuid"})
_BMFF_DESCENDED = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"moof", b"traf"}
)
# Picture, sound and timecode. Any other track (GPS from action cameras and drones, phones'
# timed metadata, subtitles) keeps its samples among the media data, where they cannot be
# removed without moving the media, so such files are not cleaned.
_BMFF_PLAIN_TRACKS = frozenset({b"vide", b"soun", b"tmcd"})


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """Each box's type, where it starts, where its payload starts and where it ends."""
    pos = start
    while pos < end:
        size = _u32be(data, pos)
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            _require(pos + 16 <= end)
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if kind == b"uuid":
            header += 16
        _require(size >= header and pos + size <= end)
        yield kind, pos, pos + header, pos + size
        pos += size


def _blank_box(out: bytearray, start: int, end: int) -> None:
    """Overwrite a box with a free box of the same size, so no offset in the file moves."""
    size = end - start
    if size < 2**32:
        header = size.to_bytes(4, "big") + b"free"
    else:
        header = (1).to_bytes(4, "big") + b"free" + size.to_bytes(8, "big")
    out[start:end] = header + bytes(size - len(header))


def _track_handler(data: bytes, start: int, end: int) -> bytes:
    for kind, _, payload, box_end in _boxes(data, start, end):
        if kind == b"mdia":
            for inner, _, inner_payload, inner_end in _boxes(data, payload, box_end):
                if inner == b"hdlr":
                    _require(inner_payload + 12 <= inner_end)
                    return data[inner_payload + 8 : inner_payload + 12]
    raise _CannotClean


def _blank_handler_name(out: bytearray, payload: int, end: int) -> None:
    # After the handler type come QuickTime's manufacturer (ISO's reserved zeros) and the
    # name, which cameras and phones set to their own ("GoPro AVC", "DJI.AVC").
    _require(payload + 12 <= end)
    out[payload + 12 : end] = bytes(end - payload - 12)


def _blank_sample_entry_names(
    data: bytes, out: bytearray, payload: int, end: int, handler: bytes | None
) -> None:
    # A sample description holds QuickTime's vendor code (ISO's reserved zeros) and, for
    # video, the compressor's name, which cameras set to their own.
    for _, _, entry, entry_end in _boxes(data, payload + 8, end):
        if handler in (b"vide", b"soun"):
            _require(entry + 16 <= entry_end)
            out[entry + 12 : entry + 16] = bytes(4)
        if handler == b"vide":
            _require(entry + 74 <= entry_end)
            out[entry + 42 : entry + 74] = bytes(32)


def _clean_bmff_container(
    data: bytes, out: bytearray, start: int, end: int, handler: bytes | None
) -> None:
    for kind, box_start, payload, box_end in _boxes(data, start, end):
        if kind in _BMFF_METADATA:
            _blank_box(out, box_start, box_end)
        elif kind == b"trak":
            track_handler = _track_handler(data, payload, box_end)
            _require(track_handler in _BMFF_PLAIN_TRACKS)
            _clean_bmff_container(data, out, payload, box_end, track_handler)
        elif kind in _BMFF_DESCENDED:
            _clean_bmff_container(data, out, payload, box_end, handler)
        elif kind == b"hdlr":
            _blank_handler_name(out, payload, box_end)
        elif kind == b"stsd":
            _blank_sample_entry_names(data, out, payload, box_end, handler)


def _clean_bmff(data: bytes) -> bytes:
    out = bytearray(data)
    has_movie = False
    for kind, start, payload, end in _boxes(data, 0, len(data)):
        if kind in (b"moov", b"moof"):
            has_movie = has_movie or kind == b"moov"
            _clean_bmff_container(data, out, payload, end, None)
        elif kind not in _BMFF_KEPT_TOP_LEVEL:
            _blank_box(out, start, end)
    _require(has_movie)
    return bytes(out)


# --- MP3 --------------------------------------------------------------------------------

# kbit/s by (MPEG version is 1, layer) and bitrate index; MPEG 2 and 2.5 share a table.
_MP3_BITRATES: dict[tuple[bool, int], tuple[int, ...]] = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Hz by version bits (0 = MPEG 2.5, 2 = MPEG 2, 3 = MPEG 1) and sample rate index
_MP3_SAMPLE_RATES = {0: (11025, 12000, 8000), 2: (22050, 24000, 16000), 3: (44100, 48000, 32000)}
_ID3V2_HEADER_SIZE = 10
_ID3V1_SIZE, _ID3V1_ENHANCED_SIZE = 128, 227
_APE_FOOTER_SIZE = 32


def _mp3_frame_length(header: bytes) -> int:
    _require(len(header) == 4 and header[0] == 0xFF and header[1] & 0xE0 == 0xE0)
    version_bits = (header[1] >> 3) & 0x03
    layer = 4 - ((header[1] >> 1) & 0x03)
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    # Reserved values, and free-format streams whose frame length cannot be known
    _require(version_bits != 1 and layer != 4 and 0 < bitrate_index < 15 and rate_index < 3)
    is_mpeg1 = version_bits == 3
    bitrate = _MP3_BITRATES[(is_mpeg1, layer)][bitrate_index] * 1000
    sample_rate = _MP3_SAMPLE_RATES[version_bits][rate_index]
    padding = (header[2] >> 1) & 0x01
    if layer == 1:
        return (12 * bitrate // sample_rate + padding) * 4
    if layer == 3 and not is_mpeg1:
        return 72 * bitrate // sample_rate + padding
    return 144 * bitrate // sample_rate + padding


def _synchsafe(data: bytes) -> int:
    _require(len(data) == 4 and all(byte < 0x80 for byte in data))
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def _after_id3v2_tags(data: bytes) -> int:
    pos = 0
    while data[pos : pos + 3] == b"ID3":
        _require(pos + _ID3V2_HEADER_SIZE <= len(data) and data[pos + 3] in (2, 3, 4))
        has_footer = data[pos + 3] == 4 and data[pos + 5] & 0x10
        pos += _ID3V2_HEADER_SIZE + _synchsafe(data[pos + 6 : pos + 10])
        pos += _ID3V2_HEADER_SIZE if has_footer else 0
        _require(pos <= len(data))
        while pos < len(data) and data[pos] == 0:  # padding some writers leave after a tag
            pos += 1
    return pos


def _before_trailing_tags(data: bytes, start: int) -> int:
    end = len(data)
    while True:
        before = end
        if end - start >= _ID3V1_SIZE and data[end - _ID3V1_SIZE : end - 125] == b"TAG":
            end -= _ID3V1_SIZE
            enhanced = data[end - _ID3V1_ENHANCED_SIZE : end - _ID3V1_ENHANCED_SIZE + 4]
            if end - start >= _ID3V1_ENHANCED_SIZE and enhanced == b"TAG+":
                end -= _ID3V1_ENHANCED_SIZE
        footer = end - _APE_FOOTER_SIZE
        if footer >= start and data[footer : footer + 8] == b"APETAGEX":
            tag_size = _u32le(data, footer + 12)
            has_header = _u32le(data, footer + 20) & 0x80000000
            _require(tag_size >= _APE_FOOTER_SIZE)
            end -= tag_size + (_APE_FOOTER_SIZE if has_header else 0)
        footer = end - _ID3V2_HEADER_SIZE
        if footer >= start and data[footer : footer + 3] == b"3DI":  # ID3v2.4 at the end
            end -= 2 * _ID3V2_HEADER_SIZE + _synchsafe(data[end - 4 : end])
        if end - start >= 15 and data[end - 9 : end] == b"LYRICS200":
            digits = data[end - 15 : end - 9]
            _require(digits.isdigit())
            end -= int(digits) + 15
            _require(data[end : end + 11] == b"LYRICSBEGIN")
        _require(end >= start)
        if end == before:
            return end


def _clean_mp3(data: bytes) -> bytes:
    start = _after_id3v2_tags(data)
    end = _before_trailing_tags(data, start)
    # Every byte left must belong to an audio frame, so no other kind of tag survives.
    pos = start
    frames = 0
    while end - pos >= 4:
        pos += _mp3_frame_length(data[pos : pos + 4])
        frames += 1
    _require(frames > 0)
    # A recording cut off mid-frame keeps its last partial frame (pos is then past the end);
    # up to three stray bytes after the last frame are not sound and are left out.
    return data[start : min(pos, end)]


# --- AMR --------------------------------------------------------------------------------

_AMR_MAGIC, _AMR_WB_MAGIC = b"#!AMR\n", b"#!AMR-WB\n"
# Frame length with its header byte, by frame type; 0 marks types that must not occur.
_AMR_FRAME_LENGTHS = (13, 14, 16, 18, 20, 21, 27, 32, 6, 0, 0, 0, 0, 0, 0, 1)
_AMR_WB_FRAME_LENGTHS = (18, 24, 33, 37, 41, 47, 51, 59, 61, 6, 0, 0, 0, 0, 1, 1)


def _clean_amr(data: bytes) -> bytes:
    # The AMR file format is a magic line and speech frames: nothing else to remove. Walking
    # the frames proves that nothing else was put in.
    if data.startswith(_AMR_WB_MAGIC):
        pos, lengths = len(_AMR_WB_MAGIC), _AMR_WB_FRAME_LENGTHS
    else:
        _require(data.startswith(_AMR_MAGIC))
        pos, lengths = len(_AMR_MAGIC), _AMR_FRAME_LENGTHS
    while pos < len(data):
        header = data[pos]
        length = lengths[(header >> 3) & 0x0F]
        _require(header & 0x83 == 0 and length > 0)
        pos += length
    return data


# --- Word and OpenDocument text -----------------------------------------------------------

_DOCX_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b"<cp:coreProperties"
    b' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
_DOCX_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b"<Properties"
    b' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
_DOCX_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b"<Properties"
    b' xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
)
_DOCX_PROPERTIES = {
    "docProps/core.xml": _DOCX_CORE,
    "docProps/app.xml": _DOCX_APP,
    "docProps/custom.xml": _DOCX_CUSTOM,
}
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_ODF_OFFICE_NAMESPACE = b"urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODF_VERSION = re.compile(rb'office:version="([0-9.]{1,8})"')
# Decompressed size at which a document is treated as a zip bomb rather than evidence
_MAX_UNZIPPED_BYTES = 512 * 1024 * 1024


def _odf_minimal(root: bytes, child: bytes, original: bytes) -> bytes:
    """An empty meta.xml or settings.xml, claiming the same OpenDocument version."""
    version = _ODF_VERSION.search(original)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<office:'
        + root
        + b' xmlns:office="'
        + _ODF_OFFICE_NAMESPACE
        + b'" office:version="'
        + (version.group(1) if version else b"1.2")
        + b'">'
        + child
        + b"</office:"
        + root
        + b">"
    )


def _clean_embedded(content: bytes) -> bytes:
    """A picture inside a document is cleaned like an uploaded one; other media are refused,
    since they carry metadata of their own (a photo's TIFF GPS, a video's location)."""
    if content.startswith(b"\xff\xd8\xff"):
        return _clean_jpeg(content)
    if content.startswith(_PNG_SIGNATURE):
        return _clean_png(content)
    if content.startswith((b"GIF87a", b"GIF89a")):
        return _clean_gif(content)
    if content.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return _clean_webp(content)
    refused_starts = (
        b"II*\x00",  # TIFF
        b"MM\x00*",
        b"\xd0\xcf\x11\xe0",  # OLE: an embedded Word or Excel file and its summary
        b"PK\x03\x04",  # another package with properties of its own
        b"%PDF",
        b"ID3",
        b"RIFF",
        b"\x1a\x45\xdf\xa3",  # Matroska and WebM
        b"OggS",
    )
    _require(not content.startswith(refused_starts) and content[4:8] != b"ftyp")
    return content


def _rewrite_zip(data: bytes, replace: Callable[[int, zipfile.ZipInfo, bytes], bytes]) -> bytes:
    """The same package with each member's content passed through replace, in order, with
    each member's name, time and compression; extra fields and comments are left out."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = source.infolist()
        names = [member.filename for member in members]
        # Two members with one name would let a reader show one and us clean the other.
        _require(len(set(names)) == len(names))
        _require(sum(member.file_size for member in members) <= _MAX_UNZIPPED_BYTES)
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w") as target:
            for index, member in enumerate(members):
                _require(not member.flag_bits & 0x01)  # encrypted
                _require(member.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED))
                content = replace(index, member, source.read(member))
                copy = zipfile.ZipInfo(member.filename, date_time=member.date_time)
                copy.compress_type = member.compress_type
                copy.external_attr = member.external_attr
                target.writestr(copy, content)
    return output.getvalue()


def _clean_docx(data: bytes) -> bytes:
    def replace(index: int, member: zipfile.ZipInfo, content: bytes) -> bytes:
        if member.filename in _DOCX_PROPERTIES:
            return _DOCX_PROPERTIES[member.filename]
        _require(not member.filename.startswith("word/embeddings/"))
        return _clean_embedded(content)

    cleaned = _rewrite_zip(data, replace)
    with zipfile.ZipFile(io.BytesIO(cleaned)) as check:
        names = set(check.namelist())
    _require({"[Content_Types].xml", "word/document.xml"} <= names)
    return cleaned


def _clean_odt(data: bytes) -> bytes:
    def replace(index: int, member: zipfile.ZipInfo, content: bytes) -> bytes:
        name = member.filename
        if index == 0:
            # The format is named by an uncompressed first member, which readers look for.
            _require(name == "mimetype" and content == _ODT_MIMETYPE)
            _require(member.compress_type == zipfile.ZIP_STORED)
            return content
        if name == "meta.xml" or name.endswith("/meta.xml"):
            return _odf_minimal(b"document-meta", b"<office:meta/>", content)
        if name == "settings.xml":  # names the printer and its driver setup
            return _odf_minimal(b"document-settings", b"", content)
        return _clean_embedded(content)

    cleaned = _rewrite_zip(data, replace)
    with zipfile.ZipFile(io.BytesIO(cleaned)) as check:
        names = check.namelist()
    _require(bool(names) and names[0] == "mimetype" and "content.xml" in names)
    return cleaned


def _unchanged(data: bytes) -> bytes:
    return data


_CLEANERS: dict[str, Callable[[bytes], bytes]] = {
    "image/jpeg": _clean_jpeg,
    "image/png": _clean_png,
    "image/webp": _clean_webp,
    "image/gif": _clean_gif,
    "video/mp4": _clean_bmff,
    "video/quicktime": _clean_bmff,
    "video/3gpp": _clean_bmff,
    "audio/mp4": _clean_bmff,
    "audio/mpeg": _clean_mp3,
    "audio/x-wav": _clean_wav,
    "audio/amr": _clean_amr,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _clean_docx,
    "application/vnd.oasis.opendocument.text": _clean_odt,
    "text/plain": _unchanged,
}
# Not here, so never disclosed: HEIC (its location sits in the same metadata box as the
# picture's own structure), Ogg and WebM (tags inside the stream), PDF (reading one safely
# needs a PDF library that is not installed in production, and old revisions stay in the
# file) and .doc (a binary format with summary properties).
CLEANABLE: frozenset[str] = frozenset(_CLEANERS)

_MALFORMED_ERRORS = (
    _CannotClean,
    ValueError,
    IndexError,
    KeyError,
    OverflowError,
    EOFError,
    OSError,
    RuntimeError,  # zipfile's "password required" and unsupported compression
    struct.error,
    zlib.error,
    zipfile.BadZipFile,
)


def clean_copy(data: bytes, content_type: str) -> bytes | None:
    """A copy of an evidence file with location and device metadata removed, or None when
    this kind of file cannot be cleaned safely (the caller then leaves it out of anything
    disclosed and says so)."""
    cleaner = _CLEANERS.get(content_type)
    if cleaner is None:
        return None
    try:
        return cleaner(data)
    except _MALFORMED_ERRORS:
        return None
