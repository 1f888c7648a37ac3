"""A person keeps a signed receipt of their log: downloaded from the log page in Chromium,
read as the JSON file it is, and checked with the service's published key."""

import base64
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from daybook.incidents import signing
from daybook.incidents.chain import canonical_json
from daybook.incidents.services import entry_record
from tests.browser.conftest import signed_in_as
from tests.conftest import entry_values


@pytest.mark.django_db(transaction=True)
def test_a_person_downloads_a_receipt_of_their_log_and_it_checks_out(
    live_server, context: BrowserContext, page: Page, personas, case
) -> None:
    for day in ("2026-10-02", "2026-10-05"):
        entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values(occurred_on=day)
        )
    signed_in_as(context, live_server, personas.victim)
    page.goto(live_server.url + reverse("incidents:log", args=[case.pk]))
    words = re.sub(r"\s+", " ", page.locator("main").inner_text())
    assert "proves this log had 2 records on" in words
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a receipt of the log").click()
    assert download.value.suggested_filename.startswith(f"receipt-{case.reference}-")
    receipt = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    said = receipt["checkpoint"]
    assert (said["case"], said["sequence"]) == (case.reference, 2)
    keys = page.request.get(live_server.url + "/.well-known/daybook-signing-keys.json").json()
    published = {key["key_id"]: key["public_key"] for key in keys}
    assert said["key_id"] in published
    Ed25519PublicKey.from_public_bytes(base64.b64decode(published[said["key_id"]])).verify(
        base64.b64decode(receipt["signature"]), canonical_json(said)
    )
    assert signing.current_key().key_id == said["key_id"]
