"""A copy of everything held about a person: asked for from their account (or produced by a
manager for a request made by letter), built in the background, opened as the person would
open it: the ZIP, its JSON and its PDF's text."""

import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Case, ContactNote, Referral
from daybook.cases.services import case_open, consent_record
from daybook.casework.sections import SECTIONS
from daybook.casework.services import casework_save, consultation_save, referral_make
from daybook.drafts.kinds import form_key, place_of
from daybook.drafts.services import draft_save
from daybook.incidents.evidence import check_upload
from daybook.incidents.services import entry_amend, entry_record, entry_withdraw, evidence_add
from daybook.sharing.services import share_create
from daybook.subject_access.models import SubjectAccessRequest
from daybook.subject_access.services import casework_withhold, subject_access_purge_expired
from tests.conftest import Personas, entry_values
from tests.test_accounts import reauthenticate, sign_in, sign_in_with_mfa
from tests.test_evidence import PNG

ADVICE = "Ask the landlord for a lock change this week"
CONSULTANT_CONTACT = "kim.housing@example.org"
WITHHELD_NOTE = "Spoke to her sister Rachel, who asked us not to say"
INCLUDED_NOTE = "Called to plan the court visit"
OTHER_PERSON = "Someone else's log entirely"
UNSENT = "Half a referral, never sent"


@dataclass
class Held:
    case: Case
    other_case: Case
    withheld: ContactNote


def _note(case: Case, author, text: str) -> ContactNote:
    record = casework_save(
        case=case,
        section=SECTIONS["contact"],
        author=author,
        values={
            "happened_at": "2026-10-03T10:00:00+01:00",
            "channel": ContactNote.Channel.choices[0][0],
            "direction": ContactNote.Direction.choices[0][0],
            "duration_minutes": 10,
            "safe_contact_checked": True,
            "note": text,
        },
    )
    assert isinstance(record, ContactNote)
    return record


@pytest.fixture
def held(case: Case, personas: Personas) -> Held:
    """The person's log with an amended entry, a withdrawn one and a file; their case record
    with one note withheld and one not; a consent, a referral, a share, and an advocate's
    reading of the log. Another person's log beside it."""
    victim = personas.victim
    personas.advocate.name = "Jo Bloggs"
    personas.advocate.save(update_fields=["name"])
    first = entry_record(case=case, author=victim, how="victim", values=entry_values())
    entry_amend(
        entry=first,
        author=victim,
        how="victim",
        changes={"what_happened": "He stood outside the house for two hours."},
        reason="I remembered it better",
    )
    evidence_add(entry=first, author=victim, how="victim", checked=check_upload("door.png", PNG))
    second = entry_record(
        case=case,
        author=victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-04", what_happened="A note through the door"),
    )
    entry_withdraw(entry=second, author=victim, how="victim", reason="Logged twice")
    consent_record(case=case, actor=personas.advocate, purpose="statistics", how="verbal")
    referral_make(
        service=personas.service,
        source=Referral.Source.PARTNER,
        details={"name": "Vic Tim", "situation": "Followed home from work"},
        referrer=personas.partner,
        case=case,
    )
    share_create(case=case, actor=victim, police=personas.police_force)
    consent_record(
        case=case,
        actor=personas.advocate,
        purpose="share_organisation",
        how="verbal",
        detail="Northshire Housing",
    )
    consultation_save(
        service=personas.service,
        actor=personas.advocate,
        case=case,
        values={
            "organisation_name": "Northshire Housing",
            "organisation_kind": "housing",
            "question": "Can the locks be changed?",
            "contact": CONSULTANT_CONTACT,
            "advice": ADVICE,
        },
    )
    withheld = _note(case, personas.advocate, WITHHELD_NOTE)
    _note(case, personas.advocate, INCLUDED_NOTE)
    casework_withhold(record=withheld, actor=personas.manager, because="third_party")
    referral_form = form_key("cases.referral")
    draft_save(
        owner=victim,
        key=referral_form,
        place=place_of(victim, referral_form),
        payload={"fields": {"situation": [UNSENT]}, "texts": []},
    )
    advocate = Client()
    sign_in_with_mfa(advocate, personas.advocate)
    assert advocate.get(reverse("incidents:log", args=[case.pk])).status_code == 200
    other_case = case_open(created_by=personas.outsider, owner=personas.outsider)
    entry_record(
        case=other_case,
        author=personas.outsider,
        how="victim",
        values=entry_values(what_happened=OTHER_PERSON),
    )
    return Held(case=case, other_case=other_case, withheld=withheld)


def _victim(personas: Personas) -> Client:
    client = Client()
    sign_in(client, personas.victim.email)
    reauthenticate(client)
    return client


def _produce(client: Client, url: str, capture) -> SubjectAccessRequest:
    with capture(execute=True):
        response = client.post(url)
    copy = SubjectAccessRequest.objects.latest("pk")
    assert response.status_code == 302, response.status_code
    assert "Ready" in client.get(response["Location"]).content.decode()
    return copy


def _open(response) -> tuple[dict, str, zipfile.ZipFile]:
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("copy.json"))
    pdf = PdfReader(io.BytesIO(archive.read("copy.pdf")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    return data, " ".join(text.split()), archive


def test_a_person_downloads_everything_held_about_them(
    held: Held, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    client = _victim(personas)
    copy = _produce(client, reverse("subject_access:mine"), django_capture_on_commit_callbacks)
    data, text, archive = _open(client.get(reverse("subject_access:mine_download", args=[copy.pk])))

    assert data["account"]["email"] == personas.victim.email
    assert any(item["what"] == "Signed in" for item in data["account"]["sign_in_history"])
    (log,) = data["logs"]
    assert log["reference"] == held.case.reference
    amended, withdrawn = log["entries"]
    kinds = [record["kind"] for record in amended["history"]]
    assert kinds == ["Entry", "Amendment", "Evidence file"]
    assert amended["content"]["what_happened"] == "He stood outside the house for two hours."
    assert amended["history"][0]["content"]["what_happened"].startswith("He stood outside")
    assert amended["history"][1]["content"]["reason"] == "I remembered it better"
    assert withdrawn["status"] == "Withdrawn"
    assert [record["kind"] for record in withdrawn["history"]] == ["Entry", "Withdrawal"]
    (evidence,) = amended["evidence"]
    assert archive.read(evidence["file"]) == PNG
    assert log["consents"][0]["purpose"] == "Anonymised statistics"
    assert log["shares"][0]["with"] == personas.police_force.name
    (referral,) = data["referrals"]
    assert referral["details"]["situation"] == "Followed home from work"
    assert referral["referred_by"] == personas.partner_agency.name
    viewed = [item for item in data["views"] if item["action"] == "Log viewed"]
    assert viewed and viewed[0]["organisation"] == personas.service.name
    assert viewed[0]["role"] == "Advocate"
    # Staff are named by role and organisation only: their names are their own data.
    assert "Jo Bloggs" not in json.dumps(data) and personas.advocate.email not in json.dumps(data)

    (consultation,) = log["consultations"]
    assert consultation["with"] == "Northshire Housing" and consultation["advice"] == ADVICE
    assert ADVICE in text and "Advice given to other organisations" in text
    # How to reach the professional who asked is theirs, not the person's.
    assert CONSULTANT_CONTACT not in json.dumps(data) and CONSULTANT_CONTACT not in text

    notes = json.dumps(log["case_record"])
    assert INCLUDED_NOTE in notes
    assert WITHHELD_NOTE not in json.dumps(data) and WITHHELD_NOTE not in text
    assert OTHER_PERSON not in json.dumps(data) and OTHER_PERSON not in text
    assert held.other_case.reference not in json.dumps(data)

    # Codes for machines in the JSON; the form's own words in the PDF.
    assert amended["content"]["channel"] == "in_person"
    assert "Channel In person" in text and "in_person" not in text
    assert "before this contact: Yes" in text and "When: 3 Oct 2026, 09:00 UTC" in text
    (draft,) = data["drafts"]
    assert draft["content"]["situation"] == [UNSENT]
    for words in (
        UNSENT,
        "A copy of everything held about you",
        "He stood outside the house for two hours.",
        "I remembered it better",
        "Logged twice",
        "Followed home from work",
        INCLUDED_NOTE,
        "Who else opened or changed your records",
        personas.police_force.name,
    ):
        assert words in text, words

    actions = set(
        AuditEvent.objects.filter(
            subject_id=str(copy.pk), subject_type="subject_access.subjectaccessrequest"
        ).values_list("action", flat=True)
    )
    assert actions == {
        Action.SUBJECT_ACCESS_REQUESTED,
        Action.SUBJECT_ACCESS_BUILT,
        Action.SUBJECT_ACCESS_DOWNLOADED,
    }


def test_asking_and_downloading_need_the_person_to_confirm_its_them(
    held: Held, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    stale = Client()
    sign_in(stale, personas.victim.email)
    response = stale.post(reverse("subject_access:mine"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not SubjectAccessRequest.objects.exists()


def test_a_copy_is_its_persons_alone(
    held: Held, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    copy = _produce(
        _victim(personas), reverse("subject_access:mine"), django_capture_on_commit_callbacks
    )
    outsider = Client()
    sign_in(outsider, personas.outsider.email)
    reauthenticate(outsider)
    for name in ("subject_access:mine_status", "subject_access:mine_download"):
        assert outsider.get(reverse(name, args=[copy.pk])).status_code == 404
    assert (
        outsider.get(reverse("subject_access:mine_status", args=[copy.pk + 99])).status_code == 404
    )
    advocate = Client()
    advocate.force_login(personas.advocate)
    assert advocate.get(reverse("subject_access:mine")).status_code == 404


def test_the_stored_copy_is_sealed_and_deleted_when_it_expires(
    held: Held, personas: Personas, django_capture_on_commit_callbacks, settings
) -> None:
    from django.core.files.storage import default_storage

    client = _victim(personas)
    copy = _produce(client, reverse("subject_access:mine"), django_capture_on_commit_callbacks)
    copy.refresh_from_db()
    with default_storage.open(copy.storage_name, "rb") as handle:
        stored = handle.read()
    assert b"copy.json" not in stored and stored[:2] != b"PK"
    SubjectAccessRequest.objects.filter(pk=copy.pk).update(expires_at=copy.created_at)
    assert subject_access_purge_expired() == 1
    assert not default_storage.exists(copy.storage_name)
    copy.refresh_from_db()
    assert copy.wrapped_key is None
    response = client.get(reverse("subject_access:mine_download", args=[copy.pk]))
    assert response.status_code == 410


def test_a_manager_produces_the_copy_for_a_request_made_by_letter(
    held: Held, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    manager = Client()
    sign_in_with_mfa(manager, personas.manager)
    reauthenticate(manager)
    page = manager.get(reverse("subject_access:case", args=[held.case.pk])).content.decode()
    assert INCLUDED_NOTE in page and WITHHELD_NOTE in page
    copy = _produce(
        manager,
        reverse("subject_access:case", args=[held.case.pk]),
        django_capture_on_commit_callbacks,
    )
    assert copy.via == SubjectAccessRequest.Via.LETTER
    data, text, _archive = _open(
        manager.get(reverse("subject_access:case_download", args=[held.case.pk, copy.pk]))
    )
    assert data["logs"][0]["reference"] == held.case.reference
    assert INCLUDED_NOTE in text and WITHHELD_NOTE not in text
    assert AuditEvent.objects.filter(
        action=Action.SUBJECT_ACCESS_DOWNLOADED, actor=personas.manager
    ).exists()
    # The advocate may read the case but not produce its copy; another service cannot see it.
    advocate = Client()
    advocate.force_login(personas.advocate)
    assert advocate.get(reverse("subject_access:case", args=[held.case.pk])).status_code == 403
    other = Client()
    other.force_login(personas.other_advocate)
    assert other.get(reverse("subject_access:case", args=[held.case.pk])).status_code == 404


def test_a_manager_withholds_a_record_with_a_reason_and_releases_it(
    held: Held, personas: Personas
) -> None:
    manager = Client()
    sign_in_with_mfa(manager, personas.manager)
    url = reverse("subject_access:withhold", args=[held.case.pk, held.withheld.uid])
    manager.post(url, {"because": ""})
    held.withheld.refresh_from_db()
    assert held.withheld.withheld == ""
    response = manager.post(url, {"because": "serious_harm"})
    assert response.status_code == 302
    held.withheld.refresh_from_db()
    assert held.withheld.withheld == "serious_harm"
    assert AuditEvent.objects.filter(
        action=Action.CASEWORK_SAVED, extra__withheld="serious_harm", actor=personas.manager
    ).exists()
    bad = manager.post(url, {"because": "no such reason"}, follow=True)
    assert "Choose why the record is withheld" in bad.content.decode()
    held.withheld.refresh_from_db()
    assert held.withheld.withheld == "serious_harm"
    wrong = reverse("subject_access:withhold", args=[held.case.pk, "0" * 32])
    assert manager.post(wrong, {"because": ""}).status_code == 404


def test_erasing_the_case_deletes_a_copy_produced_for_it(
    held: Held, personas: Personas, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.storage import default_storage

    from daybook.erasure.models import ErasureRequest
    from daybook.erasure.services import erasure_carry_out, erasure_request

    manager = Client()
    sign_in_with_mfa(manager, personas.manager)
    reauthenticate(manager)
    copy = _produce(
        manager,
        reverse("subject_access:case", args=[held.case.pk]),
        django_capture_on_commit_callbacks,
    )
    copy.refresh_from_db()
    assert default_storage.exists(copy.storage_name)
    erasure = erasure_request(
        case=held.case,
        actor=personas.manager,
        reason=ErasureRequest.Reason.SERVICE,
        service_reason=ErasureRequest.ServiceReason.NO_LONGER_NEEDED,
    )
    erasure_carry_out(erasure=erasure)
    assert not default_storage.exists(copy.storage_name)
    assert not SubjectAccessRequest.objects.filter(pk=copy.pk).exists()


def test_a_copy_that_cannot_be_built_says_so_kindly_and_stores_nothing(
    held: Held, personas: Personas, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from daybook.subject_access import collect

    def broken(**kwargs: object) -> None:
        raise RuntimeError("Followed home from work")  # what the message might quote

    monkeypatch.setattr(collect, "collect", broken)
    client = _victim(personas)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subject_access:mine"))
    page = client.get(response["Location"]).content.decode()
    assert "The copy could not be produced (RuntimeError). Try again." in page
    copy = SubjectAccessRequest.objects.get()
    assert copy.status == SubjectAccessRequest.Status.FAILED and copy.storage_name == ""
    event = AuditEvent.objects.get(action=Action.SUBJECT_ACCESS_FAILED, subject_id=str(copy.pk))
    assert event.extra["failure"] == "RuntimeError"
    assert not AuditEvent.objects.filter(
        action=Action.SUBJECT_ACCESS_BUILT, subject_id=str(copy.pk)
    ).exists()
    assert "Followed home" not in json.dumps(event.extra)
    download = client.get(reverse("subject_access:mine_download", args=[copy.pk]))
    assert download.status_code == 404


def test_a_persons_copy_holding_a_log_erased_since_is_deleted_at_the_next_purge(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.storage import default_storage

    from daybook.erasure.models import ErasureRequest
    from daybook.erasure.services import erasure_carry_out, erasure_request

    own = case_open(created_by=personas.victim, owner=personas.victim)
    entry_record(case=own, author=personas.victim, how="victim", values=entry_values())
    client = _victim(personas)
    copy = _produce(client, reverse("subject_access:mine"), django_capture_on_commit_callbacks)
    copy.refresh_from_db()
    assert copy.covers == [own.pk]
    assert subject_access_purge_expired() == 0
    erasure = erasure_request(case=own, actor=personas.victim, reason=ErasureRequest.Reason.PERSON)
    erasure_carry_out(erasure=erasure)
    response = client.get(reverse("subject_access:mine_download", args=[copy.pk]))
    assert response.status_code == 410
    assert subject_access_purge_expired() == 1
    assert not default_storage.exists(copy.storage_name)
