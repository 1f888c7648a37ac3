"""Every URL that takes a case, visited by every persona, answers exactly as the table says.

URLs are found by walking the URL configuration, so a new case URL joins the matrix without
anyone remembering to add it.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from daybook.cases import services
from daybook.cases.sections import SECTIONS
from daybook.incidents.evidence import check_upload
from daybook.incidents.services import entry_draft_save, entry_record, evidence_add
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG

PERSONAS = [
    "victim",
    "advocate",
    "manager",
    "other_advocate",
    "outsider",
    "police",
    "partner",
    "commissioner",
    "administrator",
]
ALLOWED = (200, 302)


def case_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, str]]:
    """(namespace:name, route) of every URL pattern whose route takes a case id."""
    found = []
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            found += [(namespace + name, route) for name, route in case_patterns(pattern, prefix)]
        elif isinstance(pattern, URLPattern) and "<int:case_id>" in str(pattern.pattern):
            found.append((pattern.name, str(pattern.pattern)))
    return found


def expected(persona: str, name: str) -> tuple[int, ...]:
    """The table of issue 4 (and issue 3 for the log)."""
    if persona in ("advocate", "manager"):
        if name == "cases:allocate" and persona == "advocate":
            return (403,)
        return ALLOWED
    if persona == "victim":  # the case's own person
        staff_only = (
            name.startswith(("cases:", "risk:")) and name != "cases:my_support"
        ) or name == "insights:acknowledge"
        return (403,) if staff_only or name == "reports:spo" else ALLOWED
    return (404,)


@pytest.fixture
def world(personas: Personas, case):
    entry = entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    draft = entry_draft_save(case=case, author=personas.victim, how="victim", values=entry_values())
    evidence = evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload("a.png", PNG)
    )
    consent = services.consent_record(
        case=case, actor=personas.advocate, purpose="support", how="verbal"
    )
    records = {}
    for slug, section in SECTIONS.items():
        record = section.model(case=case, created_by=personas.advocate)
        for field in section.model._meta.concrete_fields:
            if (
                field.name in ("id", "case", "uid", "created_at", "created_by", "sealed")
                or field.null
                or field.has_default()
            ):
                continue
            value = (
                dt.date(2026, 1, 1)
                if field.get_internal_type() == "DateField"
                else (
                    dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
                    if field.get_internal_type() == "DateTimeField"
                    else (
                        field.choices[0][0]
                        if field.choices
                        else (
                            False
                            if field.get_internal_type() == "BooleanField"
                            else (1 if "Integer" in field.get_internal_type() else "x")
                        )
                    )
                )
            )
            setattr(record, field.name, value)
        record.save()
        records[slug] = record
    from daybook.reports.models import Report
    from daybook.reports.services import report_build
    from daybook.sharing.services import share_create

    report = Report.objects.create(
        case=case,
        kind="chronology",
        profile="police",
        requested_by=personas.victim,
        expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    report_build(report)
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    from daybook.imports.services import import_upload

    job = import_upload(
        case=case, actor=personas.victim, name="chat.txt", data=b"12/01/24, 21:05 - A: hi\n"
    )
    from daybook.insights.models import EscalationAlert

    alert = EscalationAlert.objects.create(
        case=case, kind="threat", signature="threat:x", facts={"on": "2026-01-01"}
    )
    return {
        "alert": alert,
        "case": case,
        "entry": entry,
        "draft": draft,
        "evidence": evidence,
        "consent": consent,
        "records": records,
        "report": report,
        "job": job,
        "share": share,
    }


def urls_for(name: str, route: str, world: dict) -> list[str]:
    case = world["case"]
    kwargs = {"case_id": case.pk}
    if "<int:entry_id>" in route:
        kwargs["entry_id"] = world["entry"].pk
    if "<int:draft_id>" in route:
        kwargs["draft_id"] = world["draft"].pk
    if "<int:evidence_id>" in route:
        kwargs["evidence_id"] = world["evidence"].pk
    if "<int:consent_id>" in route:
        kwargs["consent_id"] = world["consent"].pk
    if "<int:report_id>" in route:
        kwargs["report_id"] = world["report"].pk
    if "<int:job_id>" in route:
        kwargs["job_id"] = world["job"].pk
    if "<int:alert_id>" in route:
        kwargs["alert_id"] = world["alert"].pk
    if "<int:share_id>" in route:
        kwargs["share_id"] = world["share"].pk
    if "<slug:slug>" in route:
        urls = []
        for slug, record in world["records"].items():
            extra = {
                "slug": slug,
                **({"record_id": record.pk} if "<int:record_id>" in route else {}),
            }
            urls.append(reverse(name, kwargs={**kwargs, **extra}))
        return urls
    return [reverse(name, kwargs=kwargs)]


def test_the_matrix_covers_the_case_urls() -> None:
    names = {name for name, _route in case_patterns()}
    assert {
        "incidents:log",
        "cases:record",
        "risk:screening",
        "cases:section",
        "cases:my_support",
    } <= names
    assert len(names) >= 20


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_case_url_answers_each_persona_as_the_table_says(
    personas: Personas, world: dict, persona: str
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    for name, route in case_patterns():
        for url in urls_for(name, route, world):
            response = client.get(url)
            if response.status_code == 405:  # a POST-only action: ask it with a POST
                response = client.post(url, {})
            assert response.status_code in expected(persona, name), (
                persona,
                url,
                response.status_code,
            )
