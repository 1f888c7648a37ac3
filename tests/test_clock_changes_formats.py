"""Times at the changes of the clocks, for every format but WhatsApp and texts (tested on their
own): exports that carry an exact instant (Telegram's date_unixtime, Messenger's timestamp_ms,
an e-mail's Date with its offset) keep it through the import, in the hour that happens twice
and around the hour that does not happen; local times without an offset (an older Telegram
export, a phone company's call log) are settled from the order of the records or flagged."""

import datetime as dt
import json
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from daybook.imports.models import ImportJob
from daybook.imports.parsers import CsvMapping, parse
from daybook.imports.parsers import telegram as telegram_parser
from daybook.incidents.content import time_uncertain
from daybook.incidents.models import Entry
from daybook.incidents.services import current_contents
from daybook.incidents.verify import verify_case
from tests.test_imports_flow import owner, run, upload  # noqa: F401 (a fixture)

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
# 27 October 2024: the clocks went back at 02:00 BST. 00:30:40 UTC is 01:30:40 BST and
# 01:30:40 UTC is 01:30:40 GMT: the same local time, an hour apart.
BST = dt.datetime(2024, 10, 27, 0, 30, 40, tzinfo=UTC)
GMT = dt.datetime(2024, 10, 27, 1, 30, 40, tzinfo=UTC)
# 31 March 2024: the clocks went forward at 01:00 GMT. 00:59:59 UTC is 00:59:59 GMT and one
# second later, 01:00:00 UTC, is 02:00:00 BST.
LAST_GMT = dt.datetime(2024, 3, 31, 0, 59, 59, tzinfo=UTC)
FIRST_BST = dt.datetime(2024, 3, 31, 1, 0, 0, tzinfo=UTC)
EXACT = {
    "half one, summer time": BST,
    "half one, winter time": GMT,
    "last second of winter time": LAST_GMT,
    "first second of summer time": FIRST_BST,
}


def in_utc(moment: dt.datetime, zone: ZoneInfo = LONDON) -> dt.datetime:
    """What the import does with a record's time: a naive one is taken in the chosen zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def local(moment: dt.datetime) -> str:
    """How the exporting computer in London wrote an instant without its offset."""
    return moment.astimezone(LONDON).replace(tzinfo=None).isoformat()


def by_text(result) -> dict[str, dt.datetime]:
    return {record.text: in_utc(record.timestamp) for record in result.records}


# --- Telegram -------------------------------------------------------------------------------


def telegram_message(number: int, text: str, moment: dt.datetime, exact: bool = True) -> dict:
    message = {"id": number, "type": "message", "date": local(moment), "from": "Sam Ex"}
    if exact:
        message["date_unixtime"] = str(int(moment.timestamp()))
    return {**message, "text": text}


def telegram_chat(*messages: dict, name: str = "Sam Ex", number: int = 42) -> dict:
    return {"name": name, "type": "personal_chat", "id": number, "messages": list(messages)}


def telegram_export(*chats: dict) -> bytes:
    """A whole account's export, as older versions of Telegram wrote one too."""
    return json.dumps({"chats": {"about": "", "list": list(chats)}}).encode()


def telegram_exact() -> bytes:
    messages = (telegram_message(n, text, when) for n, (text, when) in enumerate(EXACT.items()))
    return json.dumps(telegram_chat(*messages)).encode()


def test_telegram_keeps_each_instant_whatever_the_local_time_says() -> None:
    result = parse(telegram_exact(), filename="result.json")
    assert by_text(result) == EXACT
    # Two messages written "01:30:40" in the export's local times are an hour apart.
    assert local(BST) == local(GMT) == "2024-10-27T01:30:40"
    assert all(record.facts == () for record in result.records)
    assert not result.naive_times


def older_telegram(*times: str) -> bytes:
    """A chat from a Telegram too old to write date_unixtime: each time is only local."""
    return json.dumps(
        telegram_chat(
            *(
                {"id": n, "type": "message", "date": t, "from": "Sam Ex", "text": f"m{n}"}
                for n, t in enumerate(times, start=1)
            )
        )
    ).encode()


def test_an_older_telegram_export_settles_the_repeated_hour_from_its_order() -> None:
    result = telegram_parser.parse(
        older_telegram(
            "2024-10-27T00:50:00",
            "2024-10-27T01:30:40",
            "2024-10-27T01:50:00",
            "2024-10-27T01:30:40",  # the clocks went back between m3 and m4
            "2024-10-27T02:10:00",
        )
    )
    instants = [in_utc(record.timestamp) for record in result.records]
    assert instants[1] == BST and instants[3] == GMT
    assert instants == sorted(instants)
    assert [record.extra.get("utc_offset") for record in result.records] == [
        None,
        "+01:00",
        "+01:00",
        "+00:00",
        None,
    ]
    assert all("time_ambiguous" not in record.facts for record in result.records)
    assert result.naive_times
    # Re-reading the same export knows the same messages, whatever the machine's own zone.
    assert [record.identity for record in result.records][1] == "Sam Ex|2|2024-10-27T01:30:40"


def test_an_older_telegram_export_flags_what_its_order_cannot_settle() -> None:
    result = telegram_parser.parse(
        older_telegram(
            "2024-10-27T01:10:00",  # only going forward in the repeated hour: either pass
            "2024-10-27T01:50:00",
            "2024-03-31T00:59:59",
            "2024-03-31T01:30:00",  # never happened in London
            "2024-03-31T02:00:00",
        )
    )
    flagged = {record.text: record.extra.get("time_ambiguous", "") for record in result.records}
    assert "happened twice" in flagged["m1"] and "happened twice" in flagged["m2"]
    assert "did not happen" in flagged["m4"]
    assert flagged["m3"] == flagged["m5"] == ""
    assert in_utc(result.records[2].timestamp) == LAST_GMT
    assert in_utc(result.records[4].timestamp) == FIRST_BST
    assert any("3 messages have times at a change" in w for w in result.warnings)


def test_an_older_telegram_export_settles_each_chat_from_its_own_order() -> None:
    stepping = older_telegram("2024-10-27T01:50:00", "2024-10-27T01:30:40")
    lone = telegram_chat(
        {"id": 1, "type": "message", "date": "2024-10-27T01:10:00", "from": "Jo", "text": "j"},
        name="Jo",
        number=43,
    )
    result = telegram_parser.parse(telegram_export(json.loads(stepping), lone))
    first, second, other = result.records
    assert (first.extra["utc_offset"], second.extra["utc_offset"]) == ("+01:00", "+00:00")
    # Coming after Sam Ex's 01:30 in the file says nothing of when Jo wrote at 01:10.
    assert "time_ambiguous" in other.facts


def test_the_zone_chosen_reaches_an_older_telegram_export() -> None:
    # New York's change; an account's export, which is recognised without date_unixtime.
    chat = older_telegram("2024-11-03T01:40:00", "2024-11-03T01:20:00")
    data = telegram_export(json.loads(chat))
    first, second = parse(data, filename="result.json", time_zone="America/New_York").records
    assert (first.extra["utc_offset"], second.extra["utc_offset"]) == ("-04:00", "-05:00")
    assert all(record.facts == () for record in parse(data, filename="result.json").records)


def test_exact_and_local_telegram_times_together_are_all_local_and_exact_stays_exact() -> None:
    chat = telegram_chat(
        telegram_message(1, "exact, summer", BST),
        telegram_message(2, "exact, winter", GMT),
        telegram_message(3, "local only", GMT + dt.timedelta(minutes=15), exact=False),
    )
    result = telegram_parser.parse(json.dumps(chat).encode())
    summer, winter, lone = result.records
    assert all(record.timestamp.tzinfo is None for record in result.records)
    assert (in_utc(summer.timestamp), in_utc(winter.timestamp)) == (BST, GMT)
    assert (summer.extra["utc_offset"], winter.extra["utc_offset"]) == ("+01:00", "+00:00")
    assert "time_ambiguous" not in summer.facts + winter.facts
    assert "time_ambiguous" in lone.facts


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (
            {"id": 1, "type": "message", "date_unixtime": "soon", "date": "2024-01-01T10:00:00"},
            "no valid date_unixtime or date",
        ),
        ({"id": 1, "type": "message", "date": "yesterday"}, "no valid date_unixtime or date"),
        ({"id": 1, "type": "message"}, "no valid date_unixtime or date"),
    ],
)
def test_a_telegram_message_without_a_readable_time_is_refused(message: dict, error: str) -> None:
    with pytest.raises(telegram_parser.ParseError, match=error):
        telegram_parser.parse(json.dumps(telegram_chat(message)).encode())


# --- Messenger and Instagram ----------------------------------------------------------------


def messenger_thread() -> bytes:
    messages = [
        {"sender_name": "Sam Ex", "timestamp_ms": int(moment.timestamp() * 1000), "content": text}
        for text, moment in EXACT.items()
    ]
    # A download lists the newest message first.
    messages.sort(key=lambda message: -message["timestamp_ms"])
    return json.dumps({"participants": [{"name": "Sam Ex"}], "messages": messages}).encode()


def test_messenger_keeps_each_instant() -> None:
    result = parse(messenger_thread(), filename="message_1.json")
    assert by_text(result) == EXACT
    assert [record.timestamp for record in result.records] == sorted(EXACT.values())
    assert all(record.facts == () for record in result.records)


# --- E-mail ---------------------------------------------------------------------------------

# Each Date as a mail program in London writes it: the local time with its own offset.
DATES = {
    "half one, summer time": "Sun, 27 Oct 2024 01:30:40 +0100",
    "half one, winter time": "Sun, 27 Oct 2024 01:30:40 +0000",
    "last second of winter time": "Sun, 31 Mar 2024 00:59:59 +0000",
    "first second of summer time": "Sun, 31 Mar 2024 02:00:00 +0100",
}


def email(subject: str, date: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sam Ex <sam@example.net>"
    message["To"] = "me@example.org"
    message["Subject"] = subject
    message["Date"] = date
    message["Message-ID"] = f"<{subject.replace(' ', '.').replace(',', '')}@example.net>"
    message.set_content("I know where you are.")
    return message


def mailbox_of_dates() -> bytes:
    return b"".join(
        b"From sam@example.net Sun Oct 27 01:30:40 2024\n" + bytes(email(subject, date)) + b"\n"
        for subject, date in DATES.items()
    )


def test_an_e_mails_date_keeps_its_instant() -> None:
    result = parse(mailbox_of_dates(), filename="mail.mbox")
    found = {record.extra["subject"]: record.timestamp for record in result.records}
    assert found == EXACT
    assert all(record.facts == () for record in result.records)


# --- A phone company's call log (CSV) -------------------------------------------------------

CALLS_HEADER = "Date,Number,Type,Duration (s)\n"


def call_log(*times: str) -> bytes:
    """A call each at the given local times, in that order, each a second longer than the last
    so that each is known by its duration."""
    rows = (f"{t},07700 900123,Incoming,{40 + n}\n" for n, t in enumerate(times))
    return (CALLS_HEADER + "".join(rows)).encode()


def durations(result) -> dict[int, object]:
    return {record.duration_seconds: record for record in result.records}


OLDEST_FIRST = (
    "2024-10-27 00:50:00",
    "2024-10-27 01:30:40",
    "2024-10-27 01:50:00",
    "2024-10-27 01:30:40",  # the clocks went back between the third call and the fourth
    "2024-10-27 02:10:00",
)


def test_a_call_log_oldest_first_settles_the_repeated_hour() -> None:
    result = parse(call_log(*OLDEST_FIRST), filename="bill.csv")
    calls = durations(result)
    assert in_utc(calls[41].timestamp) == BST and in_utc(calls[43].timestamp) == GMT
    instants = [in_utc(record.timestamp) for record in result.records]
    assert instants == sorted(instants)
    assert all("time_ambiguous" not in record.facts for record in result.records)


def test_a_call_log_newest_first_is_read_backwards_to_settle_the_repeated_hour() -> None:
    result = parse(call_log(*reversed(OLDEST_FIRST)), filename="bill.csv")
    calls = durations(result)  # the durations now count from the newest call
    assert in_utc(calls[43].timestamp) == BST and in_utc(calls[41].timestamp) == GMT
    instants = [in_utc(record.timestamp) for record in result.records]
    assert instants == sorted(instants, reverse=True)
    assert [record.extra.get("utc_offset") for record in result.records] == [
        None,
        "+00:00",
        "+01:00",
        "+01:00",
        None,
    ]
    assert all("time_ambiguous" not in record.facts for record in result.records)


@pytest.mark.parametrize(
    "times",
    [
        ("2024-10-27 01:10:00", "2024-10-27 01:50:00"),  # forward only: either pass
        ("2024-10-27 01:50:00", "2024-10-27 01:10:00"),  # newest first: the same two
        ("2024-10-27 01:30:40",),  # one call: nothing to order it by
        ("2024-10-27 01:30:40", "2024-10-27 01:10:00", "2024-10-27 01:50:00"),  # no direction
    ],
)
def test_a_call_log_flags_repeated_times_its_order_cannot_settle(times: tuple[str, ...]) -> None:
    result = parse(call_log(*times), filename="bill.csv")
    for record in result.records:
        assert "happened twice" in record.extra["time_ambiguous"]
        assert "the file does not show which" in record.extra["time_ambiguous"]
        assert "utc_offset" not in record.extra
    assert any("at a change of the clocks" in warning for warning in result.warnings)


def test_a_call_log_flags_a_time_in_the_skipped_hour_and_keeps_it_as_written() -> None:
    result = parse(
        call_log("2024-03-31 00:59:59", "2024-03-31 01:30:00", "2024-03-31 02:00:00"),
        filename="bill.csv",
    )
    before, skipped, after = result.records
    assert "did not happen" in skipped.extra["time_ambiguous"]
    assert skipped.timestamp.isoformat() == "2024-03-31T01:30:00"
    assert (in_utc(before.timestamp), in_utc(after.timestamp)) == (LAST_GMT, FIRST_BST)
    assert before.facts == after.facts == ()


def test_a_call_log_with_offsets_keeps_each_instant() -> None:
    times = [moment.astimezone(LONDON).isoformat() for moment in EXACT.values()]
    assert times[0].endswith("01:30:40+01:00") and times[1].endswith("01:30:40+00:00")
    result = parse(call_log(*times), filename="bill.csv")
    assert [in_utc(record.timestamp) for record in result.records] == list(EXACT.values())
    assert all("time_ambiguous" not in record.facts for record in result.records)
    # A time written in UTC is the same instant, shown at the local time it was.
    utc = parse(call_log("2024-10-27T01:30:40Z"), filename="bill.csv").records[0]
    assert (in_utc(utc.timestamp), utc.timestamp.hour, utc.extra["utc_offset"]) == (
        GMT,
        1,
        "+00:00",
    )


def test_the_zone_chosen_reaches_a_call_log_and_its_own_time_format() -> None:
    # 3 November 2024 in New York, oldest first: the clocks went back between 01:40 and 01:20.
    data = (
        b"When,Who\n"
        b"03/11/2024 00:50,07700 900123\n"
        b"03/11/2024 01:40,07700 900123\n"
        b"03/11/2024 01:20,07700 900123\n"
        b"03/11/2024 02:10,07700 900123\n"
    )
    mapping = CsvMapping(timestamp="When", number="Who", time_format="%d/%m/%Y %H:%M")
    result = parse(data, filename="bill.csv", csv_mapping=mapping, time_zone="America/New_York")
    _, first, second, _ = result.records
    assert (first.extra["utc_offset"], second.extra["utc_offset"]) == ("-04:00", "-05:00")
    # In London that day is an ordinary one.
    london = parse(data, filename="bill.csv", csv_mapping=mapping).records
    assert all(record.facts == () and "utc_offset" not in record.extra for record in london)


# --- Through the import: the entries' instants ----------------------------------------------


def imported(
    client: Client,
    case,
    capture,
    data: bytes,
    name: str,
    stalker: str,
    columns: dict[str, str] | None = None,
):
    upload(client, case, data, name=name)
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None
    if columns:  # a spreadsheet's columns are confirmed before anything else is asked
        client.post(reverse("imports:job", args=[case.pk, job.pk]), columns)
    run(client, case, job, capture, stalkers=[stalker])
    job.refresh_from_db()
    assert job.status == "done", job.error
    entries = list(Entry.objects.filter(case=case))
    contents = current_contents(entries, case)
    return {contents[entry.pk]["what_happened"]: (entry, contents[entry.pk]) for entry in entries}


def instants(entries: dict) -> dict[str, dt.datetime]:
    return {text: entry.occurred_at for text, (entry, _content) in entries.items()}


@pytest.mark.parametrize(
    ("data", "name", "stalker"),
    [
        (telegram_exact(), "result.json", "Sam Ex"),
        (messenger_thread(), "message_1.json", "Sam Ex"),
    ],
    ids=["telegram", "messenger"],
)
def test_chats_with_exact_times_become_entries_at_those_instants(
    owner: Client,  # noqa: F811
    case,
    django_capture_on_commit_callbacks,
    data: bytes,
    name: str,
    stalker: str,
) -> None:
    entries = imported(owner, case, django_capture_on_commit_callbacks, data, name, stalker)
    assert instants(entries) == EXACT
    assert not any(time_uncertain(content) for _entry, content in entries.values())
    case.refresh_from_db()
    assert verify_case(case).ok


def test_e_mails_become_entries_at_their_instants(
    owner: Client,  # noqa: F811
    case,
    django_capture_on_commit_callbacks,
) -> None:
    for subject, date in DATES.items():
        imported(
            owner,
            case,
            django_capture_on_commit_callbacks,
            bytes(email(subject, date)),
            "message.eml",
            "Sam Ex <sam@example.net>",
        )
    entries = list(Entry.objects.filter(case=case))
    contents = current_contents(entries, case)
    found = {contents[e.pk]["source"]["details"]["subject"]: e.occurred_at for e in entries}
    assert found == EXACT
    case.refresh_from_db()
    assert verify_case(case).ok


def test_an_older_telegram_export_becomes_entries_settled_or_flagged(
    owner: Client,  # noqa: F811
    case,
    django_capture_on_commit_callbacks,
) -> None:
    chat = json.loads(
        older_telegram(
            "2024-10-27T01:50:00",
            "2024-10-27T01:30:40",  # after a step back: the second pass, GMT
            "2024-03-31T00:59:59",
            "2024-03-31T01:30:00",  # never happened in London
            "2024-03-31T02:00:00",
        )
    )
    data = telegram_export(chat)
    entries = imported(
        owner, case, django_capture_on_commit_callbacks, data, "result.json", "Sam Ex"
    )
    found = instants(entries)
    assert found["m1"] == dt.datetime(2024, 10, 27, 0, 50, tzinfo=UTC)
    assert (found["m2"], found["m3"], found["m5"]) == (GMT, LAST_GMT, FIRST_BST)
    assert "did not happen" in time_uncertain(entries["m4"][1])
    assert not any(time_uncertain(entries[text][1]) for text in ("m1", "m2", "m3", "m5"))
    case.refresh_from_db()
    assert verify_case(case).ok


def test_a_call_log_becomes_entries_settled_or_flagged(
    owner: Client,  # noqa: F811
    case,
    django_capture_on_commit_callbacks,
) -> None:
    newest_first = (
        "2024-10-27 02:10:00",
        "2024-10-27 01:30:40",  # GMT: newest first, this came after the next row
        "2024-10-27 01:50:00",
        "2024-10-27 01:30:40",  # BST
        "2024-03-31T02:00:00+01:00",  # an exact instant among the local times
        "2024-03-31 00:59:59",
        "2024-03-31 01:30:00",  # never happened in London; a wrong row in a bill's order
        "2024-03-30 23:00:00",
    )
    entries = imported(
        owner,
        case,
        django_capture_on_commit_callbacks,
        call_log(*newest_first),
        "bill.csv",
        "07700 900123",
        columns={
            "timestamp": "Date",
            "number": "Number",
            "direction": "Type",
            "duration": "Duration (s)",
        },
    )
    found = instants(entries)
    assert found["Call from 07700 900123, 41 seconds"] == GMT
    assert found["Call from 07700 900123, 43 seconds"] == BST
    assert found["Call from 07700 900123, 44 seconds"] == FIRST_BST
    assert found["Call from 07700 900123, 45 seconds"] == LAST_GMT
    skipped = entries["Call from 07700 900123, 46 seconds"][1]
    assert "did not happen" in time_uncertain(skipped)
    assert sum(bool(time_uncertain(content)) for _entry, content in entries.values()) == 1
    case.refresh_from_db()
    assert verify_case(case).ok
