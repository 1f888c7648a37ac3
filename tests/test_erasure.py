"""Erasure: asking, the undo window, approval, cancelling, and carrying it out."""

import datetime as dt

from django.utils import timezone

from daybook.cases.models import Case
from daybook.erasure.models import ErasureRequest, Tombstone
from daybook.erasure.services import (
    UNDO_DAYS,
    erasure_pending,
    erasure_request,
    erasures_carry_out_due,
)
from tests.conftest import Personas

LATER = dt.timedelta(days=UNDO_DAYS, minutes=1)


def test_a_manager_asks_and_the_case_is_erased_after_the_window(personas: Personas, case) -> None:
    erasure = erasure_request(case=case, actor=personas.manager, reason="person")
    assert erasure_pending(case) == erasure
    assert erasure.due_at - erasure.requested_at == dt.timedelta(days=UNDO_DAYS)
    assert erasures_carry_out_due() == 0
    assert erasures_carry_out_due(timezone.now() + LATER) == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    tombstone = Tombstone.objects.get()
    assert tombstone.reference == case.reference and tombstone.reason == "person"
    assert ErasureRequest.objects.get().carried_out_at is not None
