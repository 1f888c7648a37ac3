"""Date orders are inferred only when the chat proves them; otherwise the person is asked,
with dates from their own chat read each way."""

import contextlib
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from daybook.imports.models import ImportJob
from daybook.imports.parsers import ParseError
from daybook.imports.parsers.whatsapp import (
    ORDERS,
    date_examples,
    dates_in,
    infer_date_order,
    parse,
    possible_orders,
)
from tests.conftest import Personas

START = dt.date(2024, 1, 1)


def year_first_chat(days: int) -> tuple[bytes, list[dt.date]]:
    dates = [START + dt.timedelta(days=offset) for offset in range(days)]
    lines = [f"{day:%y-%m-%d}, 14:02 - Sam: hi" for day in dates]
    return ("\n".join(lines) + "\n").encode(), dates


def test_a_two_digit_year_first_export_of_500_dates_is_read_year_first() -> None:
    data, dates = year_first_chat(500)
    result = parse(data)
    assert [record.timestamp.date() for record in result.records] == dates
    assert (result.date_order, result.date_order_ambiguous) == ("ymd", False)


def test_two_digit_years_that_could_be_days_are_asked_not_guessed() -> None:
    # 24 March 2015 and 2016, or 15 and 16 March 2024: both go forward in time.
    result = parse(b"24-03-15, 14:02 - Sam: hi\n24-03-16, 09:00 - Sam: again\n")
    assert result.date_order_ambiguous
    assert possible_orders(["24-03-15", "24-03-16"]) == ["dmy", "ymd"]


def test_the_examples_are_the_chat_s_own_dates_read_each_possible_way() -> None:
    examples = date_examples(["24-03-15", "24-03-16", "24-03-20"], ["dmy", "ymd"])
    assert [example.written for example in examples] == ["24-03-15", "24-03-16", "24-03-20"]
    assert examples[0].meanings == {"dmy": "24 March 2015", "ymd": "15 March 2024"}


def test_a_few_examples_spread_through_the_chat_each_reading_differently() -> None:
    dates = [f"24-03-{day:02d}" for day in range(10, 29)]
    examples = date_examples(dates, ["dmy", "ymd"])
    written = [example.written for example in examples]
    assert len(written) == 3 and written[0] == "24-03-10" and written[-1] == "24-03-28"
    # 24-03-24 is 24 March 2024 either way, so it would tell the person nothing.
    assert "24-03-24" not in written
    assert all(len(set(example.meanings.values())) == 2 for example in examples)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2024/01/02"], ("ymd", False)),  # a 4-digit part is a year
        (["13/01/24"], ("dmy", False)),  # a part over 12 is no month; no year before 2009
        (["01/13/24"], ("mdy", False)),
        (["24. 3. 5."], ("ymd", False)),  # Korean short dates: yy. M. d.
        (["05/06/24"], ("dmy", True)),  # could be 5 June or 6 May: asked
        (["15/03/24", "16/03/24"], ("dmy", False)),  # no locale writes yy/MM/dd
        (["24-03-05", "24-03-06"], ("ymd", False)),  # as day first, 2005 and 2006
    ],
)
def test_an_order_is_decided_only_by_what_the_dates_prove(dates: list[str], expected) -> None:
    assert infer_date_order(dates) == expected


def test_dates_are_found_inside_a_zip_export() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", "[24-03-15, 14:02:00] Sam: hi\n[24-03-16, 09:00:00] Sam: x\n")
    assert dates_in(buffer.getvalue()) == ["24-03-15", "24-03-16"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda a, b, c, sep: f"{a}{sep}{b}{sep}{c}",
            st.integers(0, 2099).map(str),
            st.integers(0, 99).map(lambda n: f"{n:02d}"),
            st.integers(0, 2099).map(str),
            st.sampled_from(["/", "-", ".", ". "]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_decided_order_reads_every_date_of_the_file(dates: list[str]) -> None:
    order, ambiguous = infer_date_order(dates)
    assert order in ORDERS
    if not ambiguous:
        assert order in possible_orders(dates) or not possible_orders(dates)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789/-.: ,\n[]APMapm-Sam", max_size=300))
def test_any_header_like_text_gives_records_or_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse(text.encode())


@pytest.fixture
def owner(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.victim)
    return client


def test_the_person_is_asked_with_readings_of_their_own_dates(owner: Client, case) -> None:
    chat = b"24-03-15, 14:02 - Sam Ex: hi\n24-03-16, 09:00 - Sam Ex: again\n"
    owner.post(
        reverse("imports:start", args=[case.pk]),
        {"file": SimpleUploadedFile("WhatsApp Chat with Sam Ex.txt", chat)},
    )
    job = ImportJob.objects.get()
    page = owner.get(reverse("imports:job", args=[case.pk, job.pk])).content.decode()
    radios = re.findall(r'<input[^>]*name="date_order"[^>]*>', page)
    assert [re.search(r'value="(\w+)"', radio)[1] for radio in radios] == ["dmy", "ymd"]
    assert not any("checked" in radio for radio in radios)
    assert "24-03-15 is 24 March 2015" in page
    assert "24-03-15 is 15 March 2024" in page
    assert "cannot tell from this chat whether dates are written day first" in page

    response = owner.post(
        reverse("imports:job", args=[case.pk, job.pk]),
        {"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "mdy"},
    )
    assert "Select a valid choice" in response.content.decode()  # not a reading of these dates
    response = owner.post(
        reverse("imports:job", args=[case.pk, job.pk]),
        {"stalkers": ["Sam Ex"], "time_zone": "Europe/London", "date_order": "ymd"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status != ImportJob.Status.UPLOADED


def test_a_chat_that_proves_its_order_asks_nothing_new(owner: Client, case) -> None:
    data, _dates = year_first_chat(40)
    owner.post(
        reverse("imports:start", args=[case.pk]),
        {"file": SimpleUploadedFile("WhatsApp Chat with Sam.txt", data)},
    )
    job = ImportJob.objects.get()
    page = owner.get(reverse("imports:job", args=[case.pk, job.pk])).content.decode()
    assert "Daybook worked this out from the chat" in page
    assert re.search(r'value="ymd"[^>]*checked|checked[^>]*value="ymd"', page)
