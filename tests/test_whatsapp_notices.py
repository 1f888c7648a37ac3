"""WhatsApp's own notices in ten languages: one table, every string sourced, facts set, text
kept."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daybook.imports.parsers import ParseError
from daybook.imports.parsers.notices import LANGUAGES, MATCHING, NOTICES, notices_in
from daybook.imports.parsers.whatsapp import parse

LRM = "\u200e"
EVERY_STRING = [
    (kind, language, string)
    for kind, languages in NOTICES.items()
    for language, notice in languages.items()
    for string in notice.strings
]


def one_record(text: str, *, ios: bool = False):
    header = "[13/01/24, 10:00:00] Sam Ex: " if ios else "13/01/24, 10:00 - Sam Ex: "
    (record,) = parse(f"{header}{text}\n".encode()).records
    return record


def test_every_kind_has_english_and_every_entry_names_where_it_was_confirmed() -> None:
    assert set(NOTICES) == set(MATCHING)
    for kind, languages in NOTICES.items():
        assert "en" in languages, kind
        for language, notice in languages.items():
            assert language in LANGUAGES, (kind, language)
            assert notice.strings, (kind, language)
            assert "https://" in notice.source, (kind, language)


@pytest.mark.parametrize("kind", ["deleted", "media_omitted", "missed_call"])
def test_the_common_notices_are_known_in_all_ten_languages(kind: str) -> None:
    assert set(NOTICES[kind]) == set(LANGUAGES)


@pytest.mark.parametrize(("kind", "language", "string"), EVERY_STRING)
def test_every_string_in_the_table_sets_its_fact_and_the_text_is_kept(
    kind: str, language: str, string: str
) -> None:
    text = f"see you at nine {string}" if MATCHING[kind] == "end" else string
    record = one_record(text)
    assert kind in record.facts
    assert record.text == text


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Diese Nachricht wurde gelöscht", "deleted"),
        ("Du hast diese Nachricht gelöscht", "deleted"),
        (f"{LRM}Se eliminó este mensaje.", "deleted"),
        (f"{LRM}Eliminaste este mensaje.", "deleted"),
        ("Este mensaje fue eliminado", "deleted"),
        ("<Medien ausgeschlossen>", "media_omitted"),
        (f"{LRM}Bild weggelassen", "media_omitted"),
        ("<Archivo omitido>", "media_omitted"),
        (f"{LRM}imagen omitida", "media_omitted"),
        (f"Template.docx {LRM}Dokument weggelassen", "media_omitted"),
        (f"Some file.txt {LRM}documento omitido", "media_omitted"),
    ],
)
def test_german_and_spanish_notices_are_recognised(text: str, fact: str) -> None:
    record = one_record(text, ios=text.startswith(LRM))
    assert fact in record.facts
    assert record.text == text


@pytest.mark.parametrize(
    "text", ["Verpasster Sprachanruf", "Llamada perdida", "Cevapsız görüntülü arama"]
)
def test_a_missed_call_in_any_language_becomes_a_missed_call(text: str) -> None:
    record = one_record(text)
    assert (record.kind, record.call_outcome) == ("call", "missed")
    assert "missed_call" in record.facts


@pytest.mark.parametrize(
    "text",
    [
        "I think Bu mesaj silindi, lol",
        "Llamada perdida de mamá ayer",
        "why is it Medien ausgeschlossen",
        "<This message was edited> is what it said",
        "See you soon",
    ],
)
def test_words_of_a_notice_inside_a_person_s_message_are_not_a_notice(text: str) -> None:
    record = one_record(text)
    assert record.facts == ()
    assert record.kind == "message"


def test_an_edited_marker_is_kept_at_the_end_of_the_text() -> None:
    record = one_record(f"see you soon {LRM}<This message was edited>", ios=True)
    assert record.facts == ("edited",)
    assert record.text.endswith("<This message was edited>")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_first_line_gives_a_list_of_known_facts(text: str) -> None:
    assert set(notices_in(text)) <= set(NOTICES)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_records_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([string for _kind, _language, string in EVERY_STRING]), st.text())
def test_a_notice_followed_by_more_lines_still_counts(notice: str, more: str) -> None:
    with contextlib.suppress(ParseError):
        result = parse(f"13/01/24, 10:00 - Sam Ex: {notice}\n{more}".encode())
        assert result.records[0].text.startswith(notice)
