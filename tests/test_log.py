"""Recording, reading, amending and withdrawing entries through the pages, as people do."""

import csv
import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from daybook.audit.models import Action, AuditEvent
from daybook.cases.services import case_label
from daybook.incidents import services
from daybook.incidents.models import ChainRecord, Entry
from tests.conftest import Personas, entry_values


def form_data(**overrides: object) -> dict[str, object]:
    values = entry_values(**overrides)
    return {key: value for key, value in values.items() if value not in (False, None)}


@pytest.fixture
def victim_client(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.victim)
    return client


def test_a_new_victim_starts_a_log_straight_away(client: Client, personas: Personas) -> None:
    client.force_login(personas.outsider)
    assert client.get(reverse("incidents:log_list")).status_code == 200
    response = client.post(reverse("incidents:log_start"))
    case = personas.outsider.owned_cases.get()
    assert response["Location"] == reverse("incidents:record", args=[case.pk])
    assert case.service is None
    assert client.get(reverse("incidents:log_list"))["Location"] == reverse(
        "incidents:log", args=[case.pk]
    )


def test_recording_in_a_hurry_needs_only_a_date_and_what_happened(
    victim_client: Client, case
) -> None:
    url = reverse("incidents:record", args=[case.pk])
    response = victim_client.post(
        url, {"occurred_on": "2026-11-01", "what_happened": "Car outside again."}
    )
    entry = Entry.objects.get(case=case)
    assert response["Location"] == reverse("incidents:entry", args=[case.pk, entry.pk])
    assert entry.status == Entry.Status.LOGGED
    assert entry.precision == Entry.Precision.DATE_ONLY
    assert entry.recorded_how == "victim"
    assert services.entry_content_of(entry)["what_happened"] == "Car outside again."


def test_everything_an_entry_records_is_kept(
    victim_client: Client, case, personas: Personas
) -> None:
    victim_client.post(reverse("incidents:record", args=[case.pk]), form_data(ended_time="22:10"))
    entry = Entry.objects.get(case=case)
    content = services.entry_content_of(entry)
    assert content == {**entry_values(ended_time="22:10"), "behaviours": ["turning_up", "watching"]}
    assert entry.feared_violence and entry.changed_daily_life
    assert entry.recorded_by == personas.victim
    assert (entry.ended_at - entry.occurred_at).seconds == 40 * 60
    assert set(entry.behaviour_rows.values_list("category", flat=True)) == {"loitering", "watching"}
    html = victim_client.get(reverse("incidents:entry", args=[case.pk, entry.pk])).content.decode()
    for text in ("Neighbour at number 12", "CAD 1234", "New flat is at 4 Elm Road", "AB12 CDE"):
        assert text in html


def test_forged_and_missing_fields_get_clear_messages_and_save_nothing(
    victim_client: Client, case
) -> None:
    url = reverse("incidents:record", args=[case.pk])
    response = victim_client.post(
        url, form_data(channel="carrier_pigeon", behaviours=["mind_control"], what_happened="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Describe what happened" in html
    assert "Select a valid choice" in html
    response = victim_client.post(url, {"occurred_on": "2999-01-01", "what_happened": "x"})
    assert "The date must be today or in the past" in response.content.decode()
    response = victim_client.post(url, {"occurred_on": "31/02/2026", "what_happened": "x"})
    assert "Enter a real date" in response.content.decode()
    assert not Entry.objects.exists()
    assert not ChainRecord.objects.exists()


def test_a_draft_is_not_in_the_log_until_it_is_added(victim_client: Client, case) -> None:
    url = reverse("incidents:record", args=[case.pk])
    victim_client.post(url, {**form_data(), "save_draft": "1"})
    draft = Entry.objects.get(case=case)
    assert draft.status == Entry.Status.DRAFT
    assert not ChainRecord.objects.exists()
    log_html = victim_client.get(reverse("incidents:log", args=[case.pk])).content.decode()
    assert "Drafts" in log_html and "0 entries" in log_html
    draft_url = reverse("incidents:draft", args=[case.pk, draft.pk])
    assert "He stood outside" in victim_client.get(draft_url).content.decode()
    victim_client.post(draft_url, form_data(what_happened="Finished text"))
    draft.refresh_from_db()
    assert draft.status == Entry.Status.LOGGED
    assert ChainRecord.objects.get().kind == "entry"


def test_an_amendment_keeps_the_original(victim_client: Client, case, entry) -> None:
    url = reverse("incidents:amend", args=[case.pk, entry.pk])
    response = victim_client.post(
        url, {**form_data(what_happened="He stood there for two hours."), "reason": "I remembered"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.amended
    assert services.entry_content_of(entry)["what_happened"] == "He stood there for two hours."
    kinds = list(
        ChainRecord.objects.filter(entry=entry).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == ["entry", "amendment"]
    html = victim_client.get(reverse("incidents:entry", args=[case.pk, entry.pk])).content.decode()
    assert "He stood outside the house for an hour" in html  # the original, in the history
    assert "I remembered" in html


def test_an_amendment_without_a_reason_or_change_is_refused(
    victim_client: Client, case, entry
) -> None:
    url = reverse("incidents:amend", args=[case.pk, entry.pk])
    assert (
        "Say why you are changing this entry"
        in victim_client.post(url, form_data()).content.decode()
    )
    html = victim_client.post(url, {**form_data(), "reason": "no change"}).content.decode()
    assert "Nothing was changed" in html
    assert ChainRecord.objects.filter(entry=entry).count() == 1


def test_withdrawing_keeps_the_entry_in_the_history(victim_client: Client, case, entry) -> None:
    url = reverse("incidents:withdraw", args=[case.pk, entry.pk])
    assert "Give a reason" in victim_client.post(url, {"reason": ""}).content.decode()
    victim_client.post(url, {"reason": "Recorded twice"})
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    html = victim_client.get(reverse("incidents:entry", args=[case.pk, entry.pk])).content.decode()
    assert "Recorded twice" in html and "Withdrawn" in html
    assert (
        victim_client.get(reverse("incidents:amend", args=[case.pk, entry.pk])).status_code == 404
    )


def test_nothing_can_edit_or_delete_an_entry_through_the_application(
    victim_client: Client, case, entry
) -> None:
    for url in (
        reverse("incidents:entry", args=[case.pk, entry.pk]),
        f"/logs/{case.pk}/entries/{entry.pk}/delete/",
        f"/logs/{case.pk}/entries/{entry.pk}/edit/",
    ):
        assert victim_client.delete(url).status_code in (404, 405)
        assert victim_client.post(url, {"what_happened": "changed"}).status_code in (404, 405)
    assert services.entry_content_of(entry)["what_happened"].startswith("He stood outside")


def test_the_log_lists_filters_orders_and_counts(
    victim_client: Client, case, personas: Personas
) -> None:
    for day, behaviours, channel in [
        ("2026-09-01", ["contacting"], "text_message"),
        ("2026-09-05", ["following"], "in_person"),
        ("2026-09-09", ["contacting", "threats"], "text_message"),
    ]:
        services.entry_record(
            case=case,
            author=personas.victim,
            how="victim",
            values=entry_values(
                occurred_on=day, behaviours=behaviours, channel=channel, what_happened=f"On {day}"
            ),
        )
    url = reverse("incidents:log", args=[case.pk])
    response = victim_client.get(url)
    assert [row[1]["occurred_on"] for row in response.context["rows"]] == [
        "2026-09-09",
        "2026-09-05",
        "2026-09-01",
    ]
    assert response.context["counts"].entries == 3
    assert ("Contacting or attempting to contact (s.2A(3)(b))", 2) in response.context[
        "counts"
    ].by_category
    oldest = victim_client.get(url, {"order": "oldest"}).context["rows"]
    assert oldest[0][1]["occurred_on"] == "2026-09-01"
    texts = victim_client.get(url, {"channel": "text_message"}).context["rows"]
    assert [row[1]["occurred_on"] for row in texts] == ["2026-09-09", "2026-09-01"]
    threats = victim_client.get(url, {"behaviour": "threats"}).context["rows"]
    assert [row[1]["occurred_on"] for row in threats] == ["2026-09-09"]
    ranged = victim_client.get(url, {"date_from": "2026-09-02", "date_to": "2026-09-06"}).context[
        "rows"
    ]
    assert [row[1]["occurred_on"] for row in ranged] == ["2026-09-05"]
    forged = victim_client.get(url, {"behaviour": "nonsense", "page": "999"})
    assert forged.status_code == 200


def test_the_log_page_runs_the_same_queries_however_long_the_log(
    victim_client: Client,
    case,
    personas: Personas,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_page() -> int:
        from django.core.cache import cache

        victim_client.get(reverse("incidents:log", args=[case.pk]))  # settle the connection
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert victim_client.get(reverse("incidents:log", args=[case.pk])).status_code == 200
        return len(captured)

    def add(count: int) -> None:
        for day in range(1, count + 1):
            services.entry_record(
                case=case,
                author=personas.victim,
                how="victim",
                values=entry_values(occurred_on=f"2026-08-{day:02d}"),
            )

    add(3)
    few = queries_for_page()
    add(27)
    assert queries_for_page() == few


def test_advocates_see_who_recorded_each_entry(case, personas: Personas) -> None:
    advocate = Client()
    advocate.force_login(personas.advocate)
    advocate.post(
        reverse("incidents:record", args=[case.pk]), form_data(what_happened="Reported by phone")
    )
    entry = Entry.objects.get(case=case)
    assert entry.recorded_how == "advocate" and entry.recorded_by == personas.advocate
    services.entry_record(case=case, author=personas.victim, how="victim", values=entry_values())
    html = advocate.get(reverse("incidents:log", args=[case.pk])).content.decode()
    assert "Recorded by Advocate (by an advocate)" in html
    assert "Recorded by Victim (by the person)" in html


def test_a_witness_account_is_marked_as_such(victim_client: Client, case) -> None:
    victim_client.post(
        reverse("incidents:record", args=[case.pk]), {**form_data(), "from_witness": "on"}
    )
    assert Entry.objects.get().recorded_how == "witness"


def test_an_advocate_opens_a_case_for_a_client(personas: Personas) -> None:
    advocate = Client()
    advocate.force_login(personas.advocate)
    response = advocate.post(reverse("incidents:case_open"), {"label": "Client A"})
    case = personas.advocate.assigned_cases.get()
    assert response["Location"] == reverse("incidents:log", args=[case.pk])
    assert case.service == personas.service and case.owner is None
    assert case_label(case) == "Client A"
    assert "Client A" in advocate.get(reverse("incidents:log_list")).content.decode()


def test_victims_cannot_open_cases_for_others(victim_client: Client) -> None:
    assert victim_client.post(reverse("incidents:case_open"), {"label": "x"}).status_code == 403


def test_csv_download_needs_reauthentication_and_holds_the_whole_log(
    case, entry, personas: Personas
) -> None:
    from tests.test_accounts import reauthenticate, sign_in

    client = Client()
    sign_in(client, personas.victim.email)
    url = reverse("incidents:log_download", args=[case.pk])
    assert client.get(url)["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Case" and len(rows) == 2
    assert "He stood outside the house for an hour and stared at the window." in rows[1]
    assert AuditEvent.objects.filter(action=Action.LOG_EXPORTED, actor=personas.victim).exists()


def test_csv_cells_cannot_become_formulas(case, personas: Personas) -> None:
    from daybook.incidents.export import log_csv_rows

    services.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(what_happened="=HYPERLINK(1)"),
    )
    assert "'=HYPERLINK(1)" in list(log_csv_rows(case))[1]


def test_reads_by_others_are_audited_and_reads_by_the_owner_are_not(
    case, entry, personas: Personas
) -> None:
    urls = [
        reverse("incidents:log", args=[case.pk]),
        reverse("incidents:entry", args=[case.pk, entry.pk]),
    ]
    owner = Client()
    owner.force_login(personas.victim)
    for url in urls:
        owner.get(url)
    assert not AuditEvent.objects.filter(
        action__in=[Action.LOG_VIEWED, Action.ENTRY_VIEWED]
    ).exists()
    advocate = Client()
    advocate.force_login(personas.advocate)
    for url in urls:
        advocate.get(url)
    assert AuditEvent.objects.filter(
        action=Action.LOG_VIEWED, actor=personas.advocate, subject_id=str(case.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action=Action.ENTRY_VIEWED, actor=personas.advocate, subject_id=str(entry.pk)
    ).exists()


def test_every_write_is_audited(victim_client: Client, case) -> None:
    victim_client.post(reverse("incidents:record", args=[case.pk]), form_data())
    entry = Entry.objects.get()
    victim_client.post(
        reverse("incidents:amend", args=[case.pk, entry.pk]),
        {**form_data(place="Gate"), "reason": "r"},
    )
    victim_client.post(reverse("incidents:withdraw", args=[case.pk, entry.pk]), {"reason": "r"})
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {Action.ENTRY_RECORDED, Action.ENTRY_AMENDED, Action.ENTRY_WITHDRAWN} <= actions
    # Audit rows carry codes and ids, never what the person wrote.
    assert "Gate" not in str(list(AuditEvent.objects.values_list("extra", flat=True)))


def test_no_narrative_text_reaches_the_application_logs(
    victim_client: Client, case, caplog
) -> None:
    from django.db import connection

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # log every SQL statement, as DEBUG would
    secret = "Unmistakable narrative 7f3a"
    victim_client.post(
        reverse("incidents:record", args=[case.pk]),
        form_data(what_happened=secret, witnesses=secret),
    )
    entry = Entry.objects.get()
    victim_client.get(reverse("incidents:entry", args=[case.pk, entry.pk]))
    victim_client.post(
        reverse("incidents:record", args=[case.pk]), form_data(what_happened=secret, channel="bad")
    )
    connection.force_debug_cursor = False
    assert any(record.name == "django.db.backends" for record in caplog.records)
    assert secret not in caplog.text
    assert "Elm Road" not in caplog.text


def test_the_next_page_of_a_filtered_log_keeps_its_filters(
    victim_client: Client, case, personas: Personas, monkeypatch
) -> None:
    import re

    from daybook.incidents import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for day in ("2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"):
        services.entry_record(
            case=case, author=personas.victim, how="victim", values=entry_values(occurred_on=day)
        )
    url = reverse("incidents:log", args=[case.pk])
    page = victim_client.get(url, {"order": "oldest", "date_from": "2026-10-02"}).content.decode()
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', page)
    assert len(links) == 1
    second = victim_client.get(url + links[0].replace("&amp;", "&")).content.decode()
    # Four entries from the 2nd, oldest first: without the filters it would be page 2 of 3.
    assert "Page 2 of 2" in second
    assert "5 October 2026" in second and "3 October 2026" not in second


def test_an_entry_with_a_field_no_form_has_is_refused_by_name() -> None:
    """A forged field is refused, named, before anything is kept."""
    from django.core.exceptions import ValidationError

    from daybook.incidents.content import normalise

    with pytest.raises(ValidationError, match="Unknown field: forged"):
        normalise({**entry_values(), "forged": "x"})
