"""Clean copies for disclosure: no location or device left, not a pixel or sample changed."""

import io
import random
import struct
import wave
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, PngImagePlugin

from daybook.incidents.derivatives import CLEANABLE, clean_copy
from daybook.incidents.evidence import ALLOWED

GPS_TEXT = "51 deg 30' 26.64\" N Acacia Avenue"
MAKE = "Pixelphone"
MODEL = "Pixelphone X9 Pro"
CREATOR = "Jane Q. Harasser"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    f'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSAreaInformation='
    f'"{GPS_TEXT}"/></rdf:RDF></x:xmpmeta>'
)
LEAKS = (GPS_TEXT.encode(), MAKE.encode(), b"Acacia", b"GPS")


def assert_no_leaks(data: bytes) -> None:
    for marker in LEAKS:
        assert marker not in data, marker


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[0x0132] = "2026:10:02 21:31:05"
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x8825] = {
        1: "N",
        2: (51.0, 30.0, 26.64),
        3: "W",
        4: (0.0, 7.0, 30.0),
        0x1C: GPS_TEXT.encode(),  # GPSAreaInformation
    }
    return exif


def picture(mode: str = "RGB", size: tuple[int, int] = (64, 48), seed: int = 7) -> Image.Image:
    """A picture with real detail, so a change to any decoded pixel would show."""
    rng = random.Random(seed)
    image = Image.new(mode, size)
    bands = len(image.getbands())
    image.frombytes(bytes(rng.randrange(256) for _ in range(size[0] * size[1] * bands)))
    return image


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes, int]:
    with Image.open(io.BytesIO(data)) as image:
        frames = getattr(image, "n_frames", 1)
        image.load()
        return image.mode, image.size, image.tobytes(), frames


def all_frames(data: bytes) -> list[bytes]:
    with Image.open(io.BytesIO(data)) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(image.convert("RGBA").tobytes())
        return frames


def truncations(data: bytes) -> list[bytes]:
    cuts = {1, 2, 3, 7, 12, 20, len(data) // 4, len(data) // 2, len(data) * 3 // 4}
    cuts |= {len(data) - 1, len(data) - 2, len(data) - 5}
    return [data[:cut] for cut in sorted(cuts) if 0 < cut < len(data)]


# --- JPEG -------------------------------------------------------------------------------

SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg(**options: object) -> bytes:
    buffer = io.BytesIO()
    picture().save(
        buffer,
        format="JPEG",
        exif=gps_exif(options.pop("orientation", None)),
        xmp=XMP.encode(),
        comment=f"Taken on my {MODEL}",
        icc_profile=SRGB_ICC,
        **options,
    )
    return buffer.getvalue()


def segments_before_scan(data: bytes) -> list[tuple[int, bytes]]:
    found = []
    pos = 2
    while data[pos + 1] != 0xDA:
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        found.append((marker, data[pos + 4 : pos + 2 + length]))
        pos += 2 + length
    return found


@pytest.mark.parametrize(
    "options",
    [{}, {"progressive": True}, {"restart_marker_blocks": 1}, {"subsampling": 0}],
    ids=["baseline", "progressive", "restart-markers", "no-subsampling"],
)
def test_jpeg_loses_exif_xmp_and_comment_but_not_a_pixel(options: dict[str, object]) -> None:
    original = jpeg(**options)
    assert MAKE.encode() in original and GPS_TEXT.encode() in original
    assert b"Taken on my" in original and b"http://ns.adobe.com/xap/1.0/" in original

    cleaned = clean_copy(original, "image/jpeg")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    assert MODEL.encode() not in cleaned
    assert b"http://ns.adobe.com/xap/1.0/" not in cleaned
    assert pixels(cleaned) == pixels(original)
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.info.get("icc_profile") == SRGB_ICC  # colours shown as before
        assert not image.getexif()
        assert "comment" not in image.info
    kinds = [marker for marker, _ in segments_before_scan(cleaned)]
    assert 0xE1 not in kinds and 0xFE not in kinds
    assert kinds[0] == 0xE0  # JFIF stays first


def test_jpeg_keeps_only_the_orientation_from_exif() -> None:
    original = jpeg(orientation=6)

    cleaned = clean_copy(original, "image/jpeg")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    with Image.open(io.BytesIO(cleaned)) as image:
        assert dict(image.getexif()) == {0x0112: 6}
        assert not image.getexif().get_ifd(0x8825)
    assert pixels(cleaned) == pixels(original)


def test_jpeg_fill_bytes_are_walked_and_trailing_data_is_left_out() -> None:
    original = jpeg()
    # Fill bytes before a marker are legal; a phone's appended second picture or video is not
    # part of the photo and carries metadata of its own.
    padded = original[:2] + b"\xff\xff\xff" + original[2:] + b"MotionPhoto GPS Acacia"

    cleaned = clean_copy(padded, "image/jpeg")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    assert cleaned.endswith(b"\xff\xd9")
    assert pixels(cleaned) == pixels(original)


def test_jpeg_drops_other_application_segments() -> None:
    original = jpeg()
    photoshop = b"Photoshop 3.0\x00" + b"8BIM" + GPS_TEXT.encode()
    app13 = b"\xff\xed" + (len(photoshop) + 2).to_bytes(2, "big") + photoshop
    injected = original[:2] + app13 + original[2:]

    cleaned = clean_copy(injected, "image/jpeg")

    assert cleaned is not None
    assert b"Photoshop 3.0" not in cleaned
    assert_no_leaks(cleaned)
    assert pixels(cleaned) == pixels(original)


# --- PNG --------------------------------------------------------------------------------


def png(**options: object) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", GPS_TEXT)
    info.add_text("Software", MAKE, zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP)
    info.add(b"tIME", bytes.fromhex("07EA0A02151F05"))
    buffer = io.BytesIO()
    picture(**options).save(buffer, format="PNG", pnginfo=info, exif=gps_exif())
    return buffer.getvalue()


def png_chunk_kinds(data: bytes) -> list[bytes]:
    kinds, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return kinds


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P"])
def test_png_keeps_only_the_picture_chunks(mode: str) -> None:
    original = png(mode=mode)
    assert {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"} <= set(png_chunk_kinds(original))

    cleaned = clean_copy(original, "image/png")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    assert b"Location" not in cleaned
    assert set(png_chunk_kinds(cleaned)) <= {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS"}
    assert pixels(cleaned) == pixels(original)
    with Image.open(io.BytesIO(cleaned)) as image:
        image.verify()  # every chunk's CRC


def test_png_with_a_bad_crc_or_unknown_critical_chunk_is_not_cleaned() -> None:
    original = png()
    broken = bytearray(original)
    broken[29] ^= 0xFF  # IHDR's CRC
    unknown_critical = original[:33] + b"\x00\x00\x00\x00CgBI\x00\x00\x00\x00" + original[33:]
    assert clean_copy(bytes(broken), "image/png") is None
    assert clean_copy(unknown_critical, "image/png") is None


# --- WebP -------------------------------------------------------------------------------


def webp(frames: int = 1, **options: object) -> bytes:
    buffer = io.BytesIO()
    images = [picture("RGBA", seed=seed) for seed in range(frames)]
    images[0].save(
        buffer,
        format="WEBP",
        exif=gps_exif(),
        xmp=XMP.encode(),
        save_all=frames > 1,
        append_images=images[1:],
        **options,
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    "original",
    [webp(lossless=True), webp(quality=80), webp(frames=3, lossless=True)],
    ids=["lossless", "lossy-with-alpha", "animated"],
)
def test_webp_loses_exif_and_xmp_and_its_flags(original: bytes) -> None:
    assert b"EXIF" in original and b"XMP " in original and MAKE.encode() in original
    assert (b"ANMF" in original) == (len(all_frames(original)) > 1)

    cleaned = clean_copy(original, "image/webp")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    assert b"EXIF" not in cleaned and b"XMP " not in cleaned
    assert int.from_bytes(cleaned[4:8], "little") == len(cleaned) - 8
    assert cleaned[12:16] == b"VP8X"
    assert cleaned[20] & 0x0C == 0  # no reader is told to look for EXIF or XMP
    assert all_frames(cleaned) == all_frames(original)
    assert pixels(cleaned) == pixels(original)


# --- GIF --------------------------------------------------------------------------------


def gif() -> bytes:
    frames = [picture("P", (32, 24), seed) for seed in range(3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        loop=0,
        duration=100,
        comment=f"{MODEL} {GPS_TEXT}",
    )
    data = buffer.getvalue()
    xmp_blocks = b"".join(
        bytes((len(part),)) + part
        for part in (XMP.encode()[i : i + 255] for i in range(0, len(XMP), 255))
    )
    xmp_extension = b"\x21\xff\x0bXMP DataXMP" + xmp_blocks + b"\x00"
    return data[:-1] + xmp_extension + b";"


def test_gif_loses_comments_and_xmp_but_keeps_looping_and_frames() -> None:
    original = gif()
    assert b"\x21\xfe" in original and b"XMP DataXMP" in original

    cleaned = clean_copy(original, "image/gif")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    assert b"XMP DataXMP" not in cleaned and MODEL.encode() not in cleaned
    assert b"NETSCAPE2.0" in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.info.get("loop") == 0
        assert "comment" not in image.info
    assert all_frames(cleaned) == all_frames(original)
    assert pixels(cleaned) == pixels(original)


# --- MP4 and relatives ------------------------------------------------------------------


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full_box(kind: bytes, payload: bytes) -> bytes:
    return box(kind, b"\x00\x00\x00\x00" + payload)


def handler(kind: bytes, name: bytes) -> bytes:
    return full_box(b"hdlr", b"\x00" * 4 + kind + b"appl" + b"\x00" * 8 + name + b"\x00")


def video_sample_entry() -> bytes:
    compressor = bytes((len(b"Pixelphone AVC"),)) + b"Pixelphone AVC"
    payload = (
        b"\x00" * 6
        + b"\x00\x01"  # data reference index
        + b"\x00" * 4
        + b"appl"  # QuickTime's vendor
        + b"\x00" * 8
        + struct.pack(">HH", 32, 24)
        + struct.pack(">II", 0x00480000, 0x00480000)
        + b"\x00" * 4
        + struct.pack(">H", 1)
        + compressor.ljust(32, b"\x00")
        + struct.pack(">Hh", 24, -1)
        + box(b"avcC", b"\x01\x64\x00\x1f\xff\xe1")
    )
    return box(b"avc1", payload)


def track(handler_kind: bytes, chunk_offset: int) -> bytes:
    stbl = box(
        b"stbl",
        full_box(b"stsd", struct.pack(">I", 1) + video_sample_entry())
        + full_box(b"stts", struct.pack(">III", 1, 1, 1000))
        + full_box(b"stsc", struct.pack(">IIII", 1, 1, 1, 1))
        + full_box(b"stsz", struct.pack(">III", 0, 1, 64))
        + full_box(b"stco", struct.pack(">II", 1, chunk_offset)),
    )
    minf = box(
        b"minf",
        full_box(b"vmhd", b"\x00" * 8)
        + box(b"dinf", full_box(b"dref", struct.pack(">I", 1) + full_box(b"url ", b"")))
        + stbl,
    )
    mdia = box(
        b"mdia",
        full_box(b"mdhd", b"\x00" * 20) + handler(handler_kind, f"{MAKE} AVC".encode()) + minf,
    )
    udta = box(b"udta", box(b"\xa9mod", MODEL.encode()))
    meta = full_box(b"meta", handler(b"mdta", b"") + box(b"keys", b"com.apple.quicktime.make"))
    return box(
        b"trak",
        full_box(b"tkhd", b"\x00" * 80)
        + box(b"edts", full_box(b"elst", b"\x00" * 4))
        + mdia
        # A track of its own metadata, as some cameras write
        + udta
        + meta,
    )


MEDIA = bytes(range(256)) * 4


def mp4(
    handler_kind: bytes = b"vide", large_mdat: bool = False, mdat_to_end: bool = False
) -> bytes:
    ftyp = box(b"ftyp", b"isom\x00\x00\x02\x00isommp42")
    xmp_uuid = box(b"uuid", bytes.fromhex("be7acfcb97a942e89c71999491e3afac") + XMP.encode())
    top_meta = full_box(b"meta", handler(b"mdir", b"") + box(b"ilst", GPS_TEXT.encode()))

    def movie(chunk_offset: int) -> bytes:
        udta = box(
            b"udta",
            box(b"\xa9xyz", b"\x00\x11\x15\xc7+51.5074-000.1278/")
            + box(b"\xa9mak", MAKE.encode())
            + box(b"\xa9mod", MODEL.encode()),
        )
        meta = full_box(
            b"meta",
            handler(b"mdta", b"")
            + box(b"keys", b"com.apple.quicktime.location.ISO6709")
            + box(b"ilst", GPS_TEXT.encode()),
        )
        mvhd = full_box(b"mvhd", b"\x00" * 96)
        return box(b"moov", mvhd + track(handler_kind, chunk_offset) + udta + meta)

    if large_mdat:
        mdat_header = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 16 + len(MEDIA))
    elif mdat_to_end:
        mdat_header = struct.pack(">I", 0) + b"mdat"
    else:
        mdat_header = struct.pack(">I", 8 + len(MEDIA)) + b"mdat"
    head = ftyp + xmp_uuid + top_meta
    offset = len(head) + len(movie(0)) + len(mdat_header)
    return head + movie(offset) + mdat_header + MEDIA


def box_layout(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Where every box is, descending through the boxes that hold others."""
    end = len(data) if end is None else end
    found, pos = [], start
    while pos < end:
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = end - pos
        found.append((pos, size))
        if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"):
            found += box_layout(data, pos + header, pos + size)
        pos += size
    return found


def top_level_kinds(data: bytes) -> list[bytes]:
    kinds, pos = [], 0
    while pos < len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kinds.append(data[pos + 4 : pos + 8])
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        pos += size or len(data)
    return kinds


@pytest.mark.parametrize(
    ("options", "content_type"),
    [
        ({}, "video/mp4"),
        ({"large_mdat": True}, "video/quicktime"),
        ({"mdat_to_end": True}, "video/3gpp"),
        ({}, "audio/mp4"),
    ],
    ids=["mp4", "mov-64-bit-mdat", "3gp-mdat-to-end", "m4a"],
)
def test_mp4_metadata_is_blanked_in_place(options: dict[str, bool], content_type: str) -> None:
    original = mp4(**options)
    assert b"+51.5074" in original and MAKE.encode() in original

    cleaned = clean_copy(original, content_type)

    assert cleaned is not None
    assert_no_leaks(cleaned)
    for marker in (b"+51.5074", MODEL.encode(), b"ISO6709", b"appl", b"xmpmeta"):
        assert marker not in cleaned, marker
    assert len(cleaned) == len(original)
    assert cleaned.endswith(MEDIA)  # the media data, byte for byte
    # Every box still where it was: the chunk offsets into the media data stay true.
    assert box_layout(cleaned) == box_layout(original)
    stco = cleaned.index(b"stco")
    (chunk_offset,) = struct.unpack(">I", cleaned[stco + 12 : stco + 16])
    assert cleaned[chunk_offset : chunk_offset + 64] == MEDIA[:64]
    assert top_level_kinds(cleaned) == [b"ftyp", b"free", b"free", b"moov", b"mdat"]
    for kind in (b"udta", b"meta", b"uuid"):
        assert kind not in cleaned
    assert b"mvhd" in cleaned and b"avcC" in cleaned and b"tkhd" in cleaned


def test_mp4_with_a_timed_metadata_track_is_not_cleaned() -> None:
    # A camera's GPS track keeps its samples among the media data: they cannot be removed.
    assert clean_copy(mp4(), "video/mp4") is not None
    assert clean_copy(mp4(handler_kind=b"meta"), "video/mp4") is None
    assert clean_copy(mp4(handler_kind=b"sbtl"), "video/mp4") is None


def test_mp4_box_overrunning_its_parent_is_not_cleaned() -> None:
    original = bytearray(mp4())
    moov = original.index(b"moov") - 4
    original[moov : moov + 4] = struct.pack(">I", len(original))
    assert clean_copy(bytes(original), "video/mp4") is None


# --- MP3 --------------------------------------------------------------------------------

MP3_FRAME = b"\xff\xfb\x90\x00" + bytes(range(256)) + bytes(417 - 260)  # 128 kbit/s, 44.1 kHz
MP3_FRAMES = MP3_FRAME * 5


def id3v2_frame(kind: bytes, text: str) -> bytes:
    payload = b"\x03" + text.encode()
    return kind + struct.pack(">I", len(payload)) + b"\x00\x00" + payload


def synchsafe(size: int) -> bytes:
    return bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))


def id3v2(version: int = 4, footer: bool = False) -> bytes:
    frames = id3v2_frame(b"TIT2", "Doorstep") + id3v2_frame(b"TXXX", f"\x00{GPS_TEXT}")
    flags = 0x10 if footer else 0
    tag = b"ID3" + bytes((version, 0, flags)) + synchsafe(len(frames)) + frames
    if footer:
        tag += b"3DI" + bytes((version, 0, flags)) + synchsafe(len(frames))
    return tag


def ape_tag() -> bytes:
    item = struct.pack("<II", len(MAKE), 0) + b"Make\x00" + MAKE.encode()
    size = len(item) + 32
    header = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0xA0000000) + bytes(8)
    footer = b"APETAGEX" + struct.pack("<IIII", 2000, size, 1, 0x80000000) + bytes(8)
    return header + item + footer


def id3v1() -> bytes:
    return b"TAG" + GPS_TEXT.encode().ljust(30, b"\x00")[:30] + bytes(95)


@pytest.mark.parametrize(
    "original",
    [
        id3v2() + MP3_FRAMES + id3v1(),
        id3v2(version=3) + bytes(20) + MP3_FRAMES + ape_tag() + id3v1(),
        id3v2(footer=True) + MP3_FRAMES,
        MP3_FRAMES + id3v2(footer=True),
    ],
    ids=["id3v2-and-id3v1", "padding-ape-and-id3v1", "id3v2-with-footer", "id3v2-at-the-end"],
)
def test_mp3_tags_go_and_frames_stay(original: bytes) -> None:
    assert GPS_TEXT.encode()[:20] in original

    cleaned = clean_copy(original, "audio/mpeg")

    assert cleaned == MP3_FRAMES
    assert_no_leaks(cleaned)


def test_mp3_cut_off_mid_frame_keeps_the_partial_frame() -> None:
    cleaned = clean_copy(id3v2() + MP3_FRAMES[:-100], "audio/mpeg")
    assert cleaned == MP3_FRAMES[:-100]


def test_mp3_with_unknown_bytes_between_frames_is_not_cleaned() -> None:
    hidden = MP3_FRAME + b"GPS " + GPS_TEXT.encode() + MP3_FRAME
    assert clean_copy(hidden, "audio/mpeg") is None


# --- WAV --------------------------------------------------------------------------------


def wav(odd_data: bool = False) -> tuple[bytes, bytes]:
    rng = random.Random(3)
    frames = bytes(rng.randrange(256) for _ in range(1001 if odd_data else 2000))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1 if odd_data else 2)
        writer.setframerate(8000)
        writer.writeframes(frames)
    data = buffer.getvalue()
    if odd_data:
        data += b"\x00"  # the data chunk's pad byte, which the wave module leaves out
    info = b"INFO" + b"INAM" + struct.pack("<I", len(GPS_TEXT)) + GPS_TEXT.encode()
    info += b"\x00" if len(GPS_TEXT) % 2 else b""
    info += b"ISFT" + struct.pack("<I", len(MAKE)) + MAKE.encode()
    odd = b"iXML" + struct.pack("<I", 7) + b"<x>Z/>\x00"
    data += b"LIST" + struct.pack("<I", len(info)) + info + odd
    data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
    return data, frames


@pytest.mark.parametrize("odd_data", [False, True], ids=["16-bit", "8-bit-odd-length"])
def test_wav_keeps_only_format_and_samples(odd_data: bool) -> None:
    original, frames = wav(odd_data)
    assert GPS_TEXT.encode() in original

    cleaned = clean_copy(original, "audio/x-wav")

    assert cleaned is not None
    assert_no_leaks(cleaned)
    assert b"LIST" not in cleaned and b"iXML" not in cleaned
    assert int.from_bytes(cleaned[4:8], "little") == len(cleaned) - 8
    assert len(cleaned) % 2 == 0
    with wave.open(io.BytesIO(cleaned)) as reader:
        assert reader.readframes(reader.getnframes()) == frames


def test_wav_metadata_before_the_samples_goes_too() -> None:
    original, frames = wav()
    info = b"INFO" + b"ICMT" + struct.pack("<I", 8) + b"GPS here"
    moved = original[:12] + b"LIST" + struct.pack("<I", len(info)) + info + original[12:]
    moved = moved[:4] + struct.pack("<I", len(moved) - 8) + moved[8:]

    cleaned = clean_copy(moved, "audio/x-wav")

    assert cleaned is not None
    assert b"GPS here" not in cleaned
    with wave.open(io.BytesIO(cleaned)) as reader:
        assert reader.readframes(reader.getnframes()) == frames


# --- Word and OpenDocument --------------------------------------------------------------

CORE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    f"<dc:creator>{CREATOR}</dc:creator><cp:lastModifiedBy>{CREATOR}</cp:lastModifiedBy>"
    "</cp:coreProperties>"
)
APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://'
    'schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>{MAKE} Word</Application><Company>Acacia Ltd</Company></Properties>"
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://'
    'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    "He was outside again at 10pm.</w:t></w:r></w:p></w:body></w:document>"
)


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    members = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "word/document.xml": DOCUMENT_XML.encode(),
        "docProps/core.xml": CORE_XML.encode(),
        "docProps/app.xml": APP_XML.encode(),
        "word/media/image1.jpeg": jpeg(),
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        return {name: package.read(name) for name in package.namelist()}


def test_docx_properties_are_emptied_and_everything_else_kept() -> None:
    original = docx()
    before = members(original)

    cleaned = clean_copy(
        original, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )

    assert cleaned is not None
    after = members(cleaned)
    assert list(after) == list(before)  # same members, same order
    for name in ("word/document.xml", "[Content_Types].xml", "_rels/.rels"):
        assert after[name] == before[name]
    joined = b"".join(after.values())
    assert CREATOR.encode() not in joined and b"Acacia" not in joined
    assert after["docProps/core.xml"].rstrip().endswith(b"/>")
    # The photo in the document is cleaned like an uploaded one.
    assert_no_leaks(after["word/media/image1.jpeg"])
    assert pixels(after["word/media/image1.jpeg"]) == pixels(before["word/media/image1.jpeg"])


def test_docx_with_an_embedded_file_is_not_cleaned() -> None:
    embedded = {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0" + bytes(60)}
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert clean_copy(docx(embedded), content_type) is None


ODT_META = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:'
    'names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:'
    'xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3">'
    f"<office:meta><meta:initial-creator>{CREATOR}</meta:initial-creator>"
    f"<meta:generator>{MAKE}Office</meta:generator></office:meta></office:document-meta>"
)
ODT_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-settings xmlns:office="urn:oasis:'
    'names:tc:opendocument:xmlns:office:1.0" office:version="1.3"><office:settings>'
    '<config:config-item config:name="PrinterName">Acacia Avenue Laser</config:config-item>'
    "</office:settings></office:document-settings>"
)


def odt(first: str = "mimetype") -> bytes:
    buffer = io.BytesIO()
    mimetype = b"application/vnd.oasis.opendocument.text"
    rest = {
        "content.xml": b'<?xml version="1.0"?><office:document-content/>',
        "meta.xml": ODT_META.encode(),
        "settings.xml": ODT_SETTINGS.encode(),
        "Pictures/photo.png": png(),
        "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        if first == "mimetype":
            package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in rest.items():
            package.writestr(name, content)
        if first != "mimetype":
            package.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def test_odt_meta_and_settings_are_emptied_and_mimetype_stays_first_and_stored() -> None:
    original = odt()
    before = members(original)

    cleaned = clean_copy(original, "application/vnd.oasis.opendocument.text")

    assert cleaned is not None
    after = members(cleaned)
    assert list(after) == list(before)
    assert cleaned[30:38] == b"mimetype"  # the first local header's name, as readers expect
    with zipfile.ZipFile(io.BytesIO(cleaned)) as package:
        assert package.infolist()[0].compress_type == zipfile.ZIP_STORED
    for name in ("mimetype", "content.xml", "META-INF/manifest.xml"):
        assert after[name] == before[name]
    joined = b"".join(after.values())
    assert CREATOR.encode() not in joined and MAKE.encode() not in joined
    assert b"Acacia" not in joined
    assert b'office:version="1.3"' in after["meta.xml"]
    assert_no_leaks(after["Pictures/photo.png"])
    assert pixels(after["Pictures/photo.png"]) == pixels(before["Pictures/photo.png"])


def test_odt_without_its_mimetype_first_is_not_cleaned() -> None:
    assert clean_copy(odt(first="content"), "application/vnd.oasis.opendocument.text") is None


# --- Kinds left alone, kinds refused, and broken files ------------------------------------


def test_cleanable_kinds_are_all_allowed_uploads() -> None:
    assert set(CLEANABLE) <= set(ALLOWED)
    assert "application/pdf" not in CLEANABLE


def test_plain_text_and_amr_are_returned_unchanged() -> None:
    text = "He was outside again — at 10pm.\n".encode()
    assert clean_copy(text, "text/plain") == text
    amr = b"#!AMR\n" + (b"\x3c" + bytes(31)) * 5 + b"\x44" + bytes(5)
    assert clean_copy(amr, "audio/amr") == amr
    assert clean_copy(amr + b"GPS Acacia Avenue", "audio/amr") is None


@pytest.mark.parametrize(
    "content_type",
    ["image/heic", "audio/ogg", "video/webm", "application/msword", "application/pdf"],
)
def test_kinds_that_cannot_be_cleaned_give_none(content_type: str) -> None:
    assert content_type in ALLOWED
    assert content_type not in CLEANABLE
    assert clean_copy(b"%PDF-1.7\n" + bytes(200), content_type) is None


def test_unknown_kinds_give_none() -> None:
    assert clean_copy(jpeg(), "image/tiff") is None


ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SAMPLES = {
    "image/jpeg": jpeg(),
    "image/png": png(),
    "image/webp": webp(),
    "image/gif": gif(),
    "video/mp4": mp4(),
    "audio/x-wav": wav()[0],
    DOCX: docx(),
    ODT: odt(),
}


@pytest.mark.parametrize("content_type", list(SAMPLES))
def test_truncated_files_are_not_cleaned(content_type: str) -> None:
    original = SAMPLES[content_type]
    assert clean_copy(original, content_type) is not None
    for cut in truncations(original):
        assert clean_copy(cut, content_type) is None, len(cut)


def test_truncated_mp3_tag_is_not_cleaned() -> None:
    tag = id3v2()
    for cut in range(1, len(tag)):
        result = clean_copy((tag + MP3_FRAMES)[:cut], "audio/mpeg")
        assert result is None, cut


@pytest.mark.parametrize("content_type", sorted(CLEANABLE - {"text/plain"}))
def test_random_bytes_are_not_cleaned(content_type: str) -> None:
    rng = random.Random(content_type)
    for length in (0, 1, 4, 12, 100, 5000):
        assert clean_copy(rng.randbytes(length), content_type) is None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    content_type=st.sampled_from([*SAMPLES, "audio/mpeg", "audio/amr"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=6),
    data=st.binary(max_size=64),
)
def test_damaged_files_never_raise(
    content_type: str, flips: list[tuple[float, int]], data: bytes
) -> None:
    original = SAMPLES.get(content_type, id3v2() + MP3_FRAMES)
    damaged = bytearray(original)
    for where, value in flips:
        damaged[int(where * len(damaged))] = value
    result = clean_copy(bytes(damaged), content_type)
    assert result is None or isinstance(result, bytes)
    assert clean_copy(data, content_type) in (None, data) or content_type == "audio/mpeg"
