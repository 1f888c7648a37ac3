"""With files on S3-compatible object storage, a person adds a photo to an entry in Chromium,
sees its preview and downloads it again: the bytes come back exactly, and the bucket holds
only their sealed form. The live server runs in this process, so the test's storage settings
are the server's."""

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page

from tests.browser.journeys import confirm_its_you, main_text, sign_in
from tests.s3server import S3Server, running_s3_server, store_in_a_new_bucket


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


def photo_bytes() -> bytes:
    image = Image.new("RGB", (120, 80), (20, 90, 160))
    for x in range(0, 120, 6):  # a pattern, so the compressed pixels are not all alike
        image.putpixel((x, x % 80), (250, 250, 250))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_person_adds_a_photo_to_an_entry_and_opens_it_again_from_object_storage(
    live_server, page: Page, personas, case, entry, settings, s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = store_in_a_new_bucket(settings, s3_server, tmp_path)
    photo = tmp_path / "doorstep.png"
    photo.write_bytes(photo_bytes())
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()

    sign_in(page, live_server.url, personas.victim)
    page.goto(live_server.url + reverse("incidents:entry", args=[case.pk, entry.pk]))
    page.get_by_label("Add a photo, screenshot").set_input_files(str(photo))
    page.get_by_role("button", name="Add the file").click()
    shown = main_text(page)
    assert "doorstep.png" in shown and digest in shown

    # The preview is drawn from the file in the bucket, opened by Daybook.
    preview = page.get_by_alt_text("Preview of doorstep.png")
    preview.wait_for()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=preview.element_handle()
    )

    objects = s3_server.objects(bucket)
    assert len(objects) == 1
    (sealed,) = objects.values()
    assert not sealed.startswith(b"\x89PNG") and photo.read_bytes()[16:64] not in sealed

    with page.expect_download() as download:
        page.get_by_role("link", name="Download doorstep.png").click()
        page.wait_for_load_state()
        confirm_its_you(page)
    assert Path(download.value.path()).read_bytes() == photo.read_bytes()
