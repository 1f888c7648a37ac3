"""Messages without words of their own get words saying what they were, marked as Daybook's."""

import json
from typing import Any

import pytest

from daybook.imports.parsers import meta, telegram

SAM = 42  # Telegram's id of a one-to-one chat is the other person's user id


def chat(*messages: dict[str, Any]) -> bytes:
    numbered = [
        {"id": n, "type": "message", "date_unixtime": "1700000000", "from": "Sam Ex", **m}
        for n, m in enumerate(messages, start=1)
    ]
    return json.dumps(
        {"name": "Sam Ex", "type": "personal_chat", "id": SAM, "messages": numbered}
    ).encode()


def call(actor: str, actor_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "service",
        "action": "phone_call",
        "actor": actor,
        "actor_id": actor_id,
        "from": actor,
        "from_id": actor_id,
        **fields,
    }


@pytest.mark.parametrize(
    ("message", "words", "direction"),
    [
        (call("Sam Ex", "user42", discard_reason="missed"), "Missed call from Sam Ex", "incoming"),
        (call("Jo", "user7", discard_reason="missed"), "Unanswered call to Sam Ex", "outgoing"),
        (
            call("Jo", "user7", discard_reason="hangup", duration_seconds=200),
            "Call to Sam Ex, 3 min 20 s",
            "outgoing",
        ),
        (
            call("Sam Ex", "user42", discard_reason="hangup", duration_seconds=12),
            "Call from Sam Ex, 12 s",
            "incoming",
        ),
        (call("Sam Ex", "user42", discard_reason="busy"), "Declined call from Sam Ex", "incoming"),
    ],
)
def test_calls_name_the_other_party_and_the_way_they_went(
    message: dict[str, Any], words: str, direction: str
) -> None:
    (record,) = telegram.parse(chat(message)).records
    assert (record.text, record.direction) == (words, direction)
    assert "described" in record.facts
    if direction == "outgoing":
        assert record.recipients == ("Sam Ex",)


def test_a_call_is_told_by_name_where_the_export_has_no_ids() -> None:
    message = {
        "type": "service",
        "action": "phone_call",
        "actor": "Sam Ex",
        "discard_reason": "missed",
    }
    data = json.dumps({"name": "Sam Ex", "messages": [{"date_unixtime": "1", **message}]})
    (record,) = telegram.parse(data.encode()).records
    assert record.text == "Missed call from Sam Ex"


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"media_type": "sticker", "sticker_emoji": "😡", "file": "stickers/s.webp"}, "Sticker 😡"),
        ({"photo": "photos/IMG_0042.jpg"}, "Photo: IMG_0042.jpg"),
        ({"media_type": "video_file", "file": "video_files/clip.mp4"}, "Video: clip.mp4"),
        (
            {"media_type": "voice_message", "file": "voice_messages/a.ogg", "duration_seconds": 12},
            "Voice message (0:12)",
        ),
        ({"file": "files/name.pdf", "mime_type": "application/pdf"}, "File: name.pdf"),
        (
            {"photo": "(File not included. Change data exporting settings to download.)"},
            "Photo",
        ),
        ({"type": "unsupported"}, "A message Telegram could not export"),
    ],
)
def test_media_only_messages_say_what_they_were(message: dict[str, Any], words: str) -> None:
    (record,) = telegram.parse(chat({"text": "", **message})).records
    assert record.text == words
    assert "described" in record.facts


def test_a_caption_is_the_text_and_nothing_is_described() -> None:
    (record,) = telegram.parse(chat({"text": "see this", "photo": "photos/a.jpg"})).records
    assert record.text == "see this" and "described" not in record.facts


def test_a_sticker_whose_media_was_not_exported_says_so() -> None:
    message = {
        "media_type": "sticker",
        "sticker_emoji": "👍",
        "file": "(File not included. Change data exporting settings to download.)",
    }
    (record,) = telegram.parse(chat(message)).records
    assert record.text == "Sticker 👍"
    assert "media_not_included" in record.facts and record.attachments == ()


def thread(*messages: dict[str, Any]) -> list[tuple[str, bytes]]:
    data = {
        "participants": [{"name": "Sam Ex"}],
        "title": "Sam Ex",
        "messages": [
            {"sender_name": "Sam Ex", "timestamp_ms": 1579294000000, **m} for m in messages
        ],
    }
    return [("messages/inbox/samex_1/message_1.json", json.dumps(data).encode())]


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"photos": [{"uri": "messages/inbox/samex_1/photos/1.jpg"}]}, "Photo: 1.jpg"),
        ({"videos": [{"uri": "messages/inbox/samex_1/videos/v.mp4"}]}, "Video: v.mp4"),
        ({"audio_files": [{"uri": "messages/inbox/samex_1/audio/a.mp4"}]}, "Audio: a.mp4"),
        ({"files": [{"uri": "messages/inbox/samex_1/files/name.pdf"}]}, "File: name.pdf"),
        ({"gifs": [{"uri": "messages/inbox/samex_1/gifs/g.gif"}]}, "GIF: g.gif"),
        ({"sticker": {"uri": "messages/stickers_used/s.png"}}, "Sticker"),
        ({"content": "", "is_unsent": True}, "Message unsent"),
        ({"type": "Call", "call_duration": 0}, "Missed call from Sam Ex"),
        ({"type": "Call", "call_duration": 200}, "Call from Sam Ex, 3 min 20 s"),
    ],
)
def test_messenger_messages_without_words_say_what_they_were(
    message: dict[str, Any], words: str
) -> None:
    (record,) = meta.parse_threads(thread(message)).records
    assert record.text == words and "described" in record.facts


def test_messenger_words_do_not_change_what_a_message_is_known_by() -> None:
    (described,) = meta.parse_threads(thread({"photos": [{"uri": "p/1.jpg"}]})).records
    assert described.identity.endswith("|")  # the export's own (empty) words, not Daybook's
