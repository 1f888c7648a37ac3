"""The words a case replaces in everything disclosed: how they are found and replaced."""

import io
import json
import zipfile
from dataclasses import dataclass, field

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pypdf import PdfReader

from daybook.audit.models import Action, AuditEvent
from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.reports import redaction
from daybook.reports import services as reports
from daybook.reports.redaction import REDACTED, Redactor, Term, person_terms
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG


def test_a_name_is_replaced_whole_before_its_first_part() -> None:
    redactor = Redactor(person_terms("Sam Taylor", "Alex Doe"))
    assert redactor.text("Sam Taylor said. Then sam left; SAM's car.") == (
        "Alex Doe said. Then Alex left; Alex's car."
    )


def test_without_a_pseudonym_the_name_is_not_on_the_list() -> None:
    assert person_terms("Sam Taylor", " ") == []
    assert not Redactor(person_terms("Sam Taylor", ""))


def test_a_pseudonym_replaces_the_name_everywhere() -> None:
    redactor = Redactor(person_terms("Sam Taylor", "Person A"))
    assert (
        redactor.text("He followed Sam Taylor, then Sam.") == "He followed Person A, then Person."
    )


def test_words_inside_other_words_are_left_alone() -> None:
    redactor = Redactor([Term("Sam", "X"), Term("Elm Road", "")])
    assert redactor.text("Samantha lives at 4 Elm Roadside; Sam at 4 Elm\n Road.") == (
        f"Samantha lives at 4 Elm Roadside; X at 4 {REDACTED}."
    )


def test_markup_and_pattern_characters_in_a_word_are_plain_text() -> None:
    redactor = Redactor([Term("C++ (Ltd) *", "an employer"), Term("a.b", "Z")])
    assert redactor.text("Works at C++ (Ltd) * and aXb, a.b.") == "Works at an employer and aXb, Z."


def test_spans_show_each_replacement_for_the_preview() -> None:
    redactor = Redactor([Term("Mia", "her daughter")])
    assert redactor.spans("Mia and mia.") == [
        ("Mia", "her daughter"),
        (" and ", None),
        ("mia", "her daughter"),
        (".", None),
    ]


@dataclass
class _Row:
    words: str
    content: dict = field(default_factory=dict)
    labels: list = field(default_factory=list)
    checkpoint: str = "Sam"


def test_every_text_of_an_output_is_replaced_but_the_checkpoint() -> None:
    row = _Row("Sam came", {"place": "Sam's work", "source": {"from": {"name": "Sam"}}}, ["Sam"])
    Redactor([Term("Sam", "P")]).apply([row])
    assert (row.words, row.content, row.labels) == (
        "P came",
        {"place": "P's work", "source": {"from": {"name": "P"}}},
        ["P"],
    )
    assert row.checkpoint == "Sam"  # signed as it is


@given(st.text(), st.lists(st.text(min_size=1, max_size=12), max_size=5))
def test_no_listed_word_survives_replacement(text: str, words: list[str]) -> None:
    assume(not any("\u2588" in word for word in words))
    redactor = Redactor([Term(word, "\u2588") for word in words])
    replaced = redactor.text(text)
    assert not redactor.mentions(replaced)


# --- Every disclosable output, read as its reader reads it ------------------------------

CHILD = "Mia Quokka"
SCHOOL = "Zebrafield Primary"


@pytest.fixture
def named_log(case, personas: Personas):
    """A log whose words name the person, their child and the child's school everywhere a
    disclosed output prints words: what happened, where, witnesses, an amendment's reason, a
    file's name."""
    first = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(
            what_happened=f"He waited for {CHILD} and me outside {SCHOOL}, calling Sam's name.",
            place=f"{SCHOOL} gates",
            witnesses=f"{CHILD}'s teacher",
        ),
    )
    log.entry_amend(
        entry=first,
        author=personas.victim,
        how="victim",
        changes={"occurred_time": "15:20"},
        reason=f"{CHILD} remembered the time",
    )
    log.evidence_add(
        entry=first,
        author=personas.victim,
        how="victim",
        checked=check_upload("mia quokka at the gates.png", PNG),
    )
    case.refresh_from_db()
    redaction.case_list_save(
        case=case,
        actor=personas.advocate,
        terms=[redaction.Term(CHILD, "her child"), redaction.Term(SCHOOL, "")],
        name_instead="",
    )
    return case


def _produce(case, actor, kind: str, profile: str, options: dict | None = None) -> bytes:
    report = reports.report_request(
        case=case, actor=actor, kind=kind, profile=profile, options=options or {}
    )
    reports.report_build(report)
    report.refresh_from_db()
    assert report.status == "done", report.error
    return reports.report_bytes(report, actor=actor)


def _pdf_words(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_a_disclosable_chronology_replaces_the_words_everywhere(
    named_log, personas: Personas
) -> None:
    text = _pdf_words(_produce(named_log, personas.advocate, "chronology", "disclosable"))
    assert "Quokka" not in text and "Zebrafield" not in text
    assert "her child and me outside [redacted]" in text
    assert "her child remembered the time" in text  # the amendment's reason


def test_the_police_version_keeps_the_words(named_log, personas: Personas) -> None:
    text = _pdf_words(_produce(named_log, personas.advocate, "chronology", "police"))
    assert CHILD in text and SCHOOL in text


def test_a_pseudonym_stands_for_the_name_in_the_narrative_too(
    named_log, personas: Personas
) -> None:
    named = redaction.person_name(named_log)  # as the service holds it
    assert named
    log.entry_record(
        case=named_log,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened=f"He shouted {named} at the door, then {named}'s name."),
    )
    text = _pdf_words(
        _produce(
            named_log, personas.advocate, "chronology", "disclosable", {"pseudonym": "Alex Doe"}
        )
    )
    assert "He shouted Alex Doe at the door, then Alex Doe's name." in text
    assert named not in text


def test_a_vps_has_the_words_replaced_in_the_persons_own_answers(
    named_log, personas: Personas
) -> None:
    text = _pdf_words(
        _produce(
            named_log,
            personas.victim,
            "vps",
            "disclosable",
            {"answers": {"family": f"{CHILD} will not go to {SCHOOL} alone."}},
        )
    )
    assert "her child will not go to [redacted] alone." in text
    assert "Quokka" not in text and "Zebrafield" not in text


def test_a_disclosable_bundle_opens_no_field_that_names_them(named_log, personas: Personas) -> None:
    data = _produce(named_log, personas.advocate, "bundle", "disclosable")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith(".pdf"):
                assert "Quokka" not in _pdf_words(content), name
            elif not name.startswith("exhibits/"):
                assert b"Quokka" not in content and b"Zebrafield" not in content, name
        lines = [json.loads(line) for line in archive.read("chain.jsonl").splitlines()]
    withheld = {path for line in lines for path in line.get("withheld_fields", [])}
    assert {"what_happened", "place", "witnesses", "name"} <= withheld


def test_the_list_is_sealed_and_changes_are_audited_without_the_words(
    named_log, personas: Personas
) -> None:
    from tests.test_encryption import every_stored_value

    assert "Zebrafield" not in every_stored_value()  # the list and the log are sealed
    event = AuditEvent.objects.filter(action=Action.REDACTIONS_CHANGED).latest("pk")
    assert event.extra == {"terms": 2}
    assert "Quokka" not in json.dumps(event.extra)
    assert redaction.case_list(named_log).terms == [
        redaction.Term(CHILD, "her child"),
        redaction.Term(SCHOOL, redaction.REDACTED),
    ]
