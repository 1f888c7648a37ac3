"""/healthz and /readyz: what a load balancer asks, answered with a status and one word.

Each thing /readyz checks is broken for real where it can be (a storage folder that cannot
exist, object storage nobody answers at, key files that are not there, a worker last seen
long ago); the database is made to refuse its connection. Every failure gives the same 503
and the same word: which check failed is in the server's log only."""

import datetime as dt
import logging
import socket

import pytest
from botocore.config import Config
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from daybook import crypto
from daybook.audit.models import AuditEvent
from daybook.workers.models import WorkerHeartbeat
from daybook.workers.services import worker_heartbeat_record
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive() -> None:
    worker_heartbeat_record(worker_id="worker-for-readyz")


def test_healthz_says_the_process_is_alive_in_one_word() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_every_check_passes(worker_alive: None) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"


def test_a_head_request_gets_the_status_without_a_body(worker_alive: None) -> None:
    assert Client().head("/readyz").status_code == 200
    assert Client().head("/healthz").content == b""


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_anything_but_get_or_head_is_refused(path: str, worker_alive: None) -> None:
    response = Client().post(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# --- Each thing /readyz checks -------------------------------------------------------------


def assert_not_ready(caplog: pytest.LogCaptureFixture, failed: str) -> None:
    caplog.set_level(logging.WARNING, logger="daybook.health")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready\n"
    logged = [r.getMessage() for r in caplog.records if r.name == "daybook.health.checks"]
    assert any(message.startswith(f"Not ready: {failed}") for message in logged), logged


def test_no_worker_ever_seen_is_not_ready(caplog: pytest.LogCaptureFixture) -> None:
    assert_not_ready(caplog, "worker")


def test_a_worker_last_seen_minutes_ago_is_not_ready(caplog: pytest.LogCaptureFixture) -> None:
    worker_heartbeat_record(worker_id="silent", now=timezone.now() - dt.timedelta(minutes=3))
    assert_not_ready(caplog, "worker")
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now())
    assert Client().get("/readyz").status_code == 200


def test_a_database_that_refuses_is_not_ready(
    worker_alive: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    assert_not_ready(caplog, "database")


def test_a_storage_folder_that_cannot_exist_is_not_ready(
    worker_alive: None, caplog: pytest.LogCaptureFixture, settings, tmp_path
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "unmounted" / "volume" / "evidence"},
        },
    }
    assert_not_ready(caplog, "storage")


def test_a_fresh_storage_folder_not_made_yet_is_ready(
    worker_alive: None, settings, tmp_path
) -> None:
    """The first file stored makes the folder: an instance with nothing stored can serve."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence-to-come"},
        },
    }
    assert Client().get("/readyz").status_code == 200


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_object_storage_nobody_answers_at_is_not_ready(
    worker_alive: None, caplog: pytest.LogCaptureFixture, settings
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence",
                "endpoint_url": f"http://127.0.0.1:{_closed_port()}",
                "access_key": "readiness",
                "secret_key": "readiness-secret",
                "region_name": "eu-west-2",
                "client_config": Config(connect_timeout=1, retries={"max_attempts": 1}),
            },
        },
    }
    assert_not_ready(caplog, "storage")


def test_a_master_key_that_cannot_be_loaded_is_not_ready(
    worker_alive: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("DAYBOOK_MASTER_KEY_FILE", str(tmp_path / "not-there"))
    crypto.master_key.cache_clear()
    try:
        assert_not_ready(caplog, "keys")
    finally:
        monkeypatch.undo()
        crypto.master_key.cache_clear()


def test_a_signing_key_that_cannot_be_loaded_is_not_ready(
    worker_alive: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    (tmp_path / "signing_key").write_text("not a key")
    monkeypatch.setenv("DAYBOOK_SIGNING_KEY_FILE", str(tmp_path / "signing_key"))
    assert_not_ready(caplog, "keys")


# --- What the checks never do --------------------------------------------------------------


def test_the_checks_write_nothing_and_set_no_cookie(worker_alive: None, personas: Personas) -> None:
    """Asked by a browser that is signed in, the checks neither touch its session (no cookie,
    no save) nor write anything else: every statement they make reads."""
    client = Client()
    client.force_login(personas.victim)
    sessions = list(Session.objects.values_list("session_key", "expire_date", "session_data"))
    events = AuditEvent.objects.count()
    for path in ("/healthz", "/readyz"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert not response.cookies
        statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
        assert set(statements) <= {"SELECT"}, statements
    assert list(Session.objects.values_list("session_key", "expire_date", "session_data")) == (
        sessions
    )
    assert AuditEvent.objects.count() == events


def test_the_answer_reveals_nothing_but_the_word(worker_alive: None) -> None:
    """No version, no server name, no framework page: the same few headers on every answer."""
    ready = Client().get("/readyz")
    WorkerHeartbeat.objects.all().delete()
    not_ready = Client().get("/readyz")
    for response in (ready, not_ready):
        assert set(response.headers) == {
            "Content-Type",
            "Cache-Control",
            "X-Content-Type-Options",
        }
    assert not_ready.content == b"not ready\n"


def test_not_ready_is_logged_once_by_the_check_not_as_a_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    assert Client().get("/readyz").status_code == 503
    assert [r.getMessage() for r in caplog.records] == ["Not ready: worker"]


def test_a_load_balancer_asking_by_address_over_plain_http_is_answered(
    worker_alive: None, settings
) -> None:
    """Its Host is the instance's own address (not an allowed host), and it does not speak
    HTTPS: neither the Host check nor the HTTPS redirect stops the answer."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["daybook.example.org"]
    client = Client()
    for path, word in (("/healthz", b"ok\n"), ("/readyz", b"ready\n")):
        response = client.get(path, HTTP_HOST="10.0.3.17:8000")
        assert response.status_code == 200
        assert response.content == word
    # Every other page still redirects to HTTPS and refuses the wrong Host.
    assert client.get("/", HTTP_HOST="daybook.example.org").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.3.17:8000").status_code == 400


def test_the_checks_are_never_rate_limited(worker_alive: None) -> None:
    client = Client()
    answers = {client.get("/readyz").status_code for _ in range(200)}
    assert answers == {200}
