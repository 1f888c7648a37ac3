"""Issue 15's report benchmark: Typst typesetting the chronology beside WeasyPrint rendering a
plain HTML table of the same rows, timed in alternating rounds of the same run.

    .venv/bin/pip install weasyprint==70.0   # benchmark-only; not a dependency of Daybook
    .venv/bin/python benchmarks/report_bench.py [--entries 1000] [--exhibits 200] [--rounds 3]

1. A chronology of 1,000 entries and 200 exhibits, built once from the log (outside the
   timing), typeset to PDF by Daybook (the JSON handed over and Typst's whole job), beside
   WeasyPrint turning the same rows into a plain, unstyled HTML table and that into a PDF:
   target at most 0.2x of the baseline. Without WeasyPrint only the baseline is skipped.
2. A chronology ten times as long (10,000 entries: one imported chat) typeset the same way,
   timed on its own (WeasyPrint would take minutes).
"""

import argparse
import dataclasses
import io
import statistics
import sys
import time
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import compare, fill_log, start_django


def plain_table(chronology) -> str:
    """The rows and cells the chronology prints, as a plain unstyled table."""
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(cell))}</td>"
            for cell in (
                row.number,
                f"{row.when} recorded {row.entry.recorded_at:%d %b %Y %H:%M}",
                f"{row.entry.get_place_kind_display()} {row.content['place']}",
                f"{row.content['what_happened']} {row.content['description']} "
                f"{row.content['feelings']}",
                ", ".join(row.behaviours),
                row.content["witnesses"],
                ", ".join(row.exhibits),
                f"{row.content['police_reference']} {row.content['police_officer']}",
                "Withdrawn" if row.entry.status == "withdrawn" else "",
            )
        )
        + "</tr>"
        for row in chronology.rows
    )
    return f"<html><body><table>{rows}</table></body></html>"


def variants(chronology, count: int) -> list:
    """`count` copies of a chronology whose every entry's words differ from copy to copy, so
    no round typesets text Typst has already laid out in an earlier one."""
    return [
        dataclasses.replace(
            chronology,
            rows=[
                dataclasses.replace(
                    row,
                    content={
                        **row.content,
                        "what_happened": f"{row.content['what_happened']} (copy {copy})",
                    },
                )
                for row in chronology.rows
            ],
        )
        for copy in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--exhibits", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    start_django()
    from PIL import Image

    from daybook.accounts.models import Role, User
    from daybook.cases.services import case_open
    from daybook.incidents import services
    from daybook.incidents.evidence import check_upload
    from daybook.incidents.models import Entry
    from daybook.reports.chronology import build
    from daybook.reports.pdf import chronology_pdf
    from daybook.reports.services import sign_chronology

    try:
        from weasyprint import HTML
    except ImportError:
        HTML = None
        print(
            "WeasyPrint is not installed, so the baseline is skipped: "
            ".venv/bin/pip install weasyprint==70.0"
        )

    victim = User.objects.create_user(
        "bench@example.org", "bench-password-1", role=Role.VICTIM, name="Sam Bench"
    )

    def chronology_of(entries: int, exhibits: int):
        case = case_open(created_by=victim, owner=victim)
        fill_log(case, victim, entries)
        logged = list(Entry.objects.filter(case=case).order_by("pk"))
        for index in range(exhibits):
            buffer = io.BytesIO()
            Image.new("RGB", (320, 240), (index % 255, 90, 160)).save(buffer, format="JPEG")
            services.evidence_add(
                entry=logged[index * len(logged) // exhibits],
                author=victim,
                how="victim",
                checked=check_upload(f"screenshot-{index}.jpg", buffer.getvalue()),
            )
        case.refresh_from_db()
        chronology = build(case, profile="police", produced_by=victim)
        sign_chronology(chronology, actor=victim, purpose="bundle")
        return chronology

    chronology = chronology_of(arguments.entries, arguments.exhibits)
    copies = variants(chronology, arguments.rounds + 1)  # one warm-up round, then the rounds
    started = time.perf_counter()
    document = chronology_pdf(copies[0])
    first = time.perf_counter() - started
    print(
        f"Chronology: {len(chronology.rows)} entries, {len(chronology.exhibits)} exhibits; "
        f"PDF {len(document) // 1024} KB; the process's first typesetting {first:.2f} s"
    )
    turn = {"ours": 0, "baseline": 0}

    def ours() -> bytes:
        turn["ours"] += 1
        return chronology_pdf(copies[turn["ours"] % len(copies)])

    def baseline() -> bytes:
        turn["baseline"] += 1
        return HTML(string=plain_table(copies[turn["baseline"] % len(copies)])).write_pdf()

    ok = True
    if HTML is not None:
        ok = compare(
            f"Typesetting {len(chronology.rows)} rows: Typst chronology vs WeasyPrint plain table",
            ours,
            baseline,
            target=0.2,
            rounds=arguments.rounds,
        )
    else:
        timings = []
        for _ in range(arguments.rounds):
            started = time.perf_counter()
            ours()
            timings.append(time.perf_counter() - started)
        print(
            f"Typst chronology, {len(chronology.rows)} rows: "
            f"median {statistics.median(timings):.2f} s"
        )

    large = variants(chronology_of(arguments.entries * 10, 0), arguments.rounds)
    timings = []
    for copy in large:
        started = time.perf_counter()
        pages = chronology_pdf(copy)
        timings.append(time.perf_counter() - started)
    middle = statistics.median(timings)
    rows = len(large[0].rows)
    print(
        f"Typst chronology of {rows} entries (informational): min {min(timings):.2f} "
        f"/ median {middle:.2f} / max {max(timings):.2f} s, "
        f"{middle / rows * 1000:.2f} ms a row, PDF {len(pages) // 1024} KB"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
