"""Everything the log shows is bound by the chain: which entry a change or file belongs to,
where a file's sealed bytes are, its name, its upload time and its exhibit number. Each
tampering below needs only write access to the database, and verify_log names it."""

import datetime as dt

import pytest

from daybook.incidents import services
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import ChainRecord, Evidence
from daybook.incidents.verify import verify_case
from daybook.reports import chronology
from tests.conftest import Personas
from tests.test_evidence import PNG
from tests.test_integrity import broken, log  # noqa: F401 (the fixture)


@pytest.fixture
def two_files(log, personas: Personas):  # noqa: F811 (the fixture)
    """The log fixture's records 1 to 6, then a second file on the first entry (record 7)."""
    other = services.evidence_add(
        entry=log["first"],
        author=personas.victim,
        how="victim",
        checked=check_upload("front door.png", PNG + b"\x00"),
    )
    log["case"].refresh_from_db()
    return {**log, "other": other}


def test_an_amendment_re_pointed_at_another_entry_is_named(log) -> None:  # noqa: F811
    ChainRecord.objects.filter(case=log["case"], seq=4).update(entry=log["second"])
    assert broken(log["case"]) == (
        "Record 4 amends the entry added in record 1, but the database has been changed to "
        "link it to another entry.",
        4,
    )


def test_a_withdrawal_re_pointed_at_an_earlier_entry_is_named(log) -> None:  # noqa: F811
    ChainRecord.objects.filter(case=log["case"], seq=5).update(entry=log["first"])
    assert broken(log["case"]) == (
        "Record 5 withdraws the entry added in record 3, but the database has been changed "
        "to link it to another entry.",
        5,
    )


def test_a_file_re_attached_to_another_entry_is_named(log) -> None:  # noqa: F811
    Evidence.objects.filter(pk=log["evidence"].pk).update(entry=log["first"])
    assert broken(log["case"]) == (
        "The evidence file added in record 6 has been moved to another entry.",
        6,
    )


def test_a_file_and_its_record_re_attached_together_are_named(log) -> None:  # noqa: F811
    Evidence.objects.filter(pk=log["evidence"].pk).update(entry=log["first"])
    ChainRecord.objects.filter(case=log["case"], seq=6).update(entry=log["first"])
    assert broken(log["case"]) == (
        "Record 6 adds a file to the entry added in record 2, but the database has been "
        "changed to link it to another entry.",
        6,
    )


def test_swapping_two_files_sealed_names_is_named_without_reading_the_files(two_files) -> None:
    first, other = two_files["evidence"], two_files["other"]
    Evidence.objects.filter(pk=first.pk).update(storage_name="swap")
    Evidence.objects.filter(pk=other.pk).update(storage_name=first.storage_name)
    Evidence.objects.filter(pk=first.pk).update(storage_name=other.storage_name)
    result = verify_case(two_files["case"], check_files=False)
    assert (result.problem, result.problem_seq) == (
        "The evidence file added in record 6 has been pointed at another stored file (its "
        "name in storage has been changed).",
        6,
    )


def test_swapping_two_files_names_and_photo_details_is_named(two_files) -> None:
    first, other = two_files["evidence"], two_files["other"]
    Evidence.objects.filter(pk=first.pk).update(meta_sealed=other.meta_sealed)
    assert broken(two_files["case"]) == (
        "The evidence file added in record 6 has had its name or photo details changed.",
        6,
    )


def test_a_file_record_re_pointed_at_another_file_is_named(two_files) -> None:
    ChainRecord.objects.filter(case=two_files["case"], seq=7).update(evidence=two_files["evidence"])
    assert broken(two_files["case"]) == (
        "Record 7 is about one evidence file, but the database has been changed to link it "
        "to another.",
        7,
    )


def test_changing_an_upload_time_is_named(two_files) -> None:
    Evidence.objects.filter(pk=two_files["other"].pk).update(
        uploaded_at=two_files["evidence"].uploaded_at - dt.timedelta(minutes=1)
    )
    assert broken(two_files["case"]) == (
        "The evidence file added in record 7 has had its upload time changed.",
        7,
    )


def test_exhibits_are_numbered_in_the_chains_order_whatever_the_upload_times_say(
    two_files, personas: Personas
) -> None:
    Evidence.objects.filter(pk=two_files["other"].pk).update(
        uploaded_at=two_files["evidence"].uploaded_at - dt.timedelta(days=1)
    )
    built = chronology.build(
        two_files["case"], profile=chronology.POLICE, produced_by=personas.advocate
    )
    assert [(exhibit.reference[-2:], exhibit.evidence.pk) for exhibit in built.exhibits] == [
        ("/1", two_files["evidence"].pk),
        ("/2", two_files["other"].pk),
    ]
