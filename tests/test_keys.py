"""Rotating the master key moves everything it wraps, can be run again after a failure, and
`verify_log` checks every case even when one cannot be read."""

import base64
import secrets
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from daybook import crypto
from daybook.cases.keyring import KINDS
from daybook.cases.models import Case, Consultation, Referral
from daybook.cases.sealing import case_key
from daybook.cases.services import case_open
from daybook.casework.services import (
    consultation_save,
    consultation_text,
    referral_details,
    referral_make,
)
from daybook.drafts.kinds import form_key, place_of
from daybook.drafts.models import Draft
from daybook.drafts.services import draft_open, draft_save
from daybook.incidents import services
from daybook.incidents.management.commands.rotate_master_key import Command as Rotate
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values

pytestmark = pytest.mark.django_db


def _draft_payload(text: str) -> dict[str, object]:
    return {"fields": {"what_happened": [text]}, "texts": [["What happened?", text]]}


@pytest.fixture
def world(personas: Personas, case: Case) -> dict[str, object]:
    """One of everything the master key wraps, and more than one of some."""
    other = case_open(created_by=personas.outsider, owner=personas.outsider, label="Other")
    for log in (case, other):
        services.entry_record(
            case=log, author=log.owner, how="victim", values=entry_values(what_happened="Seen")
        )
    referrals = [
        referral_make(
            service=personas.service,
            source=Referral.Source.PARTNER,
            details={"name": f"Client {number}", "consent_basis": "consent"},
            referrer=personas.partner,
        )
        for number in range(2)
    ]
    consultation = consultation_save(
        service=personas.service,
        actor=personas.partner,
        values={
            "organisation_name": "Northshire Victim Support",
            "organisation_kind": "partner",
            "question": "How do we help?",
        },
    )
    loose = draft_save(  # no case: sealed with the master key itself
        owner=personas.partner,
        key="cases.referral",
        place=place_of(personas.partner, "cases.referral"),
        payload=_draft_payload("A referral half written"),
    )
    record_key = form_key("incidents.record", case.pk)
    of_case = draft_save(
        owner=personas.victim,
        key=record_key,
        place=place_of(personas.victim, record_key),
        payload=_draft_payload("An entry half written"),
    )
    assert loose.case is None and of_case.case is not None
    return {
        "cases": [case, other],
        "referrals": referrals,
        "consultation": consultation,
        "drafts": [loose, of_case],
    }


@pytest.fixture
def new_key(tmp_path: Path) -> Path:
    path = tmp_path / "new_master_key"
    path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    return path


@pytest.fixture
def switch_to(monkeypatch: pytest.MonkeyPatch):
    """Point DAYBOOK_MASTER_KEY_FILE at another key file for the rest of the test only."""

    def switch(path: Path) -> None:
        monkeypatch.delenv("DAYBOOK_MASTER_KEY", raising=False)
        monkeypatch.setenv("DAYBOOK_MASTER_KEY_FILE", str(path))
        crypto.master_key.cache_clear()

    yield switch
    crypto.master_key.cache_clear()


def _fresh(world: dict[str, object]) -> dict[str, list]:
    return {
        "cases": list(Case.objects.filter(pk__in=[c.pk for c in world["cases"]]).order_by("pk")),
        "referrals": list(Referral.objects.order_by("pk")),
        "consultations": list(Consultation.objects.order_by("pk")),
        "drafts": list(Draft.objects.order_by("pk")),
    }


def everything_opens(world: dict[str, object]) -> None:
    """Every case, referral, consultation and draft opens with the master key in use."""
    rows = _fresh(world)
    for case in rows["cases"]:
        case_key(case)
        assert verify_case(case).ok
        entry = case.entries.get()
        assert services.entry_content_of(entry)["what_happened"] == "Seen"
    assert sorted(referral_details(r)["name"] for r in rows["referrals"]) == [
        "Client 0",
        "Client 1",
    ]
    assert consultation_text(rows["consultations"][0])["question"] == "How do we help?"
    texts = sorted(draft_open(d)["texts"][0][1] for d in rows["drafts"])
    assert texts == ["A referral half written", "An entry half written"]


def stored(world: dict[str, object]) -> dict[str, bytes]:
    """The bytes the master key wraps, row by row."""
    rows = _fresh(world)
    found = {f"case {c.pk}": bytes(c.wrapped_key) for c in rows["cases"]}
    found |= {f"referral {r.pk}": bytes(r.wrapped_key) for r in rows["referrals"]}
    found |= {f"consultation {c.pk}": bytes(c.wrapped_key) for c in rows["consultations"]}
    found |= {f"draft {d.pk}": bytes(d.payload_sealed) for d in rows["drafts"]}
    return found


def test_every_kind_the_master_key_wraps_is_registered() -> None:
    assert set(KINDS) == {
        "case keys",
        "referral keys",
        "consultation keys",
        "drafts outside a case",
    }


def test_rotation_moves_cases_referrals_consultations_and_drafts_to_the_new_key(
    world, new_key: Path, switch_to, capsys
) -> None:
    everything_opens(world)
    call_command("rotate_master_key", str(new_key))
    out = capsys.readouterr().out
    assert "case keys: 2 re-wrapped" in out
    assert "referral keys: 2 re-wrapped" in out
    assert "consultation keys: 1 re-wrapped" in out
    assert "drafts outside a case: 1 re-wrapped" in out
    for kind in KINDS:
        assert f"  {kind}: number " in out
    assert "does not open" not in out

    # The old key opens none of them now; the new one opens all of them.
    with pytest.raises(crypto.DecryptionError):
        referral_details(Referral.objects.first())
    with pytest.raises(crypto.DecryptionError):
        draft_open(Draft.objects.get(case__isnull=True))
    switch_to(new_key)
    everything_opens(world)
    new_id = crypto.key_id(crypto.master_key())
    assert set(Case.objects.values_list("key_id", flat=True)) == {new_id}
    call_command("verify_log")


def test_a_rotation_that_stops_half_way_finishes_when_run_again(
    world, new_key: Path, switch_to, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    old = crypto.master_key()
    new = crypto.decode_key(new_key.read_text())
    batches: list[str] = []

    def crash_after_the_first_batch(self: Rotate, kind: str, tally: object) -> None:
        batches.append(kind)
        raise RuntimeError("the machine went down")

    monkeypatch.setattr(Rotate, "batch_done", crash_after_the_first_batch)
    with pytest.raises(RuntimeError):
        call_command("rotate_master_key", str(new_key), batch_size=1)
    assert batches == ["case keys"]
    # The first batch (one case) was committed; everything else is still on the old key.
    first, second = _fresh(world)["cases"]
    assert crypto.unwrap_data_key(bytes(first.wrapped_key), first.uid, new)
    assert crypto.unwrap_data_key(bytes(second.wrapped_key), second.uid, old)
    for referral in Referral.objects.all():
        assert crypto.unwrap_data_key(bytes(referral.wrapped_key), f"referral:{referral.uid}", old)
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_data_key(bytes(first.wrapped_key), first.uid, old)

    monkeypatch.undo()
    capsys.readouterr()
    call_command("rotate_master_key", str(new_key), batch_size=1)
    out = capsys.readouterr().out
    assert "case keys: 1 re-wrapped" in out
    assert "1 already on it" in out
    switch_to(new_key)
    everything_opens(world)


def test_running_a_rotation_twice_changes_nothing_the_second_time(
    world, new_key: Path, tmp_path: Path, switch_to, capsys
) -> None:
    call_command("rotate_master_key", str(new_key))
    after_first = stored(world)
    capsys.readouterr()
    # Run again from the old key, as after a crash, or finished once the new key is in use.
    old_file = tmp_path / "old_master_key"
    old_file.write_text(base64.urlsafe_b64encode(crypto.master_key()).decode())
    call_command("rotate_master_key", str(new_key))
    switch_to(new_key)
    call_command("rotate_master_key", str(new_key), old_key_file=str(old_file))
    out = capsys.readouterr().out
    assert stored(world) == after_first
    assert "re-wrapped" in out
    for kind in ("case keys: 0", "referral keys: 0", "consultation keys: 0"):
        assert f"{kind} re-wrapped" in out
    assert "drafts outside a case: 0 re-wrapped" in out
    everything_opens(world)


def test_a_row_that_opens_with_neither_key_is_reported_and_left_alone(
    world, new_key: Path, switch_to, capsys
) -> None:
    stranger = crypto.new_data_key()
    referral = Referral.objects.order_by("pk").first()
    assert referral is not None
    data_key = crypto.unwrap_data_key(bytes(referral.wrapped_key), f"referral:{referral.uid}")
    unreadable = crypto.wrap_data_key(data_key, f"referral:{referral.uid}", stranger)
    Referral.objects.filter(pk=referral.pk).update(wrapped_key=unreadable)
    with pytest.raises(CommandError):
        call_command("rotate_master_key", str(new_key))
    out = capsys.readouterr().out
    assert "1 open with neither the old nor the new key and were left as they were" in out
    assert f"(numbers {referral.pk})" in out
    referral.refresh_from_db()
    assert bytes(referral.wrapped_key) == unreadable
    # Everything else moved.
    switch_to(new_key)
    for case in _fresh(world)["cases"]:
        assert verify_case(case).ok


def test_verify_log_reports_a_case_it_cannot_open_checks_the_others_and_fails(
    world, capsys
) -> None:
    good, bad = _fresh(world)["cases"]
    wrong = crypto.wrap_data_key(crypto.new_data_key(), bad.uid, crypto.new_data_key())
    Case.objects.filter(pk=bad.pk).update(wrapped_key=wrong)
    with pytest.raises(CommandError, match="1 of 2 log"):
        call_command("verify_log")
    out = capsys.readouterr().out
    assert f"{good.reference}: verified, 1 records" in out
    assert f"{bad.reference}: FAILED — its key does not open with the master key in use" in out
    assert "Traceback" not in out


def test_verify_log_goes_on_after_any_error_in_one_case(
    world, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    good, bad = _fresh(world)["cases"]
    from daybook.incidents import checks

    real = checks.check_and_keep

    def failing(case: Case, **options: bool):
        if case.pk == bad.pk:
            raise ValueError("something unexpected")
        return real(case, **options)

    monkeypatch.setattr(checks, "check_and_keep", failing)
    with pytest.raises(CommandError):
        call_command("verify_log")
    out = capsys.readouterr().out
    assert f"{good.reference}: verified" in out
    assert f"{bad.reference}: FAILED — it could not be checked: ValueError" in out
