"""Details to keep private: the words every page says and what each reader gets, held together.

The rule is written once (`PRIVATE_PROMISE`): the details reach no one outside the service unless
the person chooses, for a given share, to let the police see them, and then they are marked as
not for disclosure and left out of anything the defence sees. These tests read that sentence on
the pages that mention the details, and hold the police's view, chronology and bundle, and the
disclosable versions, to it."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from daybook.incidents import services as log
from daybook.incidents.content import (
    PRIVATE_MARK,
    PRIVATE_PROMISE,
    PRIVATE_SHARE_HINT,
    PRIVATE_SHARE_QUESTION,
)
from daybook.reports import services as reports
from daybook.reports.chronology import build
from daybook.reports.pdf import chronology_pdf
from daybook.sharing.models import Share
from daybook.sharing.services import share_create
from tests.conftest import Personas, entry_values
from tests.test_reports import make_bundle, pdf_text, sign_in_fresh, verify

CANARY = "Canary refuge at 7 Larch Close"
AMENDED = "Canary school is Hill Primary"
DOCS = Path(__file__).resolve().parent.parent / "docs"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def page(client: Client, url: str, data: dict | None = None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200
    return flat(response.content.decode())


@pytest.fixture
def private_log(case, personas: Personas):
    """Two entries with details to keep private; the second amended to new private details,
    so a chain record of an amendment holds them too."""
    log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(
            occurred_on="2026-10-01",
            what_happened="He waited at the bus stop",
            private_details=CANARY,
        ),
    )
    second = log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(
            occurred_on="2026-10-02",
            what_happened="He followed me home",
            private_details="First version",
        ),
    )
    log.entry_amend(
        entry=second,
        author=personas.victim,
        how="victim",
        changes={"private_details": AMENDED},
        reason="Added where the children go",
    )
    return case


def share_through_the_pages(case, personas: Personas, include_private: str | None) -> Share:
    """Share the whole log as the person does: the check page, then confirming it."""
    owner = sign_in_fresh(personas.victim)
    data = {"police": personas.police_force.pk, "scope": "whole"}
    if include_private is not None:
        data["include_private"] = include_private
    check = page(owner, reverse("sharing:check", args=[case.pk]), data)
    assert PRIVATE_PROMISE in check
    if include_private == "yes":
        assert f"Shared</strong>, marked “{PRIVATE_MARK}”" in check
        assert "Everything written in them:" in check
    else:
        assert "Not shared.</strong>" in check
        assert "what you wrote under “Details to keep private”" in check
    carried = re.findall(r'name="include_private" value="(\w*)"', check)
    assert carried == [include_private or ""]
    response = owner.post(
        reverse("sharing:case", args=[case.pk]),
        {**data, "include_private": carried[0], "date_from": "", "date_to": ""},
    )
    assert response.status_code == 302
    return Share.objects.get()


def police_outputs(share: Share, police: Client, capture) -> dict[str, str]:
    """Everything the police get from a share, as text: the shared log page, the chronology
    PDF and every file of the bundle."""
    url = reverse("police:shared_log", args=[share.pk])
    outputs = {"shared log": page(police, url)}
    for kind in ("chronology", "bundle"):
        with capture(execute=True):
            police.post(url, {"kind": kind})
        report = share.reports.get(kind=kind)
        data = police.get(
            reverse("police:shared_report_download", args=[share.pk, report.pk])
        ).content
        if kind == "chronology":
            outputs["chronology"] = flat(pdf_text(data))
        else:
            archive = zipfile.ZipFile(io.BytesIO(data))
            for name in archive.namelist():
                raw = archive.read(name)
                text = pdf_text(raw) if name.endswith(".pdf") else raw.decode("utf-8", "replace")
                outputs[f"bundle {name}"] = flat(text)
    return outputs


def test_the_promise_is_on_every_page_and_document_that_mentions_the_details(
    case, personas: Personas
) -> None:
    victim = Client()
    victim.force_login(personas.victim)
    for name in ("incidents:record", "sharing:case", "reports:home"):
        assert PRIVATE_PROMISE in page(victim, reverse(name, args=[case.pk])), name
    entry = log.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    for name in ("incidents:entry", "incidents:amend"):
        shown = page(victim, reverse(name, args=[case.pk, entry.pk]))
        assert PRIVATE_PROMISE in shown and "Details to keep private" in shown, name
    sharing = page(victim, reverse("sharing:case", args=[case.pk]))
    assert PRIVATE_SHARE_QUESTION in sharing and PRIVATE_SHARE_HINT in sharing
    for doc in ("victims.md", "advocates.md"):
        assert PRIVATE_PROMISE in flat((DOCS / doc).read_text()), doc


def test_a_share_without_the_choice_gives_the_police_none_of_them(
    private_log, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    share = share_through_the_pages(private_log, personas, include_private=None)
    assert not share.include_private
    outputs = police_outputs(
        share, sign_in_fresh(personas.police), django_capture_on_commit_callbacks
    )
    assert "bundle chain.jsonl" in outputs and "bundle README.txt" in outputs
    for name, text in outputs.items():
        assert CANARY not in text, name
        assert AMENDED not in text, name
        assert "First version" not in text, name
    assert "The details the person keeps private are not shared with you." in outputs["shared log"]
    assert "salted SHA-256 commitment" in outputs["bundle README.txt"]
    assert '"withheld_fields": ["changes.private_details"]' in outputs["bundle chain.jsonl"]


def test_a_share_made_with_no_gives_none_either(
    private_log, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    share = share_through_the_pages(private_log, personas, include_private="no")
    assert not share.include_private
    for name, text in police_outputs(
        share, sign_in_fresh(personas.police), django_capture_on_commit_callbacks
    ).items():
        assert CANARY not in text and AMENDED not in text, name


def test_a_share_with_the_choice_shows_them_marked_not_for_disclosure(
    private_log, personas: Personas, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    share = share_through_the_pages(private_log, personas, include_private="yes")
    assert share.include_private
    police = sign_in_fresh(personas.police)
    outputs = police_outputs(share, police, django_capture_on_commit_callbacks)
    shared = outputs["shared log"]
    assert CANARY in shared and AMENDED in shared and PRIVATE_MARK in shared
    assert f"{PRIVATE_MARK}: {CANARY}" in outputs["chronology"]
    assert f"{PRIVATE_MARK}: {CANARY}" in outputs["bundle chronology.pdf"]
    assert CANARY in outputs["bundle chain.jsonl"]
    assert "not for disclosure" in outputs["bundle README.txt"]
    # The bundle is whole: every chain record is given and verifies.
    report = share.reports.get(kind="bundle")
    zipped = tmp_path / "bundle.zip"
    zipped.write_bytes(reports.report_bytes(report, actor=personas.police))
    result = verify(zipped)
    assert result.returncode == 0, result.stdout

    # The officer can still produce the disclosable version, which leaves them out.
    url = reverse("police:shared_log", args=[share.pk])
    with django_capture_on_commit_callbacks(execute=True):
        police.post(url, {"kind": "chronology", "version": "disclosable"})
    disclosable = share.reports.filter(kind="chronology", profile="disclosable").get()
    text = pdf_text(reports.report_bytes(disclosable, actor=personas.police))
    assert CANARY not in text and AMENDED not in text
    assert "withheld" in text.lower()
    listed = page(police, url)
    assert "Chronology (PDF), with the private details (not for disclosure)," in listed
    assert "Chronology (PDF), disclosable," in listed


def test_a_police_report_from_a_share_without_the_choice_is_built_without_them(
    private_log, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    """Even asked for the police profile, a report from such a share leaves them out."""
    share = share_create(case=private_log, actor=personas.victim, police=personas.police_force)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_request(
            case=private_log,
            actor=personas.police,
            kind="chronology",
            profile="police",
            share=share,
        )
    report.refresh_from_db()
    text = pdf_text(reports.report_bytes(report, actor=personas.police))
    assert CANARY not in text and AMENDED not in text


def test_the_disclosable_versions_never_hold_them(private_log, personas: Personas) -> None:
    built = build(private_log, profile="disclosable", produced_by=personas.advocate)
    assert CANARY not in pdf_text(chronology_pdf(built))
    archive = zipfile.ZipFile(
        io.BytesIO(make_bundle(private_log, personas.advocate, "disclosable"))
    )
    for name in archive.namelist():
        raw = archive.read(name)
        text = pdf_text(raw) if name.endswith(".pdf") else raw.decode("utf-8", "replace")
        assert CANARY not in text and AMENDED not in text, name
    assert "salted SHA-256 commitment" in archive.read("README.txt").decode()
