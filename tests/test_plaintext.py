"""No personal data in plaintext columns: whatever a person or an advocate types is sealed.

Each form that takes free text is filled in through the real page, as the person who uses it,
with a canary: a string that appears nowhere else, tagged with the form and field it went
into, so a failure names the leak. Then the stored bytes are searched for every canary:

- every value of every row of every table, read back with SQL (SQLite and PostgreSQL alike);
- on SQLite, the database file itself and its `-wal` (and `-journal`) file, as raw bytes, so
  that text written and then overwritten, or still only in the write-ahead log, counts too.
  The test database is a file, not memory: `daybook/settings.py` names it
  (`DATABASES["default"]["TEST"]["NAME"]`, under `DAYBOOK_VAR_DIR`), and
  `django_db(transaction=True)` makes every write a committed one, so the files hold what a
  server's would. On PostgreSQL there is no file of ours to read, so only that part is skipped;
- every file under the storage root (evidence, imports and produced reports), contents and
  names; the `_evidence_storage` fixture gives each test a folder of its own.

Organisation names are not personal data and stay plain where lists need them (the
organisation of a referral to another agency, of a consultation): those fields are given a
real organisation's name below, never a canary, and `PLAIN_BY_DESIGN` says so.
"""

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from daybook.accounts.models import Organisation
from daybook.casework import forms as casework_forms
from daybook.casework.sections import SECTIONS
from daybook.risk.forms import ScreeningForm
from tests.conftest import Personas, entry_values, outsider_read
from tests.test_encryption import every_stored_value
from tests.test_reports import sign_in_fresh

ORGANISATION = "Northshire Housing Association"
# Fields kept plain on purpose: an organisation's name, which lists and consent checks use.
PLAIN_BY_DESIGN = {
    ("section referrals-out", "organisation_name"),
    ("consultation", "organisation_name"),
}
RUN = secrets.token_hex(4)  # a new suffix each run: stale pages of older runs never match


class Canaries:
    """Hands out canaries and remembers them, with where each one was written."""

    def __init__(self) -> None:
        self.written: dict[str, str] = {}

    def __call__(self, where: str, limit: int = 200) -> str:
        tag = "".join(c if c.isalnum() else "-" for c in where.upper())
        value = f"CANARY-{tag}-{RUN}-{len(self.written)}"[-limit:]
        self.written[value] = where
        return value

    def email(self, where: str) -> str:
        value = f"canary.{len(self.written)}.{RUN}@example.org"
        self.written[value] = where
        return value


def answers(form: forms.Form, canary: Canaries, where: str, **overrides: Any) -> dict[str, Any]:
    """A valid answer to every question of `form`: canaries in its free text, the first
    choice of every choice, a date in every date; `overrides` where that is not enough."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if name in overrides or isinstance(field, forms.ModelChoiceField):
            continue
        if (where, name) in PLAIN_BY_DESIGN:
            data[name] = ORGANISATION
        elif isinstance(field, forms.MultipleChoiceField):
            data[name] = [next(value for value, _label in field.choices if value)]
        elif isinstance(field, forms.ChoiceField):
            data[name] = next(value for value, _label in field.choices if value)
        elif isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.IntegerField):
            data[name] = max(field.min_value or 0, 1)
        elif isinstance(field, forms.DateTimeField):
            data[name] = "2026-11-02T18:30"
        elif isinstance(field, forms.DateField):
            data[name] = "2026-11-03"
        elif isinstance(field, forms.EmailField):
            data[name] = canary.email(f"{where}: {name}")
        elif isinstance(field, forms.CharField):
            data[name] = canary(f"{where} {name}", field.max_length or 200)
    return {**data, **overrides}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def posted(client: Client, url: str, data: dict[str, Any], **kwargs: Any) -> None:
    response = client.post(url, data, **kwargs)
    page = response.content.decode()
    problem = page[page.find("govuk-error-summary") :][:1500] if "error-summary" in page else ""
    assert response.status_code == 302, f"{url}: {response.status_code} {problem}"


def database_files() -> list[Path]:
    database = Path(connection.settings_dict["NAME"])
    assert database.is_file(), "the test database is a file (see the docstring)"
    return [path for path in database.parent.glob(f"{database.name}*") if path.is_file()]


def storage_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()]


def leaks(canaries: Canaries, text: str) -> list[str]:
    return [where for value, where in canaries.written.items() if value in text]


def raw_leaks(canaries: Canaries, paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        data = outsider_read(path)
        for value, where in canaries.written.items():
            if value.encode() in data or value in str(path):
                found.append(f"{where} in {path.name}")
    return found


def _victim_writes(personas: Personas, case, canary: Canaries) -> None:
    victim = client_for(personas.victim)
    values = entry_values(
        **{
            name: canary(f"entry {name}")
            for name in (
                "place",
                "what_happened",
                "description",
                "witnesses",
                "feelings",
                "police_reference",
                "police_officer",
                "private_details",
            )
        }
    )
    data = {name: value for name, value in values.items() if value not in (False, None)}
    posted(victim, reverse("incidents:record", args=[case.pk]), data)
    entry = case.entries.get()
    amended = {**data, "what_happened": canary("amendment what_happened")}
    posted(
        victim,
        reverse("incidents:amend", args=[case.pk, entry.pk]),
        {**amended, "reason": canary("amendment reason")},
    )
    draft = json.dumps({"fields": {"what_happened": [canary("draft")]}, "texts": []})
    autosaved = victim.post(
        reverse("drafts:autosave"), {"key": f"incidents.record:{case.pk}", "payload": draft}
    )
    assert autosaved.status_code == 204
    chat = f"12/01/24, 21:05 - Sam Ex: {canary('import message')}\n".encode()
    posted(
        victim,
        reverse("imports:start", args=[case.pk]),
        {"file": SimpleUploadedFile(f"{canary('import file name')}.txt", chat)},
    )

    # The reports a person produces: re-authenticated, as the pages ask.
    fresh = sign_in_fresh(personas.victim)
    pseudonym = {"kind": "chronology", "profile": "police", "pseudonym": canary("pseudonym", 100)}
    posted(fresh, reverse("reports:home", args=[case.pk]), pseudonym)
    vps = fresh.get(reverse("reports:vps", args=[case.pk])).context["form"]
    posted(fresh, reverse("reports:vps", args=[case.pk]), answers(vps, canary, "vps"))


def _advocate_writes(personas: Personas, case, canary: Canaries) -> None:
    advocate = client_for(personas.advocate)
    url = reverse("cases:details", args=[case.pk])
    posted(advocate, url, answers(casework_forms.ClientDetailsForm(), canary, "client details"))
    safe = answers(
        casework_forms.SafeContactForm(), canary, "safe contact", never_channels=["letter"]
    )
    posted(advocate, reverse("cases:safe_contact", args=[case.pk]), safe)
    perpetrator = answers(casework_forms.PerpetratorForm(), canary, "perpetrator")
    posted(advocate, reverse("cases:perpetrator_add", args=[case.pk]), perpetrator)

    consent_url = reverse("cases:consent", args=[case.pk])
    # The organisation a referral goes to is named in the consent for it (sealed, even so).
    posted(
        advocate,
        consent_url,
        {
            "record_consent": "1",
            "purpose": "share_organisation",
            "how": "verbal",
            "detail": ORGANISATION,
        },
    )
    posted(
        advocate,
        consent_url,
        {
            "record_consent": "1",
            "purpose": "contact_channel",
            "how": "verbal",
            "detail": canary("consent detail", 100),
        },
    )
    posted(
        advocate,
        consent_url,
        {
            "record_basis": "1",
            "purpose": "police",
            "detail": canary("lawful basis detail", 100),
            "basis": canary("lawful basis"),
        },
    )
    risk = answers(ScreeningForm(), canary, "risk screening", judgement="high")
    posted(advocate, reverse("risk:screening", args=[case.pk]), risk)
    for slug, section in SECTIONS.items():
        data = answers(section.form(), canary, f"section {slug}")
        posted(advocate, reverse("cases:section", args=[case.pk, slug]), data)

    fresh = sign_in_fresh(personas.advocate)
    spo = fresh.get(reverse("reports:spo", args=[case.pk])).context["form"]
    posted(fresh, reverse("reports:spo", args=[case.pk]), answers(spo, canary, "spo"))

    consultation = answers(
        casework_forms.ConsultationForm(), canary, "consultation", case_reference=""
    )
    posted(advocate, reverse("cases:consultations"), consultation)


def _referral_writes(personas: Personas, canary: Canaries) -> None:
    public = Client()
    public.post(reverse("public:before_you_continue"), {"next": "/"})
    own = answers(
        casework_forms.SelfReferralForm(), canary, "self-referral", never_channels=["letter"]
    )
    posted(public, reverse("cases:refer_yourself"), own)
    account = answers(
        casework_forms.AccountReferralForm(),
        canary,
        "account referral",
        never_channels=["letter"],
        bring_log="",
    )
    posted(client_for(personas.outsider), reverse("cases:referral_new"), account)
    partner = client_for(personas.partner)
    professional = answers(
        casework_forms.ProfessionalReferralForm(),
        canary,
        "professional referral",
        never_channels=["letter"],
    )
    posted(partner, reverse("cases:referral_new"), professional)
    request = answers(casework_forms.AdviceRequestForm(), canary, "advice request")
    posted(partner, reverse("cases:consultations"), request)

    from daybook.cases.models import Consultation, Referral

    manager = client_for(personas.manager)
    declined = Referral.objects.get(source=Referral.Source.PARTNER)
    reason = {"reason": canary("decline reason", 300)}
    posted(manager, reverse("cases:referral_decline", args=[declined.pk]), reason)
    asked = Consultation.objects.get(requested_by=personas.partner)
    advice = answers(casework_forms.AdviceForm(), canary, "advice")
    posted(manager, reverse("cases:consultation_advise", args=[asked.pk]), advice)


@pytest.fixture
def written(personas: Personas, case) -> Canaries:
    """Every form that takes free text, filled in with canaries through its page."""
    canary = Canaries()
    _victim_writes(personas, case, canary)
    _advocate_writes(personas, case, canary)
    _referral_writes(personas, canary)
    closing = {
        "status": "closed",
        "closure_reason": canary("closure reason"),
        "relationship": "ex_partner",
    }
    posted(client_for(personas.advocate), reverse("cases:status", args=[case.pk]), closing)
    assert len(canary.written) > 80  # every form was filled in, not skipped
    return canary


def _control() -> Canaries:
    """A canary written in plain on purpose (an organisation's name): the search finds it."""
    control = Canaries()
    Organisation.objects.create(name=control("control"), kind=Organisation.Kind.PARTNER_AGENCY)
    return control


@pytest.mark.django_db(transaction=True)
def test_no_typed_text_is_stored_in_plain(personas: Personas, case, written: Canaries) -> None:
    from daybook.cases.models import Referral
    from daybook.reports.models import Report
    from daybook.reports.services import report_options

    # Everything written reads back for those allowed to see it...
    reports = Report.objects.filter(case=case)
    assert {report.kind: report.status for report in reports} == {
        "chronology": "done",
        "vps": "done",
        "spo": "done",
    }
    options = {report.kind: report_options(report) for report in reports}
    assert options["chronology"]["pseudonym"].startswith("CANARY-PSEUDONYM-")
    assert options["spo"]["necessity"].startswith("CANARY-SPO-NECESSITY-")
    assert options["vps"]["answers"]["physical"].startswith("CANARY-VPS-PHYSICAL-")
    advocate = client_for(personas.advocate)
    record = advocate.get(reverse("cases:record", args=[case.pk])).content.decode()
    assert "CANARY-CLOSURE-REASON-" in record
    consent = advocate.get(reverse("cases:consent", args=[case.pk])).content.decode()
    assert "CANARY-CONSENT-DETAIL-" in consent and ORGANISATION in consent
    declined = Referral.objects.get(status=Referral.Status.DECLINED)
    page = client_for(personas.manager).get(reverse("cases:referral", args=[declined.pk]))
    assert "CANARY-DECLINE-REASON-" in page.content.decode()

    # ...and none of it is in any row of any table, or in any stored file or its name.
    assert leaks(_control(), every_stored_value()) == ["control"]
    assert leaks(written, every_stored_value()) == []
    assert raw_leaks(written, storage_files()) == []


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="only SQLite keeps the database in files of ours to read; on PostgreSQL every row "
    "of every table is checked by test_no_typed_text_is_stored_in_plain",
)
@pytest.mark.django_db(transaction=True)
def test_no_typed_text_is_in_the_database_files(written: Canaries) -> None:
    """The raw bytes of the SQLite database and its write-ahead log: nothing overwritten,
    deleted or not yet checkpointed is left readable there either."""
    control = _control()
    assert raw_leaks(control, database_files())
    assert raw_leaks(written, database_files()) == []


@pytest.mark.django_db(transaction=True)
def test_erasing_a_case_leaves_nothing_of_its_reports_or_consents(personas: Personas, case) -> None:
    """Crypto-shredding: once the case's key is gone, what was sealed with it cannot be read
    and nothing of it is kept beside it in plain."""
    from daybook.cases.models import Case, Consent
    from daybook.cases.services import case_erase, case_status_set, consent_record
    from daybook.reports.services import report_request

    canary = Canaries()
    report_request(
        case=case,
        actor=personas.victim,
        kind="vps",
        profile="police",
        options={"answers": {"physical": canary("vps physical")}},
    )
    consent_record(
        case=case,
        actor=personas.advocate,
        purpose="contact_channel",
        how="verbal",
        detail=canary("consent detail", 100),
    )
    case_status_set(
        case=case, actor=personas.advocate, status="closed", closure_reason=canary("closure")
    )
    case_erase(case=case, actor=personas.manager)
    erased = Case.objects.get(pk=case.pk)
    assert erased.closure_reason == "" and Consent.objects.get(case=case).detail == ""
    assert leaks(canary, every_stored_value()) == []


@pytest.mark.django_db(transaction=True)
def test_the_senders_chosen_in_an_import_are_not_stored_in_plain(personas: Personas, case) -> None:
    canary = Canaries()
    sender = canary("import sender", 60)
    chat = f"12/01/24, 21:05 - {sender}: answer me\n12/01/24, 21:10 - Me: Stop\n".encode()
    victim = client_for(personas.victim)
    upload = {"file": SimpleUploadedFile("WhatsApp Chat.txt", chat)}
    posted(victim, reverse("imports:start", args=[case.pk]), upload)
    job = case.imports.get()
    choices = {"stalkers": [sender], "time_zone": "Europe/London", "date_order": "dmy"}
    posted(victim, reverse("imports:job", args=[case.pk, job.pk]), choices)
    assert leaks(canary, every_stored_value()) == []
