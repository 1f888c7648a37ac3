"""The police's view of a shared log: each entry opened, its files viewed and downloaded, the
log searched and filtered, and every read audited and shown to the person.

What the police get follows the person's choice for the share: without the details to keep
private, never those details (not on a page, not in the history, not through a search) and
files only as clean copies, without location and device data."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from daybook.audit.models import Action, AuditEvent
from daybook.cases.services import case_open
from daybook.incidents import services as log
from daybook.incidents.content import PRIVATE_MARK
from daybook.incidents.derivatives import clean_copy
from daybook.incidents.evidence import check_upload
from daybook.police import selectors
from daybook.police.evidence import DOES_NOT_OPEN, NOT_CLEANABLE
from daybook.sharing.services import share_create
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG, jpeg_with_exif
from tests.test_reports import sign_in_fresh

PDF = b"%PDF-1.4 a letter from his solicitor"
JPEG = jpeg_with_exif()
# Sign-in, the share, the checkpoint, the counts and the page of entries: never one an entry.
QUERIES_A_PAGE = 24


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def record(case, personas: Personas, day: str, **values: object):
    return log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on=day, **values),
    )


@pytest.fixture
def shared(case, personas: Personas):
    """Three entries with a photo, a PDF and a screenshot, shared without the private details."""
    first = record(case, personas, "2026-10-01", what_happened="He waited by the car park gate")
    second = record(
        case,
        personas,
        "2026-10-02",
        what_happened="He followed me to the bus stop",
        behaviours=["following"],
        private_details="My sister's flat at 9 Birch Lane",
    )
    third = record(case, personas, "2026-10-03", what_happened="Flowers left on the step")
    photo = log.evidence_add(
        entry=second, author=personas.victim, how="victim", checked=check_upload("car.jpg", JPEG)
    )
    letter = log.evidence_add(
        entry=second, author=personas.victim, how="victim", checked=check_upload("letter.pdf", PDF)
    )
    log.evidence_add(
        entry=third, author=personas.victim, how="victim", checked=check_upload("step.png", PNG)
    )
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    return {"share": share, "entries": [first, second, third], "photo": photo, "letter": letter}


def entry_url(share, entry) -> str:
    return reverse("police:shared_entry", args=[share.pk, entry.pk])


# --- An entry ---------------------------------------------------------------------------


def test_an_officer_opens_an_entry_and_sees_every_shared_field(
    case, personas: Personas, shared
) -> None:
    share, second = shared["share"], shared["entries"][1]
    log.entry_amend(
        entry=second,
        author=personas.victim,
        how="victim",
        changes={"witnesses": "The bus driver"},
        reason="Remembered who saw it",
    )
    police = sign_in_fresh(personas.police)
    listing = text(police.get(reverse("police:shared_log", args=[share.pk])))
    assert f'href="{entry_url(share, second)}"' in listing

    page = text(police.get(entry_url(share, second)))
    assert "Friday 2 October 2026, 21:30" in page
    for shown in (
        "He followed me to the bus stop",
        selectors.police_labels(["following"])[0],
        "Exact time",
        "Europe/London",
        "Home · Outside the front door",
        "Grey hoodie, blue Ford Focus AB12 CDE",
        "The bus driver",
        "Frightened to go out",
        "CAD 1234",
        "PC 5678 Jones",
        "Amended",
        "Remembered who saw it",
        "Witnesses → “The bus driver”",  # the amendment, in the history
        "car.jpg",
        "letter.pdf",
    ):
        assert shown in page, shown
    assert "Birch Lane" not in page and PRIVATE_MARK not in page
    assert "The details the person keeps private are not shared with you." in page
    # Behaviours in the third person: the person's "Following me" would read as the officer's.
    assert selectors.police_labels(["following"]) == ["Following"]
    assert "Following me" not in page
    # The signed checkpoint of the log as it stands is on the entry page too.
    assert 'data-testid="shared-checkpoint"' in page
    case.refresh_from_db()
    assert f"had {case.chain_seq} record" in page

    event = AuditEvent.objects.filter(action=Action.SHARED_ENTRY_VIEWED).get()
    assert event.actor == personas.police
    assert event.extra == {"case": case.pk, "share": share.pk, "entry": second.pk}


def test_a_withdrawn_entry_and_an_imported_context_message_say_so(
    case, personas: Personas, shared
) -> None:
    share, first = shared["share"], shared["entries"][0]
    log.entry_withdraw(entry=first, author=personas.victim, how="victim", reason="Wrong day")
    page = text(sign_in_fresh(personas.police).get(entry_url(share, first)))
    assert "Withdrawn" in page and "The person withdrew this entry." in page
    assert "Reason: Wrong day" in page


def test_entries_and_files_outside_the_share_are_not_found(
    case, personas: Personas, shared
) -> None:
    first, second, third = shared["entries"]
    chosen = share_create(
        case=case, actor=personas.victim, police=personas.police_force, entries=[third]
    )
    other_case = case_open(created_by=personas.outsider, owner=personas.outsider)
    foreign = record(other_case, personas, "2026-10-02", what_happened="Someone else's log")
    foreign_file = log.evidence_add(
        entry=foreign, author=personas.victim, how="victim", checked=check_upload("x.png", PNG)
    )
    draft = log.entry_draft_save(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    police = sign_in_fresh(personas.police)
    assert police.get(entry_url(chosen, third)).status_code == 200
    for wrong in (first, second, foreign, draft):
        assert police.get(entry_url(chosen, wrong)).status_code == 404
    for name in ("police:shared_evidence_view", "police:shared_evidence_download"):
        for share, item in (
            (chosen, shared["photo"]),  # a file of an entry the share leaves out
            (shared["share"], foreign_file),  # a file of another log
        ):
            assert police.get(reverse(name, args=[share.pk, item.pk])).status_code == 404
        assert police.get(reverse(name, args=[share.pk, 999_999])).status_code == 404
    assert police.get(reverse("police:shared_entry", args=[999_999, third.pk])).status_code == 404
    # Another force, and the person themselves, do not reach the police's pages.
    assert sign_in_fresh(personas.victim).get(entry_url(chosen, third)).status_code == 404
    # A withdrawn file is listed as withdrawn and not served.
    log.evidence_withdraw(
        evidence=shared["photo"], author=personas.victim, how="victim", reason="Wrong photo"
    )
    view = reverse("police:shared_evidence_view", args=[shared["share"].pk, shared["photo"].pk])
    assert police.get(view).status_code == 404
    assert not AuditEvent.objects.filter(
        action__in=[Action.SHARED_EVIDENCE_VIEWED, Action.SHARED_EVIDENCE_DOWNLOADED]
    ).exists()


def test_private_details_and_their_history_follow_the_persons_choice(
    case, personas: Personas, shared
) -> None:
    second = shared["entries"][1]
    log.entry_amend(
        entry=second,
        author=personas.victim,
        how="victim",
        changes={"private_details": "My sister's flat at 9 Birch Lane, top floor"},
        reason="More detail",
    )
    police = sign_in_fresh(personas.police)
    without = text(police.get(entry_url(shared["share"], second)))
    assert "Birch Lane" not in without
    assert (
        "Details the person keeps private → “Withheld: the person keeps these details private”"
    ) in without
    assert PRIVATE_MARK not in without

    with_private = share_create(
        case=case, actor=personas.victim, police=personas.police_force, include_private=True
    )
    page = text(police.get(entry_url(with_private, second)))
    assert PRIVATE_MARK in page and "9 Birch Lane, top floor" in page
    assert f"{PRIVATE_MARK} → “My sister's flat at 9 Birch Lane, top floor”" in page.replace(
        "&#x27;", "'"
    )
    assert "Leave them out of anything the defence sees." in page


# --- Evidence -----------------------------------------------------------------------------


def exif_of(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif())


GPS_IFD = 0x8825


def test_without_the_private_details_the_police_get_a_clean_copy(
    case, personas: Personas, shared
) -> None:
    share, photo = shared["share"], shared["photo"]
    assert GPS_IFD in exif_of(JPEG)
    police = sign_in_fresh(personas.police)
    response = police.get(reverse("police:shared_evidence_download", args=[share.pk, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert 'attachment; filename="car.jpg"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert data != JPEG and GPS_IFD not in exif_of(data)
    assert (
        hashlib.sha256(data).hexdigest()
        == hashlib.sha256(clean_copy(JPEG, "image/jpeg")).hexdigest()
    )
    assert Image.open(io.BytesIO(data)).size == (64, 48)

    event = AuditEvent.objects.get(action=Action.SHARED_EVIDENCE_DOWNLOADED)
    assert event.actor == personas.police
    assert event.extra == {
        "case": case.pk,
        "share": share.pk,
        "entry": photo.entry_id,
        "evidence": photo.pk,
        "copy": "clean",
    }
    # The entry page does not show the photo's own location either.
    page = text(police.get(entry_url(share, shared["entries"][1])))
    assert "Location (from the photo)" not in page
    assert "copies with the location and device details removed" in page


def test_with_the_private_details_the_police_get_the_original(
    case, personas: Personas, shared
) -> None:
    share = share_create(
        case=case, actor=personas.victim, police=personas.police_force, include_private=True
    )
    photo, letter = shared["photo"], shared["letter"]
    police = sign_in_fresh(personas.police)
    for item, original in ((photo, JPEG), (letter, PDF)):
        response = police.get(reverse("police:shared_evidence_download", args=[share.pk, item.pk]))
        data = b"".join(response.streaming_content)
        assert data == original
        assert hashlib.sha256(data).hexdigest() == item.sha256
    assert list(
        AuditEvent.objects.filter(action=Action.SHARED_EVIDENCE_DOWNLOADED)
        .order_by("pk")
        .values_list("extra__evidence", "extra__copy")
    ) == [(photo.pk, "original"), (letter.pk, "original")]
    page = text(police.get(entry_url(share, shared["entries"][1])))
    assert "Location (from the photo)" in page


def test_a_kind_that_cannot_be_cleaned_is_listed_saying_why_and_not_served(
    case, personas: Personas, shared
) -> None:
    share, letter = shared["share"], shared["letter"]
    police = sign_in_fresh(personas.police)
    page = text(police.get(entry_url(share, shared["entries"][1])))
    assert "letter.pdf" in page and NOT_CLEANABLE in page
    download = reverse("police:shared_evidence_download", args=[share.pk, letter.pk])
    assert download not in page
    response = police.get(download)
    assert response.status_code == 409
    assert NOT_CLEANABLE in text(response)
    assert not AuditEvent.objects.filter(action=Action.SHARED_EVIDENCE_DOWNLOADED).exists()


def test_an_image_is_shown_inline_sandboxed_and_audited_as_a_view(
    case, personas: Personas, shared
) -> None:
    share, third = shared["share"], shared["entries"][2]
    step = third.evidence.get()
    police = sign_in_fresh(personas.police)
    view = reverse("police:shared_evidence_view", args=[share.pk, step.pk])
    assert f'src="{view}"' in text(police.get(entry_url(share, third)))
    response = police.get(view)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == clean_copy(PNG, "image/png")
    assert AuditEvent.objects.get(action=Action.SHARED_EVIDENCE_VIEWED).extra["evidence"] == step.pk
    # Only images are shown inline.
    letter_view = reverse("police:shared_evidence_view", args=[share.pk, shared["letter"].pk])
    assert police.get(letter_view).status_code == 404


def test_downloading_a_file_needs_the_officer_to_confirm_its_them(
    case, personas: Personas, shared
) -> None:
    from tests.test_accounts import sign_in_with_mfa

    police = Client()
    sign_in_with_mfa(police, personas.police)
    url = reverse("police:shared_evidence_download", args=[shared["share"].pk, shared["photo"].pk])
    response = police.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AuditEvent.objects.filter(action=Action.SHARED_EVIDENCE_DOWNLOADED).exists()


def test_the_person_and_their_advocate_see_which_officer_viewed_which_file(
    case, personas: Personas, shared
) -> None:
    share, photo, second = shared["share"], shared["photo"], shared["entries"][1]
    police = sign_in_fresh(personas.police)
    police.get(entry_url(share, second))
    police.get(reverse("police:shared_evidence_download", args=[share.pk, photo.pk]))
    for person in (personas.victim, personas.advocate):
        page = text(sign_in_fresh(person).get(reverse("sharing:case", args=[case.pk])))
        seen = page[page.index('data-testid="seen"') :]
        assert (
            "Shared evidence file downloaded by the police: car.jpg (a copy without its "
            "location and device details)"
        ) in seen
        assert "Shared entry opened by the police: the entry of 2 Oct 2026, 21:30" in seen
        assert f"{personas.police}, Northshire Police" in seen


def test_audit_rows_hold_codes_and_ids_only(case, personas: Personas, shared) -> None:
    share = share_create(
        case=case, actor=personas.victim, police=personas.police_force, include_private=True
    )
    police = sign_in_fresh(personas.police)
    police.get(entry_url(share, shared["entries"][1]))
    police.get(reverse("police:shared_evidence_download", args=[share.pk, shared["photo"].pk]))
    police.get(reverse("police:shared_log", args=[share.pk]), {"words": "bus stop"})
    for event in AuditEvent.objects.filter(actor=personas.police):
        stored = str(event.extra)
        for secret in ("car.jpg", "bus", "Birch", "followed"):
            assert secret not in stored, (event.action, stored)


# --- Search, filters and pages ---------------------------------------------------------------


@pytest.fixture
def long_log(case, personas: Personas):
    """65 entries, one a day from 1 August 2026; every fifth mentions a red van and is
    following; the private details of each name a street."""
    start = dt.date(2026, 8, 1)
    for day in range(65):
        van = day % 5 == 0
        record(
            case,
            personas,
            (start + dt.timedelta(days=day)).isoformat(),
            what_happened=f"Day {day + 1}: " + ("a red van outside again" if van else "calls"),
            behaviours=["following"] if van else ["contacting"],
            private_details="Hides at Larch Street",
        )
    return share_create(case=case, actor=personas.victim, police=personas.police_force)


def headings(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\s+", " ", found).strip()
        for found in re.findall(r'<h3 class="govuk-summary-card__title">(.*?)</h3>', page)
    ]


def test_the_shared_log_pages_fifty_at_a_time(case, personas: Personas, long_log) -> None:
    police = sign_in_fresh(personas.police)
    url = reverse("police:shared_log", args=[long_log.pk])
    first = text(police.get(url))
    assert len(headings(first)) == 50
    assert "Showing 1 to 50 of 65 entries." in first
    second = text(police.get(url, {"page": 2}))
    assert len(headings(second)) == 15 and headings(second)[0].startswith("Sunday 20 September")
    assert "Page 2 of 2" in second


def test_words_dates_and_behaviour_narrow_the_list_and_are_kept_across_pages(
    case, personas: Personas, long_log
) -> None:
    police = sign_in_fresh(personas.police)
    url = reverse("police:shared_log", args=[long_log.pk])
    vans = text(police.get(url, {"words": "RED  van"}))
    assert "Showing 1 to 13 of 13 entries that match." in vans
    assert "Day 1: a red van" in vans and "Day 2: calls" not in vans

    dated = text(
        police.get(url, {"words": "van", "date_from": "2026-08-05", "date_to": "2026-08-20"})
    )
    assert headings(dated) == [
        "Thursday 6 August 2026, 21:30",
        "Tuesday 11 August 2026, 21:30",
        "Sunday 16 August 2026, 21:30",
    ]
    following = text(police.get(url, {"behaviour": "following", "date_to": "2026-08-31"}))
    assert "Showing 1 to 7 of 7 entries that match." in following

    contacting = police.get(url, {"behaviour": "contacting", "page": 2})
    page = text(contacting)
    assert "Showing 51 to 52 of 52 entries that match." in page
    assert 'href="?behaviour=contacting&amp;page=1#entries"' in page


def test_a_search_never_finds_what_the_share_keeps_private(
    case, personas: Personas, long_log
) -> None:
    police = sign_in_fresh(personas.police)
    page = text(police.get(reverse("police:shared_log", args=[long_log.pk]), {"words": "Larch"}))
    assert "No shared entries match “Larch”." in page
    assert "Larch Street" not in page
    with_private = share_create(
        case=case, actor=personas.victim, police=personas.police_force, include_private=True
    )
    page = text(
        police.get(reverse("police:shared_log", args=[with_private.pk]), {"words": "Larch"})
    )
    assert "Showing 1 to 50 of 65 entries that match." in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"behaviour": "<script>"}, "Choose a behaviour from the list"),
        ({"date_from": "2026-13-45"}, "Enter the start date as a real date"),
        ({"date_to": "yesterday"}, "Enter the end date as a real date"),
        (
            {"date_from": "2026-09-01", "date_to": "2026-08-01"},
            "The end date must be the same as or after the start date",
        ),
        ({"words": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"page": "abc"}, ""),
        ({"page": "99999"}, ""),
    ],
)
def test_forged_filter_values_get_a_kind_message_not_an_error(
    case, personas: Personas, long_log, query: dict, message: str
) -> None:
    police = sign_in_fresh(personas.police)
    response = police.get(reverse("police:shared_log", args=[long_log.pk]), query)
    assert response.status_code == 200
    page = text(response)
    if message:
        assert "govuk-error-summary" in page and message in page
    assert headings(page)  # the entries are still listed


def test_a_search_is_bounded_and_says_so(case, personas: Personas, long_log, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 20)
    police = sign_in_fresh(personas.police)
    page = text(police.get(reverse("police:shared_log", args=[long_log.pk]), {"words": "van"}))
    assert "65 entries are in these dates; the words were looked for in the first 20." in page
    assert "Showing 1 to 4 of 4 entries that match." in page


def test_the_shared_log_page_reads_a_bounded_number_of_queries(
    case, personas: Personas, long_log, django_assert_max_num_queries
) -> None:
    """A page of 50 costs the same however long the log: the entries of the page are opened
    together, never one by one."""
    police = sign_in_fresh(personas.police)
    url = reverse("police:shared_log", args=[long_log.pk])
    police.get(url)  # the checkpoint of the log as it stands is issued once
    with django_assert_max_num_queries(QUERIES_A_PAGE):
        assert police.get(url).status_code == 200
    with django_assert_max_num_queries(QUERIES_A_PAGE):
        assert police.get(url, {"words": "van", "behaviour": "following"}).status_code == 200


def test_an_imported_message_says_who_sent_it_and_context_is_marked(
    case, personas: Personas
) -> None:
    theirs = record(
        case,
        personas,
        "2026-10-05",
        what_happened="I know you're home",
        source={
            "said": "WhatsApp message",
            "from": {"name": "Sam Ex", "address": "+447700900123"},
            "direction": "incoming",
            "from_stalker": True,
        },
    )
    own = record(
        case,
        personas,
        "2026-10-05",
        what_happened="Stop contacting me",
        source={
            "said": "WhatsApp message",
            "from": {"name": "Me"},
            "party": "the_person",
            "to": [{"name": "Sam Ex", "address": "+447700900123"}],
            "direction": "outgoing",
            "from_stalker": False,
        },
    )
    assert (theirs.status, own.status) == ("logged", "context")
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    police = sign_in_fresh(personas.police)
    page = text(police.get(entry_url(share, theirs)))
    assert "WhatsApp message from Sam Ex (+447700900123) to the person" in page
    page = text(police.get(entry_url(share, own)))
    assert "WhatsApp message from the person to Sam Ex (+447700900123)" in page
    assert "Context" in page and "It is not counted as an incident." in page


def test_the_way_back_from_an_entry_returns_to_the_page_and_filters_it_was_opened_from(
    case, personas: Personas, long_log
) -> None:
    police = sign_in_fresh(personas.police)
    url = reverse("police:shared_log", args=[long_log.pk])
    listing = police.get(url, {"behaviour": "contacting", "page": "2"}).content.decode()
    opened = re.findall(r'href="(/shared/\d+/entries/\d+/[^"]*)"', listing)[0]
    assert opened.endswith("?behaviour=contacting&amp;page=2")
    entry_page = police.get(opened.replace("&amp;", "&")).content.decode()
    assert f'href="{url}?behaviour=contacting&amp;page=2#entries"' in entry_page


@pytest.mark.parametrize("include_private", [False, True])
def test_a_file_that_no_longer_opens_as_stored_is_refused_kindly(
    case, personas: Personas, shared, include_private: bool
) -> None:
    share = share_create(
        case=case,
        actor=personas.victim,
        police=personas.police_force,
        include_private=include_private,
    )
    photo = shared["photo"]
    with default_storage.open(photo.storage_name, "rb") as stored:
        sealed = bytearray(stored.read())
    sealed[40] ^= 1  # one bit of the stored file altered
    default_storage.delete(photo.storage_name)
    default_storage.save(photo.storage_name, ContentFile(bytes(sealed)))
    police = sign_in_fresh(personas.police)
    response = police.get(reverse("police:shared_evidence_download", args=[share.pk, photo.pk]))
    assert response.status_code == 409
    assert DOES_NOT_OPEN in text(response).replace("&#x27;", "'")
    view = reverse("police:shared_evidence_view", args=[share.pk, photo.pk])
    assert police.get(view).status_code == 404
    assert not AuditEvent.objects.filter(
        action__in=[Action.SHARED_EVIDENCE_VIEWED, Action.SHARED_EVIDENCE_DOWNLOADED]
    ).exists()
