"""Every PDF is typeset by Typst from JSON data: read back with pypdf, each says what it should,
in every script a person may write in, with markup characters printed as they are, tagged
for assistive technology, and laid out so a long log stays readable."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream

from daybook.incidents import services as log
from daybook.insights.statistics import Statistics, Table
from daybook.reports import pdf
from daybook.reports.chronology import Breach, Chronology, Order, Suspect, build
from daybook.reports.packs import spo_pdf, vps_pdf
from daybook.reports.statement import Paragraph, Statement
from daybook.ui import charts
from tests.conftest import Personas, entry_values
from tests.test_reports import full_log, signed_build  # noqa: F401  (a fixture)

# Every character Typst markup gives a meaning to, in one run of text.
MARKUP = r"#set text(red) [x] $a^2$ *bold* \ <label> @ref = _em_ `code` #{1 + 1}"
SCRIPTS = {
    "Latin": "The quick brown fox",
    "Polish": "Zażółć gęślą jaźń",
    "Urdu": "وہ میرے گھر کے باہر کھڑا تھا",
    "Punjabi": "ਉਹ ਮੇਰੇ ਘਰ ਦੇ ਬਾਹਰ ਖੜ੍ਹਾ ਸੀ",
    "Bengali": "সে আমার বাড়ির বাইরে দাঁড়িয়ে ছিল",
    "Emoji": "😡📱",
}
# The face Typst must embed for each script: none may fall back to a missing glyph (tofu).
FACES = {
    "Latin": "LiberationSans",
    "Polish": "LiberationSans",
    "Urdu": "NotoNaskhArabic",
    "Punjabi": "NotoSansGurmukhi",
    "Bengali": "NotoSansBengali",
    "Emoji": "NotoColorEmoji",
}


def flat(text: str) -> str:
    return " ".join(text.split())


def reader(document: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(document))


def text_of(document: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in reader(document).pages))


def page_texts(document: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in reader(document).pages]


def embedded_faces(document: bytes) -> set[str]:
    """The name of every font embedded on any page, without its subset prefix."""
    faces = set()
    for page in reader(document).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font.get("/BaseFont") or font.get("/Name") or "")
            faces.add(name.lstrip("/").split("+")[-1])
    return faces


def unicode_maps(page: PageObject) -> dict[str, tuple[int, dict[int, str]]]:
    """Each font's bytes per glyph code and its ToUnicode map (`bfchar` entries, all Typst
    writes)."""
    maps = {}
    for name, font in page["/Resources"]["/Font"].items():
        font = font.get_object()
        cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        pairs = re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", cmap.split("beginbfchar", 1)[-1])
        width = 2 if font["/Subtype"] == "/Type0" else 1
        maps[name] = (
            width,
            {int(code, 16): bytes.fromhex(text).decode("utf-16-be") for code, text in pairs},
        )
    return maps


def actual_text(document: bytes) -> str:
    """The text a PDF says it holds, as a screen reader or a copy takes it: each glyph's
    ToUnicode text, except inside a span with an ActualText, which replaces its glyphs.
    Lines and table cells are run together."""
    found = reader(document)
    said = []
    for page in found.pages:
        maps = unicode_maps(page)
        width, glyphs = 1, {}
        spans: list[bool] = []
        for operands, operator in ContentStream(page.get_contents(), found).operations:
            if operator == b"Tf":
                width, glyphs = maps[operands[0]]
            elif operator == b"BDC":
                replaced = isinstance(operands[1], dict) and "/ActualText" in operands[1]
                if replaced:
                    said.append(str(operands[1]["/ActualText"]))
                spans.append(replaced)
            elif operator == b"BMC":
                spans.append(False)
            elif operator == b"EMC":
                spans.pop()
            elif operator in (b"Tj", b"TJ") and not any(spans):
                for run in operands[0] if operator == b"TJ" else operands:
                    if isinstance(run, (bytes, str)):
                        raw = getattr(run, "original_bytes", run)
                        codes = [
                            int.from_bytes(raw[i : i + width], "big")
                            for i in range(0, len(raw), width)
                        ]
                        said.extend(glyphs.get(code, "") for code in codes)
    return "".join(said)


def statement(paragraphs: list[str], **overrides: object) -> Statement:
    values: dict = {
        "name": "Alex Example",
        "age": "Over 18",
        "occupation": "Teacher",
        "paragraphs": [
            Paragraph(text, ["AE/1"] if i == 0 else []) for i, text in enumerate(paragraphs)
        ],
        "exhibits": [("AE/1", "Screenshot of messages")],
        "produced_by": "Jo Bloggs, Northshire Stalking Service",
        "produced_at": timezone.now(),
    }
    values.update(overrides)
    return Statement(**values)


def test_each_script_is_printed_in_a_face_of_its_own_and_reads_back() -> None:
    document = pdf.statement_pdf(statement([f"{name}: {text}" for name, text in SCRIPTS.items()]))
    text = text_of(document)
    assert "The quick brown fox" in text
    assert "Zażółć gęślą jaźń" in text
    assert "😡📱" in text
    # Urdu is written right to left: pypdf gives its words in the order they are drawn.
    for word in SCRIPTS["Urdu"].split():
        assert word in text, word
    # A letter with a vowel sign is drawn as several glyphs, so the glyphs' own text cannot
    # say it; the PDF carries the exact letters as the span's ActualText, which copying and
    # screen readers use (pypdf's extract_text does not).
    spoken = actual_text(document)
    for name in ("Punjabi", "Bengali"):
        assert SCRIPTS[name] in spoken, name
    faces = embedded_faces(document)
    for name, face in FACES.items():
        assert any(found.startswith(face) for found in faces), (name, faces)


def test_a_character_no_font_can_draw_still_gives_a_tagged_report(caplog) -> None:
    # Chinese is not among the fonts installed: PDF/UA-1 cannot be claimed, the report is
    # still produced, tagged, and the log says so without quoting the text.
    document = pdf.statement_pdf(statement(["他站在我家外面, then he walked to the corner shop"]))
    root = reader(document).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    assert b"pdfuaid" not in root["/Metadata"].get_object().get_data()
    assert "then he walked to the corner shop" in text_of(document)
    assert "a character has no font" in caplog.text and "他" not in caplog.text


def test_typst_markup_in_what_a_person_wrote_is_printed_as_written(
    full_log,  # noqa: F811
    personas: Personas,
) -> None:
    entry = log.entry_record(
        case=full_log,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-12", what_happened=f"He wrote {MARKUP} to me"),
    )
    log.entry_amend(
        entry=entry,
        author=personas.victim,
        how="victim",
        changes={"occurred_time": "22:00"},
        reason=f"Reason {MARKUP}",
    )
    chronology = signed_build(full_log, profile="police", produced_by=personas.advocate)
    chronology.suspects = [Suspect(name=f"Name {MARKUP}", details=f"Details {MARKUP}")]
    for document in (
        pdf.chronology_pdf(chronology),
        spo_pdf(chronology, {"necessity": f"Necessity {MARKUP}"}),
    ):
        text = text_of(document)
        assert f"He wrote {MARKUP} to me" in text
        assert f"Name {MARKUP}" in text
    assert f"Reason {MARKUP}" in text_of(pdf.chronology_pdf(chronology))
    assert f"Necessity {MARKUP}" in text_of(
        spo_pdf(chronology, {"necessity": f"Necessity {MARKUP}"})
    )
    assert f"Said {MARKUP}" in text_of(pdf.statement_pdf(statement([f"Said {MARKUP}"])))


def suspects_and_orders(chronology: Chronology) -> None:
    chronology.suspects = [
        Suspect(
            name="Sam Ex",
            identifiers=[("Phone", "+44 7700 900123"), ("Instagram", "@sam.ex")],
            details="Born 1990; blue Ford Focus AB12 CDE",
        )
    ]
    chronology.orders = [
        Order(
            kind="Interim Stalking Protection Order",
            status="Granted",
            court="Northshire Magistrates' Court",
            made_on=dt.date(2026, 10, 5),
            expires_on=dt.date(2027, 4, 5),
            conditions=["Not to contact the person by any means", "Not to enter Elm Street"],
            breaches=[
                Breach(
                    number=2,
                    when="Fri 09 Oct 2026 23:10",
                    condition="Not to contact the person by any means",
                )
            ],
        )
    ]


@pytest.mark.parametrize("profile", ["police", "disclosable"])
def test_the_chronology_names_suspects_and_orders_with_each_breach(
    full_log,  # noqa: F811
    personas: Personas,
    profile: str,
) -> None:
    chronology = build(full_log, profile=profile, produced_by=personas.advocate)
    suspects_and_orders(chronology)
    text = text_of(pdf.chronology_pdf(chronology))
    for expected in (
        "Suspects",
        "Sam Ex",
        "Phone: +44 7700 900123",
        "Instagram: @sam.ex",
        "Born 1990; blue Ford Focus AB12 CDE",
        "Interim Stalking Protection Order (Granted), Northshire Magistrates' Court; "
        "made 5 October 2026; expires 5 April 2027",
        "Not to enter Elm Street",
        "2 Fri 09 Oct 2026 23:10 Not to contact the person by any means",
    ):
        assert expected in text, expected


def test_without_suspects_or_orders_the_chronology_leaves_their_sections_out(
    full_log,  # noqa: F811
    personas: Personas,
) -> None:
    text = text_of(
        pdf.chronology_pdf(build(full_log, profile="police", produced_by=personas.advocate))
    )
    assert "Suspects" not in text and "Protective orders" not in text
    assert "Texts all night" in text


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_the_spo_pack_lists_every_act_and_breach_under_each_test(
    full_log,  # noqa: F811
    personas: Personas,
) -> None:
    # An act that is neither an s.2A(3) act nor a threat, and was a breach of the order.
    log.entry_record(
        case=full_log,
        author=personas.victim,
        how="victim",
        values=entry_values(
            occurred_on="2026-10-20",
            what_happened="Left flowers on the car",
            behaviours=["other"],
            feared_violence=False,
        ),
    )
    chronology = build(full_log, profile="police", produced_by=personas.advocate)
    suspects_and_orders(chronology)
    chronology.orders[0].breaches.append(
        Breach(number=3, when="Tue 20 Oct 2026 21:30", condition="Not to enter Elm Street")
    )
    text = text_of(spo_pdf(chronology, {}))
    acts = section(text, "1. Acts associated with stalking", "2. Risk associated with stalking")
    risk = section(text, "2. Risk associated with stalking", "3. Necessity")
    necessity = section(text, "3. Necessity", "Proposed prohibitions and requirements")
    conditions = text[text.index("Proposed prohibitions and requirements") :]
    breach = "Breach of the Interim Stalking Protection Order (granted): Not to enter Elm Street"
    for part in (acts, risk):
        assert "Texts all night" in part
        assert "Left flowers on the car" in part and breach in part
        assert (
            "Breach of the Interim Stalking Protection Order (granted): "
            "Not to contact the person by any means"
        ) in part
    assert "He stood outside the house" in acts
    assert (
        "3 Tue 20 Oct 2026 21:30 Interim Stalking Protection Order (Granted) "
        "Not to enter Elm Street"
    ) in necessity
    assert "2 Fri 09 Oct 2026 23:10" in necessity
    # No conditions given: the defaults are sought.
    assert "Not to contact the person directly or indirectly" in conditions
    assert "Sam Ex" in text and "Phone: +44 7700 900123" in text


def test_sixteen_typical_entries_take_two_pages_after_the_cover(case, personas: Personas) -> None:
    paragraph = (
        "He was waiting at the bus stop opposite the house when I left for work, then got on "
        "the same bus and sat two rows behind me. When I got off he followed me to the office "
        "door and stood across the road until my manager came out and he walked away."
    )
    for day in range(1, 17):
        log.entry_record(
            case=case,
            author=personas.victim,
            how="victim",
            values=entry_values(
                occurred_on=f"2026-10-{day:02d}", what_happened=f"{day}: {paragraph}"
            ),
        )
    chronology = build(case, profile="police", produced_by=personas.advocate, charts_wanted=False)
    document = pdf.chronology_pdf(chronology)
    pages = page_texts(document)
    # The cover and the summary, then eight or more entries on each A4 page.
    assert len(pages) <= 3
    first = next(index for index, page in enumerate(pages) if "1: He was waiting" in page)
    last = next(index for index, page in enumerate(pages) if "16: He was waiting" in page)
    assert last - first <= 1


def test_a_long_text_flows_across_pages_in_full(case, personas: Personas) -> None:
    sentences = [
        f"Sentence {number} of a very long account of one evening." for number in range(400)
    ]
    log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened=" ".join(sentences)),
    )
    chronology = build(case, profile="police", produced_by=personas.advocate, charts_wanted=False)
    pages = page_texts(pdf.chronology_pdf(chronology))
    holding = [index for index, page in enumerate(pages) if "of a very long account" in page]
    assert len(holding) >= 2
    text = " ".join(pages)
    assert sentences[0] in text and sentences[-1] in text


def test_a_word_too_long_for_its_column_is_broken_across_lines(case, personas: Personas) -> None:
    token = "aGVsbG8gd29ybGQgdGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZyB3aXRob3V0IGFueSBzcGFjZXM" * 2
    log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened=f"He sent the code {token} again"),
    )
    chronology = build(case, profile="police", produced_by=personas.advocate, charts_wanted=False)
    raw = "\n".join(page.extract_text() for page in reader(pdf.chronology_pdf(chronology)).pages)
    # Wrapped onto several lines of its column, every character still there, none added.
    found = re.search(r"the code (\S+(?:\s+\S+)+?)\s+again", raw)
    assert found and "".join(found.group(1).split()) == token


def test_the_statement_draft_is_an_mg11_marked_as_a_draft_on_every_page() -> None:
    paragraphs = [
        f"On Friday {day} October 2026 at about 21:30 I saw him outside my house again. "
        "He stood by the gate and stared at my window for an hour." * 2
        for day in range(1, 30)
    ]
    document = pdf.statement_pdf(statement(paragraphs))
    pages = page_texts(document)
    assert len(pages) >= 2
    for page in pages:
        assert "DRAFT — for the officer to take and the witness to check" in page
        assert "Signature:" in page and "Signature witnessed by:" in page
    text = " ".join(pages)
    for expected in (
        "WITNESS STATEMENT",
        "Criminal Justice Act 1967, s.9",
        "Statement of: Alex Example",
        "Age if under 18: Over 18",
        "Occupation: Teacher",
        f"This statement (consisting of {len(pages)} page(s) each signed by me) is true",
        "1. On Friday 1 October 2026",
        "29. On Friday 29 October 2026",
        "(Exhibits: AE/1)",
        "AE/1 Screenshot of messages",
    ):
        assert expected in text, expected


def every_document(case, personas: Personas) -> dict[str, bytes]:
    table = Table("People referred", ["Source", "People"])
    table.add("Police", 12)
    table.add("Self", 7)
    chart = charts.row_bars(
        table.title, ["Police", "Self"], [12, 7], description="Police 12, Self 7."
    )
    found = Statistics(dt.date(2026, 1, 1), dt.date(2026, 6, 30), ["Northshire"], [table])
    chronology = signed_build(case, profile="police", produced_by=personas.advocate)
    return {
        "chronology": pdf.chronology_pdf(chronology),
        "spo": spo_pdf(chronology, {}),
        "vps": vps_pdf(chronology, {"answers": {"emotional": "I cannot sleep."}}),
        "statement": pdf.statement_pdf(statement(["I saw him."])),
        "statistics": pdf.statistics_pdf(found, [(table, chart)], produced_at=timezone.now()),
    }


def test_every_pdf_is_tagged_pdf_ua_with_its_title_and_language(
    full_log,  # noqa: F811
    personas: Personas,
) -> None:
    for kind, document in every_document(full_log, personas).items():
        found = reader(document)
        root = found.trailer["/Root"]
        assert "/StructTreeRoot" in root, kind
        assert root["/Lang"] == "en-GB", kind
        assert root["/MarkInfo"]["/Marked"], kind
        assert found.metadata and found.metadata.title, kind
        assert b"pdfuaid:part>1<" in root["/Metadata"].get_object().get_data(), kind


def test_nothing_in_daybook_uses_weasyprint() -> None:
    package = Path(pdf.__file__).resolve().parent.parent
    imports = re.compile(r"^\s*(import|from)\s+weasyprint\b", re.MULTILINE)
    using = [path for path in package.rglob("*.py") if imports.search(path.read_text())]
    assert using == []
