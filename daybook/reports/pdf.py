from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from daybook.reports.chronology import Chronology


def render(template: str, context: dict) -> bytes:
    """A tagged (accessible) PDF from one of Daybook's HTML templates; no network access."""
    html = render_to_string(template, context)
    # Only `data:` URLs (the embedded charts) are fetched: a report never reaches a network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_tags=True)


def chronology_pdf(chronology: Chronology) -> bytes:
    return render("reports/chronology.html", {"c": chronology})
