"""Personas shared by every test: one person per role, and people who must be kept out."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from daybook.accounts.models import Organisation, Role, User

PASSWORD = "correct horse battery"

# CI runs the property tests with fixed examples, so a submission's result is repeatable;
# local runs keep exploring new inputs.
hypothesis.settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _evidence_storage(settings, tmp_path) -> None:
    """Each test stores evidence in a folder of its own, so storage checks see only its files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _checkpoint_ledger(monkeypatch, tmp_path) -> None:
    """Each test keeps the checkpoints it issues in a ledger of its own (daybook/backups)."""
    monkeypatch.setenv("DAYBOOK_CHECKPOINT_LEDGER", str(tmp_path / "checkpoint-ledger.jsonl"))
    monkeypatch.setenv("DAYBOOK_ERASURE_LEDGER", str(tmp_path / "erasure-ledger.jsonl"))


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings) -> None:
    """Background tasks run in the test's own process, when the transaction commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def totp_code(user: User) -> str:
    """The authenticator code `user`'s app would show right now."""
    from allauth.mfa.utils import decrypt

    secret = decrypt(
        Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    )
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def make_user(email: str, role: Role, organisation: Organisation | None, *, mfa: bool) -> User:
    user = User.objects.create_user(
        email, PASSWORD, name=email.split("@")[0].title(), role=role, organisation=organisation
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if mfa:
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)
    return user


@dataclass
class Personas:
    service: Organisation
    other_service: Organisation
    police_force: Organisation
    partner_agency: Organisation
    commissioner_office: Organisation
    victim: User
    advocate: User
    other_advocate: User
    manager: User
    administrator: User
    police: User
    partner: User
    commissioner: User
    outsider: User

    def staff(self) -> list[User]:
        return [
            self.advocate,
            self.other_advocate,
            self.manager,
            self.administrator,
            self.police,
            self.partner,
            self.commissioner,
        ]


@pytest.fixture
def personas(db) -> Personas:
    kind = Organisation.Kind
    service = Organisation.objects.create(
        name="Northshire Stalking Service", kind=kind.SUPPORT_SERVICE
    )
    other = Organisation.objects.create(
        name="Southshire Stalking Service", kind=kind.SUPPORT_SERVICE
    )
    police = Organisation.objects.create(name="Northshire Police", kind=kind.POLICE_FORCE)
    partner = Organisation.objects.create(
        name="Northshire Victim Support", kind=kind.PARTNER_AGENCY
    )
    commissioner = Organisation.objects.create(name="Northshire PCC", kind=kind.COMMISSIONER)
    return Personas(
        service=service,
        other_service=other,
        police_force=police,
        partner_agency=partner,
        commissioner_office=commissioner,
        victim=make_user("victim@example.org", Role.VICTIM, None, mfa=False),
        advocate=make_user("advocate@example.org", Role.ADVOCATE, service, mfa=True),
        other_advocate=make_user("other.advocate@example.org", Role.ADVOCATE, other, mfa=True),
        manager=make_user("manager@example.org", Role.SERVICE_MANAGER, service, mfa=True),
        administrator=make_user("admin@example.org", Role.ADMINISTRATOR, service, mfa=True),
        police=make_user("police@example.org", Role.POLICE_LIAISON, police, mfa=True),
        partner=make_user("partner@example.org", Role.PARTNER_REFERRER, partner, mfa=True),
        commissioner=make_user("pcc@example.org", Role.COMMISSIONER_VIEWER, commissioner, mfa=True),
        outsider=make_user("outsider@example.org", Role.VICTIM, None, mfa=False),
    )


# --- Logs ----------------------------------------------------------------------------


def entry_values(**overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "occurred_on": "2026-10-02",
        "occurred_time": "21:30",
        "precision": "exact",
        "time_zone": "Europe/London",
        "place_kind": "home",
        "place": "Outside the front door",
        "channel": "in_person",
        "behaviours": ["turning_up", "watching"],
        "seen": "identified",
        "what_happened": "He stood outside the house for an hour and stared at the window.",
        "description": "Grey hoodie, blue Ford Focus AB12 CDE",
        "witnesses": "Neighbour at number 12",
        "feelings": "Frightened to go out",
        "feared_violence": True,
        "changed_daily_life": True,
        "police_reference": "CAD 1234",
        "police_officer": "PC 5678 Jones",
        "private_details": "New flat is at 4 Elm Road",
    }
    values.update(overrides)
    return values


@pytest.fixture
def case(personas: Personas):
    """The victim's own log, held by their service and allocated to their advocate."""
    from daybook.cases.services import case_open

    return case_open(
        created_by=personas.victim,
        owner=personas.victim,
        service=personas.service,
        advocates=(personas.advocate,),
    )


@pytest.fixture
def entry(case, personas: Personas):
    from daybook.incidents.services import entry_record

    return entry_record(case=case, author=personas.victim, how="victim", values=entry_values())


def outsider_read(path: Path) -> bytes:
    """A file's bytes as another process reads them: for the database's own files. Opening and
    closing a SQLite file in this process would drop every lock its connections hold on it
    (POSIX locks belong to a process and a file, not to a descriptor), and a task worker
    process exiting later could then remove the WAL files this process still uses."""
    return subprocess.run(  # noqa: S603 (a fixed command on a path the test chose)
        ["/bin/cat", "--", str(path)], check=True, capture_output=True
    ).stdout
