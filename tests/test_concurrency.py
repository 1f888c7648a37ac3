"""Appends to one case from many connections at once never fork the chain."""

import threading

import pytest
from django.db import connection, connections

from daybook.incidents import services
from daybook.incidents.models import ChainRecord
from daybook.incidents.verify import verify_case
from tests.conftest import Personas, entry_values

WRITERS = 8
EACH = 5


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
