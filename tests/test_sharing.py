"""Sharing a log with the police: the chooser, the check page and what the police then see.

The check page and the police's view must say the same thing, so these tests read the check
page's own words and hold the police's view to them."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from daybook.cases.services import case_open
from daybook.incidents import services as log
from daybook.incidents.evidence import check_upload
from daybook.sharing.models import Share
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG
from tests.test_reports import pdf_text, sign_in_fresh

BEHAVIOURS_SHOWN = "Turning up at my home, work or school, Watching or spying on me"


def record(case, personas: Personas, day: str, **values: object):
    return log.entry_record(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on=day, **values),
    )


@pytest.fixture
def october(case, personas: Personas):
    """Five entries, 1 to 5 October 2026; the third has a photo, the fourth is withdrawn."""
    entries = [
        record(
            case,
            personas,
            f"2026-10-0{day}",
            occurred_time=f"{day + 17}:15",
            what_happened=f"Incident number {day} at the door, then he drove off slowly",
            private_details=f"Refuge address {day} Elm Road",
        )
        for day in range(1, 6)
    ]
    log.evidence_add(
        entry=entries[2],
        author=personas.victim,
        how="victim",
        checked=check_upload("door.png", PNG),
    )
    log.entry_withdraw(entry=entries[3], author=personas.victim, how="victim", reason="Wrong day")
    log.entry_draft_save(
        case=case,
        author=personas.victim,
        how="victim",
        values=entry_values(occurred_on="2026-10-03", what_happened="A draft never shared"),
    )
    return entries


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def choose(case, police, scope: str, *, entries=(), date_from="", date_to="") -> dict:
    return {
        "police": police.pk,
        "scope": scope,
        "entries": [entry.pk for entry in entries],
        "date_from": date_from,
        "date_to": date_to,
    }


def test_the_chooser_shows_date_time_behaviours_and_first_words(
    case, october, personas: Personas
) -> None:
    client = Client()
    client.force_login(personas.victim)
    page = text(client.get(reverse("sharing:case", args=[case.pk])))
    assert "Thu 1 Oct 2026, 18:15" in page
    assert BEHAVIOURS_SHOWN in page
    assert "Incident number 1 at the door" in page
    assert "A draft never shared" not in page
    assert 'type="checkbox"' in page and 'name="entries"' in page
    assert "Your whole log (5 entries)" in page
    assert "Showing 1 to 5 of 5, newest first." in page


def test_the_chooser_filters_by_dates_and_offers_that_range(
    case, october, personas: Personas
) -> None:
    client = Client()
    client.force_login(personas.victim)
    page = text(
        client.get(
            reverse("sharing:case", args=[case.pk]),
            {"date_from": "2026-10-02", "date_to": "2026-10-04"},
        )
    )
    assert "Every entry from 2 Oct 2026 to 4 Oct 2026 (3 entries)" in page
    assert "Incident number 2" in page and "Incident number 4" in page
    assert "Incident number 1 " not in page and "Incident number 5" not in page


def test_the_chooser_shows_one_page_of_fifty_at_a_time(
    case,
    personas: Personas,
    django_assert_max_num_queries,
    monkeypatch,
) -> None:
    with log.chain_batch(case):
        for index in range(60):
            log.entry_record(
                case=case,
                author=personas.victim,
                how="victim",
                values=entry_values(
                    occurred_on=(dt.date(2026, 1, 1) + dt.timedelta(days=index)).isoformat(),
                    what_happened=f"Entry {index}",
                ),
            )
    client = Client()
    client.force_login(personas.victim)
    url = reverse("sharing:case", args=[case.pk])
    from daybook.incidents import selectors

    decrypted: list[int] = []
    real = selectors.current_contents

    def counting(entries, case, key=None):
        decrypted.append(len(entries))
        return real(entries, case, key)

    monkeypatch.setattr(selectors, "current_contents", counting)
    with django_assert_max_num_queries(30):
        page = text(client.get(url))
    assert decrypted == [50]  # only the entries on the page are opened
    assert page.count('name="entries"') == 50
    assert "Showing 1 to 50 of 60" in page
    assert "Page 1 of 2" in page
    second = text(client.get(url, {"page": 2}))
    assert second.count('name="entries"') == 10 and "Entry 0 " in second


def test_choices_are_checked_before_the_check_page(case, october, personas: Personas) -> None:
    client = Client()
    client.force_login(personas.victim)
    url = reverse("sharing:check", args=[case.pk])
    police = personas.police_force
    assert "Choose what you want to share" in text(client.post(url, choose(case, police, "")))
    assert "Tick the entries you want to share" in text(
        client.post(url, choose(case, police, "chosen"))
    )
    assert "You ticked some entries" in text(
        client.post(url, choose(case, police, "whole", entries=october[:1]))
    )
    assert not Share.objects.exists()


def test_the_check_page_says_who_what_from_when_and_how_to_stop(
    case, october, personas: Personas
) -> None:
    client = Client()
    client.force_login(personas.victim)
    page = text(
        client.post(
            reverse("sharing:check", args=[case.pk]),
            choose(
                case, personas.police_force, "dates", date_from="2026-10-02", date_to="2026-10-05"
            ),
        )
    )
    assert "<title>Check before you share" in page
    assert "<strong>Northshire Police</strong>. Any of its police liaison officers" in page
    assert "<strong>4 entries</strong>, dated from 2 Oct 2026 to 5 Oct 2026" in page
    assert "This includes 1 you withdrew, marked as withdrawn." in page
    assert "1 file attached to these entries" in page
    assert "Details to keep private" in page
    assert "From now, as soon as you confirm." in page
    assert "Stop sharing with Northshire Police" in page
    assert "Entries you add later with dates from 2 Oct 2026 to 5 Oct 2026 are shared too" in page
    assert not Share.objects.exists()  # nothing is shared by looking


def test_confirming_needs_reauthentication(case, october, personas: Personas) -> None:
    from tests.test_accounts import sign_in

    stale = Client()
    sign_in(stale, personas.victim.email)
    response = stale.post(
        reverse("sharing:case", args=[case.pk]), choose(case, personas.police_force, "whole")
    )
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Share.objects.exists()


def _entry_headings(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r"<h3 class=\"govuk-summary-card__title\">(.*?)</h3>", page)
    ]


def test_the_police_see_exactly_what_the_check_page_said(
    case,
    october,
    personas: Personas,
    django_capture_on_commit_callbacks,
) -> None:
    owner = sign_in_fresh(personas.victim)
    chosen = [october[0], october[2], october[3]]
    data = choose(case, personas.police_force, "chosen", entries=chosen)
    check = text(owner.post(reverse("sharing:check", args=[case.pk]), data))
    listed = re.findall(r"<li><strong>([^<]+)</strong>", check)
    assert listed == ["Thu 1 Oct 2026, 18:15", "Sat 3 Oct 2026, 20:15", "Sun 4 Oct 2026, 21:15"]
    assert "<strong>3 entries</strong>, dated from 1 Oct 2026 to 4 Oct 2026" in check
    assert "Only these entries. Entries you add later are not shared." in check
    # The confirm button posts back exactly what was checked.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', check))
    assert hidden["scope"] == "chosen" and hidden["police"] == str(personas.police_force.pk)
    assert sorted(re.findall(r'name="entries" value="(\d+)"', check)) == sorted(
        str(entry.pk) for entry in chosen
    )
    response = owner.post(
        reverse("sharing:case", args=[case.pk]),
        {**data, "entries": re.findall(r'name="entries" value="(\d+)"', check)},
    )
    assert response.status_code == 302
    share = Share.objects.get()
    assert not share.whole_log

    police = sign_in_fresh(personas.police)
    page = text(police.get(reverse("police:shared_log", args=[share.pk])))
    assert _entry_headings(page) == [
        "Thursday 1 October 2026, 18:15",
        "Saturday 3 October 2026, 20:15",
        "Sunday 4 October 2026, 21:15 (withdrawn)",
    ]
    assert "3 entries shared, dated from 1 Oct 2026 to 4 Oct 2026, 1 withdrawn" in page
    # What the check page says is left out is absent, on the page and in what they produce.
    assert "Elm Road" not in page and "A draft never shared" not in page
    assert "Incident number 2" not in page
    for name in ("cases:record", "incidents:log", "risk:screening"):  # the rest of the case
        assert police.get(reverse(name, args=[case.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        police.post(reverse("police:shared_log", args=[share.pk]), {"kind": "chronology"})
    report = share.reports.get()
    pdf = pdf_text(
        police.get(reverse("police:shared_report_download", args=[share.pk, report.pk])).content
    )
    assert "Incident number 1" in pdf and "Incident number 3" in pdf
    assert "Incident number 2" not in pdf and "Elm Road" not in pdf

    # A later entry is not shared; revoking takes effect at once.
    record(case, personas, "2026-10-02", what_happened="Added after sharing")
    assert "Added after sharing" not in text(
        police.get(reverse("police:shared_log", args=[share.pk]))
    )
    owner.post(reverse("sharing:revoke", args=[case.pk, share.pk]))
    assert police.get(reverse("police:shared_log", args=[share.pk])).status_code == 404


def test_a_date_range_share_includes_later_entries_in_its_range(
    case, october, personas: Personas
) -> None:
    owner = sign_in_fresh(personas.victim)
    data = choose(
        case, personas.police_force, "dates", date_from="2026-10-02", date_to="2026-10-03"
    )
    assert owner.post(reverse("sharing:case", args=[case.pk]), data).status_code == 302
    share = Share.objects.get()
    assert (share.since, share.until) == (dt.date(2026, 10, 2), dt.date(2026, 10, 3))
    record(case, personas, "2026-10-03", occurred_time="08:00", what_happened="Later, in range")
    record(case, personas, "2026-10-09", what_happened="Later, out of range")
    police = Client()
    police.force_login(personas.police)
    page = text(police.get(reverse("police:shared_log", args=[share.pk])))
    assert "Later, in range" in page and "Later, out of range" not in page
    assert len(_entry_headings(page)) == 3


def test_an_advocate_without_consent_is_told_before_the_check_page(
    case, october, personas: Personas
) -> None:
    client = Client()
    client.force_login(personas.advocate)
    page = text(
        client.post(
            reverse("sharing:check", args=[case.pk]), choose(case, personas.police_force, "whole")
        )
    )
    assert "needs the person" in page and "Check before you share" not in page


@pytest.mark.parametrize("persona", ["outsider", "police", "other_advocate", "partner"])
def test_people_without_the_case_get_404_on_every_sharing_page(
    case, october, personas: Personas, persona: str
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    data = choose(case, personas.police_force, "whole")
    assert client.get(reverse("sharing:case", args=[case.pk])).status_code == 404
    assert client.post(reverse("sharing:check", args=[case.pk]), data).status_code == 404
    assert client.post(reverse("sharing:case", args=[case.pk]), data).status_code == 404
    assert not Share.objects.exists()


def test_an_outsider_cannot_open_a_shared_log(case, october, personas: Personas) -> None:
    from daybook.sharing.services import share_create

    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    for persona in ("outsider", "advocate", "partner"):
        client = Client()
        client.force_login(getattr(personas, persona))
        assert client.get(reverse("police:shared_log", args=[share.pk])).status_code == 404


def test_the_shared_logs_page_title_is_neutral(case, personas: Personas) -> None:
    from daybook.cases.models import Case
    from daybook.insights.models import RepeatAlert
    from daybook.sharing.services import share_create

    other = case_open(created_by=personas.outsider, owner=personas.outsider)
    share_create(case=case, actor=personas.victim, police=personas.police_force)
    share = share_create(case=other, actor=personas.outsider, police=personas.police_force)
    RepeatAlert.objects.create(case=case, other_case=other, kind="phone")
    client = Client()
    client.force_login(personas.police)
    page = client.get(reverse("police:shared_list")).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "Shared logs" in title
    assert case.reference not in title and other.reference not in title
    assert "Possible repeat" not in title
    body = page.split("</title>", 1)[1]
    assert f"{case.reference} shares a" in body
    log_page = client.get(reverse("police:shared_log", args=[share.pk])).content.decode()
    log_title = re.search(r"<title>(.*?)</title>", log_page, re.S).group(1)
    assert other.reference not in log_title
    assert Case.objects.count() == 2


def test_the_police_home_page_says_how_many_logs_are_shared(case, personas: Personas) -> None:
    from daybook.sharing.services import share_create

    client = Client()
    client.force_login(personas.police)
    assert "No logs are shared with Northshire Police yet." in text(client.get(reverse("home")))
    share = share_create(case=case, actor=personas.victim, police=personas.police_force)
    page = text(client.get(reverse("home")))
    assert "1 log is shared with Northshire Police." in page
    assert f'href="{reverse("police:shared_list")}">Shared logs</a>' in page
    from daybook.sharing.services import share_revoke

    share_revoke(share=share, actor=personas.victim)
    assert "No logs are shared" in text(client.get(reverse("home")))


def test_a_date_range_keeps_entries_by_their_own_date_in_any_time_zone(
    case, personas: Personas
) -> None:
    from daybook.sharing.services import entries_in_scope

    early = record(
        case, personas, "2026-10-02", occurred_time="00:30", time_zone="Pacific/Kiritimati"
    )
    late = record(
        case, personas, "2026-10-02", occurred_time="23:30", time_zone="Pacific/Pago_Pago"
    )
    record(case, personas, "2026-10-01", occurred_time="23:59", time_zone="Pacific/Kiritimati")
    record(case, personas, "2026-10-03", occurred_time="00:01", time_zone="Pacific/Pago_Pago")
    day = dt.date(2026, 10, 2)
    assert list(entries_in_scope(case, since=day, until=day)) == [early, late]
    assert early.occurred_at.astimezone(dt.UTC).date() == dt.date(
        2026, 10, 1
    )  # the instant is the day before
    assert late.occurred_at.astimezone(dt.UTC).date() == dt.date(2026, 10, 3)  # and the day after


def test_the_sharing_page_says_what_each_share_holds() -> None:
    import datetime as dt

    from daybook.sharing.models import Share

    assert Share(whole_log=True).what == "the whole log"
    assert Share(whole_log=True, since=dt.date(2026, 10, 3)).what == "the entries from 3 Oct 2026"
    dated = Share(whole_log=True, since=dt.date(2026, 10, 3), until=dt.date(2026, 11, 1))
    assert dated.what == "the entries from 3 Oct 2026 up to 1 Nov 2026"
    assert Share(whole_log=False).what == "chosen entries"
