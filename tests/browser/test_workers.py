"""An import whose worker dies, in Chromium: the person imports a chat through the pages, the
worker importing it is killed with SIGKILL, and so is the worker that takes it over; the
page the person is watching then tells them, kindly, that nothing was added."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from daybook.imports.abandoned import STOPPED
from daybook.imports.models import ImportJob
from daybook.incidents.models import Entry
from tests.browser.conftest import signed_in_as
from tests.browser.journeys import main_text, tick
from tests.browser.test_account_pages import assert_accessible_and_fits
from tests.conftest import Personas
from tests.test_import_bulk import chat
from tests.test_workers import MESSAGES, Workers, import_task, import_under_way, wait_for


@pytest.mark.django_db(transaction=True)
def test_the_person_is_told_when_their_import_stopped_and_nothing_was_added(
    live_server,
    context: BrowserContext,
    page: Page,
    personas: Personas,
    case,
    tmp_path: Path,
    settings,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workers = Workers(tmp_path)
    try:
        signed_in_as(context, live_server, personas.victim)
        page.goto(live_server.url + reverse("imports:start", args=[case.pk]))
        export = tmp_path / "WhatsApp Chat with Sam Ex.txt"
        export.write_bytes(chat(MESSAGES))
        page.get_by_label("Choose the exported file").set_input_files(str(export))
        page.get_by_role("button", name="Upload and check").click()
        stalkers_messages = MESSAGES * 4 // 5
        tick(
            page,
            "Who is the person whose messages you want to log?",
            f"Sam Ex ({stalkers_messages} messages)",
        )
        page.get_by_role("button", name="Import").click()
        expect(page.get_by_test_id("import-progress")).to_be_visible()
        job = ImportJob.objects.get(case=case)

        workers.start("first")
        wait_for(lambda: import_under_way(tmp_path, job), describe="the import under way")
        workers.kill("first")
        workers.start("second")
        wait_for(
            lambda: (
                import_task().worker_ids == ["first", "second"] and import_under_way(tmp_path, job)
            ),
            describe="the second run under way",
        )
        workers.kill("second")
        workers.start("third")
        # The page refreshes itself while the import waits or runs.
        expect(page.locator("main")).to_contain_text(STOPPED, timeout=60_000)
    finally:
        workers.stop_all()
    assert "added" not in main_text(page).replace(STOPPED, "")
    assert Entry.objects.filter(case=case).count() == 0
    assert_accessible_and_fits(page)
