"""Erasure: asking, the undo window, approval, cancelling, and carrying it out."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import BinaryField
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from daybook.audit.models import Action, AuditEvent
from daybook.cases.models import Case, Consultation, Referral
from daybook.cases.services import case_open
from daybook.casework import forms as casework_forms
from daybook.casework.services import perpetrator_add
from daybook.drafts.models import Draft
from daybook.erasure.deletion import case_foreign_keys
from daybook.erasure.models import ErasureRequest, Tombstone, WithdrawnShare
from daybook.erasure.services import (
    UNDO_DAYS,
    ErasureRefused,
    erasure_approve,
    erasure_cancel,
    erasure_note,
    erasure_pending,
    erasure_request,
    erasures_carry_out_due,
)
from daybook.imports.models import ImportedRecord, ImportJob, ImportSource
from daybook.incidents.models import ChainRecord, Checkpoint, Entry, EntryBehaviour, Evidence
from daybook.insights.models import IdentifierToken, RepeatAlert
from daybook.reports.models import Report
from daybook.sharing.models import Share
from daybook.sharing.services import share_create
from tests.conftest import Personas, entry_values, outsider_read
from tests.test_encryption import every_stored_value
from tests.test_plaintext import (
    ORGANISATION,
    Canaries,
    _advocate_writes,
    _victim_writes,
    answers,
    client_for,
    database_files,
    leaks,
    posted,
    raw_leaks,
    storage_files,
)
from tests.test_reports import sign_in_fresh

LATER = dt.timedelta(days=UNDO_DAYS, minutes=1)
# What an audit row may say: codes such as "no_longer_needed", never words.
CODE = re.compile(r"[a-z0-9_.:/-]{0,40}")

ON_SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def test_a_manager_asks_and_the_case_is_erased_after_the_window(personas: Personas, case) -> None:
    erasure = erasure_request(case=case, actor=personas.manager, reason="person")
    assert erasure_pending(case) == erasure
    assert erasure.due_at - erasure.requested_at == dt.timedelta(days=UNDO_DAYS)
    assert erasures_carry_out_due() == 0
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    tombstone = Tombstone.objects.get()
    assert tombstone.reference == case.reference and tombstone.reason == "person"
    assert ErasureRequest.objects.get().carried_out_at is not None


# --- Carrying out: nothing left but the tombstone and the audit trail -------------------------

ODD_DATE = "2019-02-17"  # an entry's date, kept in plain: a trace that must go too


class ErasureCanaries(Canaries):
    """Canaries of this module's own, so none can be mistaken for another test's."""

    def __call__(self, where: str, limit: int = 200) -> str:
        return super().__call__(f"erasure {where}", limit)


def _sealed_fragments(case: Case) -> dict[bytes, str]:
    """A piece of every sealed value and stored file of the case (past the nonce, so it is
    the ciphertext's own), with where it came from."""
    found: dict[bytes, str] = {}
    for model, field in case_foreign_keys() + [(Case, "pk")]:
        rows = model._base_manager.filter(**{field: case.pk})
        for binary in [f for f in model._meta.concrete_fields if isinstance(f, BinaryField)]:
            for value in rows.exclude(**{binary.name: None}).values_list(binary.name, flat=True):
                if value and len(bytes(value)) >= 44:
                    found[bytes(value)[12:44]] = f"{model._meta.label}.{binary.name}"
    for path in storage_files():
        data = path.read_bytes()
        if len(data) >= 44:
            found[data[12:44]] = f"stored file {path.name}"
    return found


def _raw_fragments(fragments: dict[bytes, str], paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        data = outsider_read(path)
        found += [f"{where} in {path.name}" for piece, where in fragments.items() if piece in data]
    return found


def _subjects(case: Case) -> set[tuple[str, str]]:
    """(subject type, id) of every row about the case, as audit rows name their subject."""
    found = {("cases.case", str(case.pk))}
    rows = [
        (model, model._base_manager.filter(**{field: case.pk}))
        for model, field in case_foreign_keys()
    ]
    rows += [(Evidence, Evidence.objects.filter(entry__case=case))]
    for model, query in rows:
        found |= {(model._meta.label_lower, str(pk)) for pk in query.values_list("pk", flat=True)}
    return found


@pytest.fixture
def written_and_erased(personas: Personas, django_capture_on_commit_callbacks):
    """A person's own log brought to the service by their referral, everything written about
    them through the pages, and the erasure carried out. Returns what to look for."""
    canary = ErasureCanaries()
    log = case_open(created_by=personas.victim, owner=personas.victim)
    victim = client_for(personas.victim)
    referral = answers(
        casework_forms.AccountReferralForm(),
        canary,
        "account referral",
        never_channels=["letter"],
        bring_log="on",
    )
    posted(victim, reverse("cases:referral_new"), referral)
    referral_row = Referral.objects.get(case=log)
    posted(
        client_for(personas.manager), reverse("cases:referral_accept", args=[referral_row.pk]), {}
    )
    posted(
        client_for(personas.manager),
        reverse("cases:allocate", args=[log.pk]),
        {"advocates": [personas.advocate.pk]},
    )
    _victim_writes(personas, log, canary)
    entry = log.entries.get()
    upload = SimpleUploadedFile(f"{canary('file name', 60)}.txt", canary("file bytes").encode())
    posted(victim, reverse("incidents:evidence_upload", args=[log.pk, entry.pk]), {"file": upload})
    posted(
        victim,
        reverse("incidents:record", args=[log.pk]),
        {
            **{k: v for k, v in entry_values(occurred_on=ODD_DATE).items() if v is not None},
            "what_happened": canary("second entry"),
        },
    )
    fresh = sign_in_fresh(personas.victim)
    posted(
        fresh,
        reverse("reports:redactions", args=[log.pk]),
        {"action": "add", "find": canary("redaction find", 100), "replace": ""},
    )
    _advocate_writes(personas, log, canary)
    advocate = client_for(personas.advocate)
    closing = {
        "status": "closed",
        "closure_reason": canary("closure reason"),
        "relationship": "ex_partner",
    }
    consultation = answers(
        casework_forms.ConsultationForm(),
        canary,
        "named consultation",
        case_reference=log.reference,
        organisation_name=ORGANISATION,  # the organisation the person agreed to share with
    )
    posted(advocate, reverse("cases:consultations"), consultation)
    perpetrator_add(
        case=log,
        actor=personas.advocate,
        identifiers={"names": [canary("perpetrator name")], "phones": ["07700 900461"]},
    )
    other = case_open(
        created_by=personas.manager, owner=personas.outsider, service=personas.service
    )
    perpetrator_add(
        case=other, actor=personas.advocate, identifiers={"names": ["M"], "phones": ["07700900461"]}
    )
    share = share_create(case=log, actor=personas.victim, police=personas.police_force)
    police = client_for(personas.police)
    assert police.get(reverse("police:shared_log", args=[share.pk])).status_code == 200
    posted(advocate, reverse("cases:status", args=[log.pk]), closing)

    assert Consultation.objects.filter(case=log).exists()
    assert IdentifierToken.objects.filter(case=log).exists()
    assert RepeatAlert.objects.filter(other_case=log).exists()
    assert Evidence.objects.filter(entry__case=log).exists()
    assert Checkpoint.objects.filter(case=log).exists()
    assert Draft.objects.filter(case=log).exists()
    tokens = list(IdentifierToken.objects.filter(case=log).values_list("token", flat=True))
    subjects = _subjects(log)
    fragments = _sealed_fragments(log)
    if ON_SQLITE:
        # The control: before erasing, the sealed values and the plain date are there to find.
        assert _raw_fragments(fragments, database_files())
        assert ODD_DATE.encode() in b"".join(outsider_read(p) for p in database_files())

    erasure = erasure_request(
        case=log,
        actor=personas.manager,
        reason="service",
        service_reason="no_longer_needed",
        note=canary("erasure note"),
    )
    # The service's words about its decision are dropped from the request when it is done.
    fragments[bytes(erasure.note_sealed)[12:44]] = "ErasureRequest.note_sealed"
    with django_capture_on_commit_callbacks(execute=True):
        assert erasures_carry_out_due(timezone.now() + LATER) == 1
    return {
        "case": log,
        "canary": canary,
        "fragments": fragments,
        "tokens": tokens,
        "share": share,
        "erasure": erasure,
        "other": other,
        "subjects": subjects,
    }


@pytest.mark.django_db(transaction=True)
def test_erasing_leaves_no_canary_in_the_database_files_or_storage(written_and_erased) -> None:
    canary = written_and_erased["canary"]
    assert len(canary.written) > 80  # every form was filled in
    assert leaks(canary, every_stored_value()) == []
    if ON_SQLITE:  # only SQLite keeps the database in files of ours to read
        assert raw_leaks(canary, database_files()) == []
    assert raw_leaks(canary, storage_files()) == []


@pytest.mark.skipif(not ON_SQLITE, reason="only SQLite keeps the database in files of ours to read")
@pytest.mark.django_db(transaction=True)
def test_erasing_overwrites_the_sealed_values_and_plain_traces_in_the_files(
    written_and_erased,
) -> None:
    """Sealed values cannot be read without the key, so the check is that they are not there
    at all: no piece of any of them, nor the entries' dates nor the identifier tokens, is
    left in the database file, its write-ahead log, or storage."""
    # Asked for by the settings on every connection (some SQLite builds default to it too).
    assert "PRAGMA secure_delete=ON" in connection.settings_dict["OPTIONS"]["init_command"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    files = database_files()
    assert _raw_fragments(written_and_erased["fragments"], files + storage_files()) == []
    data = b"".join(outsider_read(path) for path in files)
    assert ODD_DATE.encode() not in data
    other_tokens = set(IdentifierToken.objects.values_list("token", flat=True))
    for token in set(written_and_erased["tokens"]) - other_tokens:
        assert token.encode() not in data
    assert storage_files() == []


@pytest.mark.django_db(transaction=True)
def test_erasing_leaves_only_the_tombstone_and_the_audit(written_and_erased, personas) -> None:
    case = written_and_erased["case"]
    other = written_and_erased["other"]
    for model, field in case_foreign_keys():
        assert not model._base_manager.filter(**{field: case.pk}).exists(), model._meta.label
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Referral.objects.filter(case_id=case.pk).exists()
    # Rows that point at the case only through others.
    assert Entry.objects.count() == 0 and EntryBehaviour.objects.count() == 0
    assert Evidence.objects.count() == 0 and ChainRecord.objects.count() == 0
    assert Report.objects.count() == 0 and Share.objects.count() == 0
    assert ImportJob.objects.count() == 0 and ImportedRecord.objects.count() == 0
    assert ImportSource.objects.count() == 0 and Checkpoint.objects.count() == 0
    assert not RepeatAlert.objects.filter(case=other).exists()  # it named the erased case
    assert not Draft.objects.filter(case_id=case.pk).exists()

    tombstone = Tombstone.objects.get()
    erasure = ErasureRequest.objects.get()
    assert (tombstone.reference, tombstone.case_number) == (case.reference, case.pk)
    assert tombstone.opened_at == case.created_at and tombstone.closed_at is not None
    assert (tombstone.erased_by, tombstone.reason) == (personas.manager, "service")
    assert tombstone.service_reason == "no_longer_needed"
    assert erasure.note_sealed is None and erasure.carried_out_at == tombstone.erased_at


@pytest.mark.django_db(transaction=True)
def test_the_audit_of_an_erased_case_holds_codes_and_ids_only(written_and_erased) -> None:
    """Every audit row about the case (by subject or by the case named in `extra`) keeps only
    numbers, yes/no and short codes."""
    case, subjects = written_and_erased["case"], written_and_erased["subjects"]
    about = [
        event
        for event in AuditEvent.objects.all()
        if (event.subject_type, event.subject_id) in subjects or event.extra.get("case") == case.pk
    ]
    assert {event.action for event in about} >= {
        Action.ERASURE_REQUESTED,
        Action.CASE_ERASED,
        Action.SHARE_REVOKED,
        Action.ENTRY_RECORDED,
        Action.EVIDENCE_ADDED,
        Action.CASEWORK_SAVED,
        Action.REFERRAL_ACCEPTED,
        Action.SHARED_LOG_VIEWED,
    }

    def plain(value: object) -> bool:
        if isinstance(value, list):
            return all(plain(item) for item in value)
        if isinstance(value, str):
            return bool(CODE.fullmatch(value))
        return value is None or isinstance(value, bool | int)

    for event in about:
        assert all(plain(value) for value in event.extra.values()), (event.action, event.extra)


@pytest.mark.django_db(transaction=True)
def test_the_police_are_told_a_shared_log_was_withdrawn_without_its_reference(
    written_and_erased, personas
) -> None:
    case = written_and_erased["case"]
    police = client_for(personas.police)
    page = police.get(reverse("police:shared_list")).content.decode()
    assert case.reference not in page
    assert "withdrawn" in page.lower()
    notice = WithdrawnShare.objects.get(police=personas.police_force)
    assert notice.shared_at == written_and_erased["share"].created_at
    assert (
        police.get(reverse("police:shared_log", args=[written_and_erased["share"].pk])).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_background_tasks_that_name_the_case_are_deleted(personas: Personas, settings) -> None:
    from daybook.insights.tasks import check_escalation
    from daybook.reports.services import report_request
    from daybook.reports.tasks import build_report

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    log = case_open(created_by=personas.victim, owner=personas.victim)
    kept = case_open(created_by=personas.outsider, owner=personas.outsider)
    check_escalation.enqueue(log.pk)
    check_escalation.enqueue(kept.pk)
    for case in (log, kept):
        report = report_request(case=case, actor=case.owner, kind="chronology", profile="police")
        build_report.enqueue(report.pk)
    kept_report = Report.objects.get(case=kept)
    erasure_request(case=log, actor=personas.victim, reason="person")
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    left = {
        (row.task_path.rsplit(".", 1)[1], row.args_kwargs["args"][0])
        for row in DBTaskResult.objects.all()
    }
    assert left == {("check_escalation", kept.pk), ("build_report", kept_report.pk)}


# --- Who may ask, approve and cancel ----------------------------------------------------------


@pytest.fixture
def second_manager(personas: Personas):
    from daybook.accounts.models import Role
    from tests.conftest import make_user

    return make_user("manager.two@example.org", Role.SERVICE_MANAGER, personas.service, mfa=True)


@pytest.fixture
def own_log(personas: Personas) -> Case:
    """The person's self-held log: no service."""
    return case_open(created_by=personas.victim, owner=personas.victim)


def test_the_person_may_erase_their_own_log_without_approval(personas, own_log) -> None:
    erasure = erasure_request(case=own_log, actor=personas.victim, reason="person")
    assert not erasure.needs_approval
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    assert Tombstone.objects.get().erased_by == personas.victim


@pytest.mark.parametrize(
    "who", ["advocate", "other_advocate", "outsider", "police", "commissioner"]
)
def test_others_cannot_ask_to_erase(personas, case, who: str) -> None:
    with pytest.raises(ErasureRefused, match="cannot erase"):
        erasure_request(case=case, actor=getattr(personas, who), reason="person")
    assert not ErasureRequest.objects.exists()


def test_a_service_decision_needs_its_reason_code_and_keeps_its_words_sealed(
    personas, case
) -> None:
    with pytest.raises(ErasureRefused, match="service's reason"):
        erasure_request(case=case, actor=personas.manager, reason="service")
    erasure = erasure_request(
        case=case,
        actor=personas.manager,
        reason="service",
        service_reason="opened_in_error",
        note="Opened twice by mistake",
    )
    assert b"twice" not in bytes(erasure.note_sealed)
    assert erasure_note(erasure) == "Opened twice by mistake"
    with pytest.raises(ErasureRefused, match="already due"):
        erasure_request(case=case, actor=personas.manager, reason="person")
    erasure_cancel(erasure=erasure, actor=personas.victim)
    erasure.refresh_from_db()
    assert erasure.note_sealed is None and erasure_pending(case) is None


def test_a_second_manager_must_approve_where_the_service_asks(
    personas, case, second_manager
) -> None:
    personas.service.erasure_needs_second_approval = True
    personas.service.save()
    erasure = erasure_request(case=case, actor=personas.manager, reason="person")
    assert erasure.awaiting_approval
    assert erasures_carry_out_due(timezone.now() + LATER) == 0  # not without approval
    with pytest.raises(ErasureRefused, match="Another manager"):
        erasure_approve(erasure=erasure, actor=personas.manager)
    with pytest.raises(ErasureRefused, match="cannot approve"):
        erasure_approve(erasure=erasure, actor=personas.advocate)
    erasure_approve(erasure=erasure, actor=second_manager)
    assert erasures_carry_out_due(timezone.now() + dt.timedelta(days=1)) == 0  # the window
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {Action.ERASURE_REQUESTED, Action.ERASURE_APPROVED, Action.CASE_ERASED} <= actions


def test_the_person_asking_to_erase_a_service_case_needs_a_manager(
    personas, case, second_manager
) -> None:
    erasure = erasure_request(case=case, actor=personas.victim, reason="person")
    assert erasure.awaiting_approval
    erasure_approve(erasure=erasure, actor=personas.manager)
    assert erasures_carry_out_due(timezone.now() + LATER) == 1


def test_the_person_can_always_cancel_an_erasure_of_their_log(personas, case) -> None:
    """Protection against being made to erase it, or a service erasing it against their will:
    within the window the person can stop it."""
    erasure = erasure_request(case=case, actor=personas.manager, reason="person")
    with pytest.raises(ErasureRefused, match="cannot cancel"):
        erasure_cancel(erasure=erasure, actor=personas.advocate)
    erasure_cancel(erasure=erasure, actor=personas.victim)
    assert erasures_carry_out_due(timezone.now() + LATER) == 0
    assert Case.objects.filter(pk=case.pk).exists()
    with pytest.raises(ErasureRefused, match="already been cancelled"):
        erasure_cancel(erasure=erasure, actor=personas.manager)


# --- The pages: wrong ids, forged posts ------------------------------------------------------


def test_wrong_ids_are_not_found(personas, case, own_log) -> None:
    manager = client_for(personas.manager)
    erasure = erasure_request(case=own_log, actor=personas.victim, reason="person")
    assert manager.get(reverse("erasure:erase", args=[own_log.pk])).status_code == 404
    assert manager.get(reverse("erasure:erase", args=[999999])).status_code == 404
    # Another case's erasure, through this case's address.
    victim = client_for(personas.victim)
    forged = reverse("erasure:cancel", args=[case.pk, erasure.pk])
    assert victim.post(forged).status_code == 404
    outsider = client_for(personas.outsider)
    assert (
        outsider.post(reverse("erasure:cancel", args=[own_log.pk, erasure.pk])).status_code == 404
    )
    assert erasure_pending(own_log) == erasure


def test_an_advocate_is_refused_and_gets_no_button(personas, case) -> None:
    advocate = client_for(personas.advocate)
    assert advocate.get(reverse("erasure:erase", args=[case.pk])).status_code == 403
    assert advocate.post(reverse("erasure:erase", args=[case.pk])).status_code == 403
    erasure = erasure_request(case=case, actor=personas.manager, reason="person")
    assert advocate.post(reverse("erasure:cancel", args=[case.pk, erasure.pk])).status_code == 403
    record = advocate.get(reverse("cases:record", args=[case.pk])).content.decode()
    assert "will be erased on" in record and "Cancel the erasure" not in record


def test_a_forged_reason_gets_a_kind_message(personas, case) -> None:
    manager = sign_in_fresh(personas.manager)
    response = manager.post(reverse("erasure:erase", args=[case.pk]), {"reason": "retention"})
    assert response.status_code == 400
    assert "Choose one of the reasons listed" in response.content.decode()
    response = manager.post(reverse("erasure:erase", args=[case.pk]), {"reason": "service"})
    assert "reason for erasing the case" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_asking_needs_a_fresh_confirmation(personas, case) -> None:
    manager = client_for(personas.manager)
    response = manager.post(reverse("erasure:erase", args=[case.pk]), {"reason": "person"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not ErasureRequest.objects.exists()


def test_approving_twice_or_ones_own_request_is_answered_kindly(
    personas, case, second_manager
) -> None:
    personas.service.erasure_needs_second_approval = True
    personas.service.save()
    erasure = erasure_request(case=case, actor=personas.manager, reason="person")
    url = reverse("erasure:approve", args=[case.pk, erasure.pk])
    own = sign_in_fresh(personas.manager).post(url, follow=True).content.decode()
    assert "Another manager of the service must approve this erasure" in own
    assert sign_in_fresh(personas.advocate).post(url).status_code == 403
    second = sign_in_fresh(second_manager)
    assert "Erasure approved" in second.post(url, follow=True).content.decode()
    again = second.post(url, follow=True).content.decode()
    assert "This erasure does not need approving" in again
    assert ErasureRequest.objects.get().approved_by == second_manager


def test_the_daily_task_and_command_carry_out_what_is_due(personas, own_log, settings) -> None:
    from django.core.management import call_command

    from daybook.erasure.tasks import erasures_carry_out

    erasure_request(case=own_log, actor=personas.victim, reason="person")
    ErasureRequest.objects.update(due_at=timezone.now() - dt.timedelta(minutes=1))
    result = erasures_carry_out.enqueue()
    assert result.return_value == 1
    call_command("carry_out_erasures")  # nothing left: says so
    assert Tombstone.objects.count() == 1


def test_a_share_revoked_earlier_leaves_the_police_no_notice(personas, own_log) -> None:
    from daybook.sharing.services import share_revoke

    earlier = share_create(case=own_log, actor=personas.victim, police=personas.police_force)
    share_revoke(share=earlier, actor=personas.victim)
    share_create(case=own_log, actor=personas.victim, police=personas.police_force)
    erasure_request(case=own_log, actor=personas.victim, reason="person")
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    assert WithdrawnShare.objects.count() == 1
    assert Share.objects.count() == 0


def test_one_erasure_failing_leaves_the_others_done(personas, own_log, case, monkeypatch) -> None:
    from daybook.erasure import deletion

    erasure_request(case=own_log, actor=personas.victim, reason="person")
    erasure_request(case=case, actor=personas.manager, reason="person")
    real = deletion.delete_tasks

    def failing_for_the_service_case(target: Case) -> None:
        if target.pk == case.pk:
            raise RuntimeError("storage unavailable")
        real(target)

    monkeypatch.setattr("daybook.erasure.deletion.delete_tasks", failing_for_the_service_case)
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    assert Case.objects.filter(pk=case.pk).exists() and erasure_pending(case) is not None
    assert not Case.objects.filter(pk=own_log.pk).exists()
    assert not Tombstone.objects.filter(case_number=case.pk).exists()
