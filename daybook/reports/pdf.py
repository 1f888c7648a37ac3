"""Every Daybook PDF, typeset by Typst from the templates in `reports/typst/`.

A template is handed its data as one JSON `sys.inputs` value (see `documents.py`) and never
markup built from strings, so text the person wrote is printed as it is. Output is tagged
PDF/UA-1 with its title and language set. Typst sees only the fonts named here (Liberation
Sans for Latin text, Noto for Arabic script, Gurmukhi, Bengali and colour emoji, Typst's own
DejaVu Sans Mono for hashes) and no system fonts, so a report looks the same on every machine
that installed the project's font packages.
"""

import datetime as dt
import json
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import typst

from daybook.reports import documents
from daybook.reports.chronology import Chronology
from daybook.reports.statement import Statement
from daybook.ui.charts import Chart

logger = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "typst"
# Debian's fonts-liberation and fonts-noto-core / fonts-noto-color-emoji.
FONT_DIRECTORIES = [
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/truetype/noto"),
]


@cache
def fonts() -> typst.Fonts:
    """Read once per process: finding the fonts costs more than typesetting a short report."""
    return typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=True,
        font_paths=[str(folder) for folder in FONT_DIRECTORIES if folder.is_dir()],
    )


def typeset(template: str, data: dict[str, Any], *, when: dt.datetime | None = None) -> bytes:
    """A tagged PDF from `reports/typst/<template>` given `data`; no network, no system fonts.
    `when` is the document's creation date (the produced-at time).

    PDF/UA-1 forbids a character no font can draw. A log may hold one (a script the fonts do
    not cover, a symbol from another phone's keyboard), and the person still needs their
    report: it is then typeset again without claiming PDF/UA-1, still tagged, with a box
    where the character could not be drawn."""
    compiler = typst.Compiler(root=str(TEMPLATES), font_paths=fonts(), ignore_system_fonts=True)
    arguments: dict[str, Any] = {
        "input": str(TEMPLATES / template),
        "format": "pdf",
        "sys_inputs": {"data": json.dumps(data, ensure_ascii=False)},
        "timestamp": when.astimezone(dt.UTC).replace(microsecond=0) if when else None,
    }
    try:
        document = compiler.compile(**arguments, pdf_standards=["ua-1"])
    except typst.TypstError as error:
        if "could not be displayed" not in error.message:
            raise
        # The message quotes the character: what the person wrote never reaches the logs.
        logger.warning("A report was typeset without PDF/UA-1: a character has no font.")
        document = compiler.compile(**arguments)
    if not isinstance(document, bytes):  # PDF output is one document, never a list of pages
        raise TypeError("Typst returned pages instead of one PDF")
    return document


def chronology_pdf(chronology: Chronology) -> bytes:
    return typeset("chronology.typ", documents.chronology(chronology), when=chronology.produced_at)


def statement_pdf(statement: Statement) -> bytes:
    return typeset("statement.typ", documents.statement(statement), when=statement.produced_at)


def statistics_pdf(
    found: documents.ServiceStatistics,
    figures: Sequence[tuple[documents.StatisticsTable, Chart | None]],
    *,
    produced_at: dt.datetime,
) -> bytes:
    """The service statistics: each table with its chart, if it has one."""
    return typeset(
        "statistics.typ", documents.statistics(found, figures, produced_at), when=produced_at
    )


def subject_access_pdf(document: dict[str, Any], *, produced_at: dt.datetime) -> bytes:
    """A person's copy of everything held about them, from the parts that
    `daybook.subject_access.document` lays out (headings, pairs and tables of plain text)."""
    return typeset("subject_access.typ", document, when=produced_at)
