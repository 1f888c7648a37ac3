"""Issue 5's report benchmark, printed beside a baseline measured in the same run.

    .venv/bin/python benchmarks/report_bench.py [--entries 1000] [--exhibits 200]

Builds the chronology PDF and the evidence bundle for a case of 1,000 entries and 200
exhibits, against WeasyPrint rendering a plain table of the same rows (target: within 2x).
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import report, start_django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--exhibits", type=int, default=200)
    arguments = parser.parse_args()
    start_django()
    from django.db import transaction
    from PIL import Image
    from weasyprint import HTML

    from daybook.accounts.models import Role, User
    from daybook.cases.services import case_open
    from daybook.incidents import services
    from daybook.incidents.evidence import check_upload
    from daybook.reports.bundle import build_bundle
    from daybook.reports.chronology import build
    from daybook.reports.pdf import chronology_pdf
    from daybook.reports.services import sign_chronology

    victim = User.objects.create_user(
        "bench@example.org", "bench-password-1", role=Role.VICTIM, name="Sam Bench"
    )
    case = case_open(created_by=victim, owner=victim)
    entries = []
    with transaction.atomic():
        for index in range(arguments.entries):
            entries.append(
                services.entry_record(
                    case=case,
                    author=victim,
                    how="victim",
                    values={
                        "occurred_on": f"202{index % 6}-{1 + index % 12:02d}-{1 + index % 28:02d}",
                        "occurred_time": f"{index % 24:02d}:{index % 60:02d}",
                        "channel": ["text_message", "in_person", "phone_call"][index % 3],
                        "behaviours": [["contacting"], ["following", "watching"], ["threats"]][
                            index % 3
                        ],
                        "what_happened": f"Incident {index}: messages saying he knows where I am.",
                        "witnesses": "A neighbour" if index % 5 == 0 else "",
                        "feared_violence": index % 4 == 0,
                    },
                )
            )
    for index in range(arguments.exhibits):
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (index % 255, 90, 160)).save(buffer, format="JPEG")
        services.evidence_add(
            entry=entries[index * len(entries) // arguments.exhibits],
            author=victim,
            how="victim",
            checked=check_upload(f"screenshot-{index}.jpg", buffer.getvalue()),
        )
    case.refresh_from_db()

    started = time.perf_counter()
    chronology = build(case, profile="police", produced_by=victim)
    sign_chronology(chronology, actor=victim, purpose="bundle")
    document = chronology_pdf(chronology)
    pdf_seconds = time.perf_counter() - started
    bundle = build_bundle(chronology, document)
    total = time.perf_counter() - started

    # The same rows and the same cells, as a plain unstyled table.
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{cell}</td>"
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
    plain = f"<html><body><table>{rows}</table></body></html>"
    started = time.perf_counter()
    HTML(string=plain).write_pdf()
    baseline = time.perf_counter() - started

    sizes = f"PDF {len(document) // 1024} KB, bundle {len(bundle) // 1024} KB"
    print(f"Case: {len(chronology.rows)} entries, {len(chronology.exhibits)} exhibits; {sizes}")
    print(f"Chronology PDF alone: {pdf_seconds:.2f} s")
    ok = report("Chronology PDF and evidence bundle", total, baseline, 2.0, unit="s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
