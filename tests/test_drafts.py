"""Drafts kept as people type: who may keep and read them, how they are sealed, when they go.
And the error pages: always Daybook's layout, kind words, never kept by the browser."""

import json
import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path, reverse

from daybook import crypto
from daybook.audit.models import Action, AuditEvent
from daybook.cases.sealing import case_key
from daybook.drafts.models import Draft
from daybook.drafts.services import MAX_PAYLOAD_CHARS
from daybook.ui import views as ui_views
from daybook.urls import urlpatterns as daybook_urlpatterns
from tests.conftest import entry_values

WRITTEN = "He waited by the school gates again and followed me to the bus."


def payload(text: str = WRITTEN, **fields: list[str]) -> str:
    return json.dumps(
        {
            "fields": {"what_happened": [text], "behaviours": ["following"], **fields},
            "texts": [["What happened?", text]],
        }
    )


def autosave(client: Client, key: str, body: str | None = None):
    return client.post(
        reverse("drafts:autosave"), {"key": key, "payload": payload() if body is None else body}
    )


@pytest.fixture
def victim_client(client: Client, personas) -> Client:
    client.force_login(personas.victim)
    return client


# --- Keeping a draft ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_victim_keeps_a_draft_of_an_entry_and_finds_it_under_drafts(
    victim_client: Client,
    case,
) -> None:
    key = f"incidents.record:{case.pk}"
    assert autosave(victim_client, key).status_code == 204
    assert autosave(victim_client, key, payload("Second version")).status_code == 204

    draft = Draft.objects.get()
    assert draft.form_key == key
    assert draft.resume_url == reverse("incidents:record", args=[case.pk])
    assert b"Second version" not in bytes(draft.payload_sealed)
    # Saved again and again, audited once.
    assert (
        AuditEvent.objects.filter(action=Action.DRAFT_SAVED, subject_id=str(draft.pk)).count() == 1
    )

    listing = victim_client.get(reverse("drafts:list")).content.decode()
    assert "A new entry for the log" in listing
    assert "Second version" in listing
    assert reverse("incidents:record", args=[case.pk]) in listing
    detail = victim_client.get(reverse("drafts:detail", args=[draft.pk])).content.decode()
    assert "Second version" in detail

    # The form, opened again, carries the draft for the page's script to fill in.
    form_page = victim_client.get(reverse("incidents:record", args=[case.pk])).content.decode()
    assert "Second version" in form_page
    assert 'name="daybook_draft"' in form_page


@pytest.mark.django_db
def test_a_case_draft_is_sealed_with_the_case_key_and_bound_to_its_row(
    victim_client: Client,
    case,
    personas,
) -> None:
    autosave(victim_client, f"incidents.record:{case.pk}")
    draft = Draft.objects.get()
    opened = crypto.open_sealed(case_key(case), bytes(draft.payload_sealed), draft.associated)
    assert WRITTEN in opened.decode()
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(crypto.master_key(), bytes(draft.payload_sealed), draft.associated)
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(case_key(case), bytes(draft.payload_sealed), "draft:other:1:x")


@pytest.mark.django_db
def test_erasing_the_case_shreds_its_drafts(victim_client: Client, case, personas) -> None:
    from daybook.cases.services import case_erase

    autosave(victim_client, f"incidents.record:{case.pk}")
    case_erase(case=case, actor=personas.victim)
    assert WRITTEN not in victim_client.get(reverse("drafts:list")).content.decode()
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_a_referral_draft_is_sealed_with_the_master_key_for_its_owner_only(
    client: Client,
    personas,
) -> None:
    client.force_login(personas.partner)
    assert autosave(client, "cases.referral").status_code == 204
    draft = Draft.objects.get()
    assert draft.case is None
    assert (
        WRITTEN
        in crypto.open_sealed(
            crypto.master_key(), bytes(draft.payload_sealed), draft.associated
        ).decode()
    )

    # The same sealed bytes moved to someone else's draft do not open for them.
    police = Client()
    police.force_login(personas.police)
    autosave(police, "cases.referral", payload("Theirs"))
    theirs = Draft.objects.get(owner=personas.police)
    theirs.payload_sealed = draft.payload_sealed
    theirs.save()
    assert WRITTEN not in police.get(reverse("drafts:list")).content.decode()


# --- Who may keep and read drafts ---------------------------------------------------------


@pytest.mark.django_db
def test_an_outsider_cannot_keep_a_draft_on_someone_elses_case(
    client: Client,
    case,
    personas,
) -> None:
    client.force_login(personas.outsider)
    assert autosave(client, f"incidents.record:{case.pk}").status_code == 404
    client.force_login(personas.other_advocate)
    assert autosave(client, f"cases.contact:{case.pk}").status_code == 404
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_a_victim_cannot_keep_a_draft_of_a_casework_note(victim_client: Client, case) -> None:
    assert autosave(victim_client, f"cases.contact:{case.pk}").status_code == 404
    assert not Draft.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forged",
    [
        "",
        "incidents.record",
        "incidents.record:{case}:{case}",
        "incidents.record:abc",
        "incidents.record:-1",
        "incidents.record:{case}/../",
        "incidents.amend:{case}:999999",
        "incidents.draft:{case}:999999",
        "cases.referral:{case}",
        "accounts.password:{case}",
        "incidents.record:" + "9" * 120,
    ],
)
def test_a_forged_draft_key_is_not_found(victim_client: Client, case, forged: str) -> None:
    assert autosave(victim_client, forged.format(case=case.pk)).status_code == 404
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_nobody_else_can_read_or_delete_a_draft(
    victim_client: Client,
    case,
    personas,
) -> None:
    autosave(victim_client, f"incidents.record:{case.pk}")
    draft = Draft.objects.get()
    for other in (personas.outsider, personas.advocate):
        someone = Client()
        someone.force_login(other)
        assert someone.get(reverse("drafts:detail", args=[draft.pk])).status_code == 404
        assert someone.post(reverse("drafts:discard", args=[draft.pk])).status_code == 404
        assert WRITTEN not in someone.get(reverse("drafts:list")).content.decode()
    assert Draft.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_signed_out_people_keep_no_drafts(client: Client, case) -> None:
    response = autosave(client, f"incidents.record:{case.pk}")
    assert response.status_code == 302
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_an_oversized_draft_is_refused_kindly(victim_client: Client, case) -> None:
    response = autosave(
        victim_client, f"incidents.record:{case.pk}", payload("x" * MAX_PAYLOAD_CHARS)
    )
    assert response.status_code == 413
    assert "too long to keep as a draft" in response.json()["message"]
    assert not Draft.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"fields": []}', '{"fields": {"a": "b"}}', '{"texts": [["only one"]]}'],
)
def test_a_malformed_draft_is_refused(victim_client: Client, case, body: str) -> None:
    assert autosave(victim_client, f"incidents.record:{case.pk}", body).status_code == 400
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_autosave_needs_the_csrf_token(case, personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.victim)
    response = autosave(client, f"incidents.record:{case.pk}")
    assert response.status_code == 403
    assert "This page has expired" in response.content.decode()
    assert not Draft.objects.exists()


# --- When a draft goes ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_draft_goes_when_the_entry_is_added_and_stays_after_an_error(
    victim_client: Client,
    case,
) -> None:
    key = f"incidents.record:{case.pk}"
    autosave(victim_client, key)
    url = reverse("incidents:record", args=[case.pk])
    failed = victim_client.post(
        url, {**entry_values(occurred_on=""), "daybook_draft": key, "add": ""}
    )
    assert failed.status_code == 200
    assert Draft.objects.exists()
    sent = victim_client.post(url, {**entry_values(), "daybook_draft": key, "add": ""})
    assert sent.status_code == 302
    assert not Draft.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DRAFT_DISCARDED, extra__why="sent").exists()


@pytest.mark.django_db
def test_sending_a_form_only_removes_the_senders_own_draft(
    client: Client,
    case,
    personas,
) -> None:
    client.force_login(personas.advocate)
    autosave(client, f"incidents.record:{case.pk}")
    victim = Client()
    victim.force_login(personas.victim)
    victim.post(
        reverse("incidents:record", args=[case.pk]),
        {**entry_values(), "daybook_draft": f"incidents.record:{case.pk}", "add": ""},
    )
    assert Draft.objects.filter(owner=personas.advocate).exists()


@pytest.mark.django_db
def test_the_owner_can_delete_a_draft(victim_client: Client, case) -> None:
    autosave(victim_client, f"incidents.record:{case.pk}")
    draft = Draft.objects.get()
    response = victim_client.post(reverse("drafts:discard", args=[draft.pk]), follow=True)
    assert "Draft deleted" in response.content.decode()
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_entries_saved_as_drafts_are_listed_under_drafts_too(
    victim_client: Client,
    case,
    personas,
) -> None:
    victim_client.post(
        reverse("incidents:record", args=[case.pk]),
        {**entry_values(occurred_on="2026-10-05"), "save_draft": ""},
    )
    html = victim_client.get(reverse("drafts:list")).content.decode()
    assert "Draft for 5 October 2026" in html
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert "Draft for 5 October 2026" not in outsider.get(reverse("drafts:list")).content.decode()


@pytest.mark.django_db
def test_the_anonymous_self_referral_says_nothing_is_kept(client: Client) -> None:
    client.post(reverse("public:before_you_continue"), {"next": "/"})
    html = client.get(reverse("cases:refer_yourself")).content.decode()
    assert "nothing you type here is kept" in html
    assert "daybook_draft" not in html


# --- Error pages ---------------------------------------------------------------------


@login_not_required
def _boom(request):
    raise RuntimeError("a fault")


urlpatterns = [*daybook_urlpatterns, path("boom/", _boom)]
handler400 = "daybook.ui.views.bad_request"
handler403 = "daybook.ui.views.forbidden"
handler404 = "daybook.ui.views.not_found"
handler500 = "daybook.ui.views.server_error"
handler429 = "daybook.ui.views.too_many_requests"


def assert_kind_page(response, status: int, words: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert "govuk-template" in html
    assert "Exit this page" in html
    assert words in html
    assert "no-store" in response["Cache-Control"]
    assert "Django" not in html and "Traceback" not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_drafts")
def test_every_error_page_is_in_daybooks_layout_and_never_kept(client: Client, personas) -> None:
    assert_kind_page(client.get("/no-such-page/"), 404, "Page not found")
    assert_kind_page(
        client.get("/", headers={"host": "bad host"}), 400, "problem with that request"
    )
    client.raise_request_exception = False
    assert_kind_page(client.get("/boom/"), 500, "problem with the service")
    client.force_login(personas.victim)
    assert_kind_page(client.get(reverse("incidents:case_open")), 403, "You cannot do that")


@pytest.mark.django_db
def test_too_many_attempts_is_a_kind_page_not_the_librarys(client: Client, personas) -> None:
    url = reverse("account_reset_password")
    responses = [client.post(url, {"email": personas.victim.email}) for _ in range(5)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited
    assert_kind_page(limited[0], 429, "Please wait before trying again")


@pytest.mark.django_db
def test_a_csrf_failure_is_a_kind_page_not_djangos(personas) -> None:
    client = Client(enforce_csrf_checks=True)
    assert_kind_page(client.post(reverse("public:self_check"), {}), 403, "This page has expired")
    client.force_login(personas.victim)
    response = client.post(reverse("incidents:log_start"))
    assert_kind_page(response, 403, "This page has expired")
    assert reverse("drafts:list") in response.content.decode()


def test_the_error_handlers_are_daybooks() -> None:
    from daybook import urls

    assert urls.handler400 == handler400
    assert urls.handler403 == handler403
    assert urls.handler404 == handler404
    assert urls.handler500 == handler500
    assert urls.handler429 == handler429
    assert ui_views.csrf_failure.__module__ == "daybook.ui.views"


def test_a_wrong_method_is_answered_in_daybook_layout_not_a_blank_page(
    personas,
) -> None:
    client = Client()
    client.force_login(personas.victim)
    response = client.get(reverse("incidents:log_start"))  # only a form's POST starts a log
    assert response.status_code == 405
    assert "Exit this page" in response.content.decode()
    assert "Sorry, there was a problem with that request" in response.content.decode()
    assert response["Cache-Control"] == "no-store, max-age=0"
    assert response["Allow"] == "POST"


# --- The last save, sent as the person leaves ---------------------------------------------


def exit_token_on_the_page(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    found = re.search(r'data-draft-exit-token="([^"]+)"', page)
    assert found, "the form carries no exit token"
    return found.group(1)


@pytest.mark.django_db
def test_the_last_save_is_kept_even_when_the_exit_ended_the_session_first(
    personas,
    case,
) -> None:
    victim = Client()
    victim.force_login(personas.victim)
    token = exit_token_on_the_page(victim, reverse("incidents:record", args=[case.pk]))
    victim.get(reverse("public:exit"))  # Exit this page: the session is over

    # What the browser's beacon sends: no session, no CSRF cookie, only the page's token.
    beacon = Client(enforce_csrf_checks=True)
    key = f"incidents.record:{case.pk}"
    sent = beacon.post(
        reverse("drafts:keep_on_exit"), {"token": token, "key": key, "payload": payload()}
    )
    assert sent.status_code == 204
    assert Draft.objects.get().owner == personas.victim


@pytest.mark.django_db
def test_an_exit_token_keeps_only_its_own_form_for_its_own_person(
    personas,
    case,
    entry,
) -> None:
    victim = Client()
    victim.force_login(personas.victim)
    token = exit_token_on_the_page(victim, reverse("incidents:record", args=[case.pk]))
    beacon = Client(enforce_csrf_checks=True)
    keep = reverse("drafts:keep_on_exit")
    other_form = f"incidents.amend:{case.pk}:{entry.pk}"
    assert (
        beacon.post(keep, {"token": token, "key": other_form, "payload": payload()}).status_code
        == 404
    )
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    key = f"incidents.record:{case.pk}"
    assert beacon.post(keep, {"token": forged, "key": key, "payload": payload()}).status_code == 404
    assert beacon.post(keep, {"key": key, "payload": payload()}).status_code == 404
    assert not Draft.objects.exists()

    # A token given to someone who has since lost access to the log keeps nothing.
    outsider = Client()
    outsider.force_login(personas.advocate)
    advocates_token = exit_token_on_the_page(outsider, reverse("incidents:record", args=[case.pk]))
    case.advocates.remove(personas.advocate)
    response = beacon.post(keep, {"token": advocates_token, "key": key, "payload": payload()})
    assert response.status_code == 404
    assert not Draft.objects.exists()
