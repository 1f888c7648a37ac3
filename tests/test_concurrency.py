"""Appends to one case from many connections at once never fork the chain, and changes to
one entry from many connections at once are made one after another on its current state."""

import threading

import pytest
from django.db import connection, connections

from daybook.incidents import content as entry_content
from daybook.incidents import services
from daybook.incidents.evidence import check_upload
from daybook.incidents.models import ChainRecord, Entry
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values
from tests.test_evidence import PNG

WRITERS = 8
EACH = 5
AMENDERS = 6
WITHDRAWERS = WRITERS - AMENDERS
AMENDMENTS_EACH = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_or_repeat_a_sequence_number(
    personas: Personas, case
) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(EACH):
                services.entry_record(
                    case=case,
                    author=personas.victim,
                    how="victim",
                    values=entry_values(what_happened=f"writer {number} entry {index}"),
                )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(ChainRecord.objects.filter(case=case).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * EACH + 1))
    case.refresh_from_db()
    result = verify_case(case)
    assert result.ok, result.problem
    assert result.records == WRITERS * EACH
    assert connection.vendor in ("sqlite", "postgresql")


@pytest.mark.django_db(transaction=True)
def test_concurrent_amendments_and_withdrawals_of_one_entry_are_serialised(
    personas: Personas, case
) -> None:
    """Eight connections amend and withdraw the same entry at once. Every change is decided on
    the entry as it is when the change is made: the row ends as the chain says, no amendment is
    lost, exactly one withdrawal is recorded, and nothing is amended after it."""
    entry = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    amended: list[str] = []
    refused_amendments: list[str] = []
    withdrawn: list[int] = []
    refused_withdrawals: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def amender(number: int) -> None:
        try:
            start.wait()
            for index in range(AMENDMENTS_EACH):
                # A time and text of its own, so every amendment changes the entry's row.
                time = f"{10 + number:02d}:{10 * index + 5:02d}"
                try:
                    services.entry_amend(
                        entry=entry,
                        author=personas.victim,
                        how="victim",
                        changes={"occurred_time": time, "what_happened": f"amended to {time}"},
                        reason=f"amender {number}",
                    )
                except ValueError as refusal:
                    refused_amendments.append(str(refusal))
                else:
                    amended.append(time)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def withdrawer(number: int) -> None:
        try:
            start.wait()
            try:
                services.entry_withdraw(
                    entry=entry, author=personas.victim, how="victim", reason=f"withdrawer {number}"
                )
            except ValueError as refusal:
                refused_withdrawals.append(str(refusal))
            else:
                withdrawn.append(number)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=amender, args=(n,)) for n in range(AMENDERS)]
    threads += [threading.Thread(target=withdrawer, args=(n,)) for n in range(WITHDRAWERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    # One withdrawal is recorded; the others are refused because it already was.
    assert len(withdrawn) == 1
    assert refused_withdrawals == ["Only an entry in the log can be withdrawn."] * (WITHDRAWERS - 1)
    assert len(amended) + len(refused_amendments) == AMENDERS * AMENDMENTS_EACH
    assert set(refused_amendments) <= {"Only an entry in the log can be amended."}

    records = list(
        ChainRecord.objects.filter(entry=entry).order_by("seq").values_list("seq", "kind")
    )
    kinds = [kind for _, kind in records]
    # No amendment lost: one record for each amendment that was accepted, none for a refusal,
    # and none after the withdrawal.
    assert kinds.count(ChainRecord.Kind.AMENDMENT) == len(amended)
    assert kinds.count(ChainRecord.Kind.WITHDRAWAL) == 1
    assert kinds[0] == ChainRecord.Kind.ENTRY
    assert kinds[-1] == ChainRecord.Kind.WITHDRAWAL

    # The row agrees with the chain: withdrawn, amended if any amendment was accepted, and
    # its columns those of the version the chain replays to (the last accepted amendment's).
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    assert entry.amended == bool(amended)
    content = services.entry_content_of(entry)
    if amended:
        assert content["occurred_time"] in amended
        assert content["what_happened"] == f"amended to {content['occurred_time']}"
    for column, value in entry_content.projection(content).items():
        assert getattr(entry, column) == value, column

    case.refresh_from_db()
    result = verify_case(case)
    assert result.ok, result.problem
    assert result.records == len(records)


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_of_one_file_record_one_and_add_none_to_a_withdrawn_entry(
    personas: Personas, case
) -> None:
    """Eight connections withdraw the same evidence file at once while another adds a file to
    an entry being withdrawn: one withdrawal of the file is recorded, and a file is added only
    while its entry is still in the log."""
    entry = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    other = services.entry_record(
        case=case, author=personas.victim, how="victim", values=entry_values()
    )
    evidence = services.evidence_add(
        entry=entry, author=personas.victim, how="victim", checked=check_upload("a.png", PNG)
    )
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS + 2)

    def run(action: str) -> None:
        try:
            start.wait()
            try:
                if action == "withdraw file":
                    services.evidence_withdraw(
                        evidence=evidence, author=personas.victim, how="victim", reason="Wrong"
                    )
                elif action == "withdraw entry":
                    services.entry_withdraw(
                        entry=other, author=personas.victim, how="victim", reason="Duplicate"
                    )
                else:
                    services.evidence_add(
                        entry=other,
                        author=personas.victim,
                        how="victim",
                        checked=check_upload("b.png", PNG),
                    )
            except ValueError:
                outcomes.append(f"{action}: refused")
            else:
                outcomes.append(f"{action}: done")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    actions = ["withdraw file"] * WRITERS + ["withdraw entry", "add file"]
    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert outcomes.count("withdraw file: done") == 1
    assert outcomes.count("withdraw file: refused") == WRITERS - 1
    assert "withdraw entry: done" in outcomes
    kinds = list(
        ChainRecord.objects.filter(entry=other).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-1] == ChainRecord.Kind.WITHDRAWAL  # nothing added after the withdrawal
    added = "add file: done" in outcomes
    assert kinds.count(ChainRecord.Kind.EVIDENCE) == int(added)
    assert ChainRecord.objects.filter(kind=ChainRecord.Kind.EVIDENCE_WITHDRAWAL).count() == 1
    case.refresh_from_db()
    result = verify_case(case)
    assert result.ok, result.problem
