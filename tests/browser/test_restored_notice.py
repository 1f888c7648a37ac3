"""After a restore took a log back to before a checkpoint it had issued, the staff who hold the
case read it on the case record, in Chromium: accessible, and fitting a phone's screen."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page

from daybook.incidents import services
from tests.browser.journeys import main_text, sign_in, sign_out
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas, entry_values


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    path = tmp_path / "checkpoint-ledger.jsonl"
    monkeypatch.setenv("DAYBOOK_CHECKPOINT_LEDGER", str(path))
    return path


def _written(case, personas: Personas, count: int) -> None:
    for _ in range(count):
        services.entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values()
        )


def test_the_case_record_tells_its_holders_the_log_was_restored_to_before_a_checkpoint(
    page: Page, live_server, case, personas: Personas, ledger, tmp_path
) -> None:
    _written(case, personas, 2)
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    _written(case, personas, 3)
    services.checkpoint_issue(case=case, purpose="receipt", actor=personas.victim, request=None)
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(tmp_path / "backup"), stdout=io.StringIO())

    for holder in (personas.advocate, personas.manager):
        sign_in(page, live_server.url, holder)
        page.goto(live_server.url + reverse("cases:record", args=[case.pk]))
        notice = page.get_by_role("region", name="Restored from a backup")
        assert notice.is_visible()
        words = " ".join(notice.inner_text().split())
        assert "This log was restored from a backup taken on" in words
        assert "covered 3 records more than it now holds." in words
        assert_accessible_and_fits(page)
        sign_out(page)

    # The person's own log page is theirs to read; the notice is for the staff's record.
    sign_in(page, live_server.url, personas.victim)
    page.goto(live_server.url + reverse("incidents:log", args=[case.pk]))
    assert "restored from a backup" not in main_text(page)
