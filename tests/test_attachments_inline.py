"""Pictures in texts and files attached to e-mails reach the importer with their bytes;
media in Telegram and Messenger downloads are named by their path in the download."""

import base64
import hashlib
import json
from email.message import EmailMessage

from daybook.imports.parsers import meta, sms_backup, telegram
from daybook.imports.parsers.base import Limits
from daybook.imports.parsers.mail import parse_eml

PICTURE = b"\xff\xd8\xff\xe0 a photograph of a car"
PDF = b"%PDF-1.4 a letter"


def mms(*parts: str) -> bytes:
    return (
        "<?xml version='1.0'?><smses>"
        '<mms date="1733084900000" msg_box="1" address="07911 123456"><parts>'
        '<part seq="-1" ct="application/smil" cl="smil.xml" text="&lt;smil/&gt;" />'
        '<part seq="0" ct="text/plain" text="look outside" />'
        + "".join(parts)
        + '</parts><addrs><addr address="07911 123456" type="137" /></addrs></mms></smses>'
    ).encode()


def part(content_type: str, name: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode()
    return f'<part seq="0" ct="{content_type}" name="{name}" data="{encoded}" />'


def test_mms_pictures_and_pdfs_carry_their_bytes_name_and_fingerprint() -> None:
    data = mms(part("image/jpeg", "car.jpg", PICTURE), part("application/pdf", "l.pdf", PDF))
    (record,) = sms_backup.parse(data).records
    assert record.text == "look outside"  # the text part is the words, not an attachment
    picture, letter = record.attachments
    assert (picture.name, picture.data, picture.content_type) == ("car.jpg", PICTURE, "image/jpeg")
    assert picture.sha256 == hashlib.sha256(PICTURE).hexdigest()
    assert picture.size == len(PICTURE)
    assert (letter.name, letter.data) == ("l.pdf", PDF)


def test_mms_parts_of_other_kinds_are_named_but_carry_no_bytes() -> None:
    (record,) = sms_backup.parse(mms(part("text/x-vcard", "sam.vcf", b"BEGIN:VCARD"))).records
    (card,) = record.attachments
    assert card.name == "sam.vcf" and card.data is None
    assert card.sha256 == hashlib.sha256(b"BEGIN:VCARD").hexdigest()


def test_an_mms_picture_over_the_limit_is_named_and_a_warning_says_why() -> None:
    limits = Limits(max_attachment_bytes=10)
    result = sms_backup.parse(mms(part("image/jpeg", "car.jpg", PICTURE)), limits=limits)
    (picture,) = result.records[0].attachments
    assert picture.name == "car.jpg" and picture.data is None
    assert "larger than Daybook keeps" in result.warnings[0]


def test_mms_pictures_past_the_total_are_named_without_their_bytes() -> None:
    limits = Limits(max_attachments_total_bytes=len(PICTURE) + 5)
    data = mms(part("image/jpeg", "a.jpg", PICTURE), part("image/jpeg", "b.jpg", PICTURE))
    result = sms_backup.parse(data, limits=limits)
    first, second = result.records[0].attachments
    assert first.data == PICTURE and second.data is None
    assert "add up to more than Daybook keeps" in result.warnings[0]


def test_a_damaged_mms_picture_is_named_and_the_record_says_so() -> None:
    data = mms('<part seq="0" ct="image/jpeg" name="car.jpg" data="abc" />')
    result = sms_backup.parse(data)
    (picture,) = result.records[0].attachments
    assert picture.name == "car.jpg" and picture.data is None
    assert "attachment_damaged" in result.records[0].facts


def email_with_files() -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Sam Ex <sam@example.org>", "me@example.org"
    message["Date"] = "Sun, 01 Dec 2024 21:25:00 +0000"
    message.set_content("See attached.")
    message.add_attachment(PICTURE, maintype="image", subtype="jpeg", filename="car.jpg")
    forwarded = EmailMessage()
    forwarded.set_content("inner words")
    forwarded.add_attachment(PDF, maintype="application", subtype="pdf", filename="l.pdf")
    message.add_attachment(forwarded)  # a forwarded e-mail, itself with an attachment
    message.add_attachment(
        b"no name", maintype="application", subtype="octet-stream", disposition="attachment"
    )
    return message.as_bytes()


def test_every_e_mail_attachment_carries_its_bytes_even_inside_a_forwarded_e_mail() -> None:
    (record,) = parse_eml(email_with_files()).records
    by_name = {attachment.name: attachment for attachment in record.attachments}
    assert by_name["car.jpg"].data == PICTURE
    assert by_name["car.jpg"].sha256 == hashlib.sha256(PICTURE).hexdigest()
    assert by_name["l.pdf"].data == PDF
    assert by_name["attachment"].data == b"no name"
    assert record.text == "See attached.\n"


def test_an_e_mail_attachment_over_the_limit_keeps_its_fingerprint_only() -> None:
    result = parse_eml(email_with_files(), limits=Limits(max_attachment_bytes=10))
    by_name = {attachment.name: attachment for attachment in result.records[0].attachments}
    assert by_name["car.jpg"].data is None
    assert by_name["car.jpg"].sha256 == hashlib.sha256(PICTURE).hexdigest()
    assert any("car.jpg" in warning for warning in result.warnings)


def test_telegram_media_are_found_by_their_path_in_the_export() -> None:
    messages = [
        {"photo": "photos/photo_1.jpg"},
        {"file": "files/name.pdf"},
        {"file": "stickers/s.webp", "media_type": "sticker"},
        {"file": "voice_messages/a.ogg", "media_type": "voice_message"},
        {"file": "video_files/v.mp4", "media_type": "video_file", "thumbnail": "t.jpg"},
        {"file": "../../outside.txt"},
    ]
    data = json.dumps(
        {"name": "Sam Ex", "messages": [{"date_unixtime": "1", **m} for m in messages]}
    ).encode()
    found = [record.attachments for record in telegram.parse(data).records]
    assert [a.member for (a,) in found] == [
        "photos/photo_1.jpg",
        "files/name.pdf",
        "stickers/s.webp",
        "voice_messages/a.ogg",
        "video_files/v.mp4",
        None,  # a path out of the export's folder names the file but finds nothing
    ]


def test_messenger_media_are_found_by_their_path_in_the_download() -> None:
    kinds = {
        "photos": [{"uri": "messages/inbox/s_1/photos/1.jpg"}],
        "videos": [{"uri": "messages/inbox/s_1/videos/2.mp4"}],
        "audio_files": [{"uri": "messages/inbox/s_1/audio/3.mp4"}],
        "files": [{"uri": "messages/inbox/s_1/files/4.pdf"}],
        "gifs": [{"uri": "messages/inbox/s_1/gifs/5.gif"}],
        "sticker": {"uri": "messages/stickers_used/6.png"},
    }
    thread = {"participants": [], "messages": [{"sender_name": "A", "timestamp_ms": 1, **kinds}]}
    (record,) = meta.parse_threads([("message_1.json", json.dumps(thread).encode())]).records
    assert [a.member for a in record.attachments] == [
        "messages/inbox/s_1/photos/1.jpg",
        "messages/inbox/s_1/videos/2.mp4",
        "messages/inbox/s_1/audio/3.mp4",
        "messages/inbox/s_1/files/4.pdf",
        "messages/inbox/s_1/gifs/5.gif",
        "messages/stickers_used/6.png",
    ]
