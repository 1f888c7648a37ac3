"""Reading a person's case is recorded by the access function itself, so no page can show
what is in a case without its audit row.

Every page of the project that takes a case, an entry, an evidence file, a share or a referral
is opened by the staff who may see it; each page that answers 200 must have written a read
event naming the reader and the case. The person reading their own log is not recorded.
"""

from typing import Any

from django.db import transaction
from django.test import Client

from daybook.audit.models import AuditEvent
from tests.matrix_world import World, build_world, signed_in_client
from tests.test_permission_matrix import project_patterns, urls_for

# Routes that show something of one person's case, and who may open them.
ABOUT_A_CASE = ("case_id", "share_id", "referral_id")


def _opened(client: Client, url: str) -> tuple[int, list[AuditEvent]]:
    """GET `url`, and the audit events it wrote (in a savepoint that is rolled back)."""
    with transaction.atomic():
        newest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        written = list(AuditEvent.objects.filter(pk__gt=newest))
        transaction.set_rollback(True)
    return response.status_code, written


def _pages_about_a_case(world: World) -> list[tuple[str, str]]:
    found = []
    for name, pattern in sorted(project_patterns().items()):
        if any(param in pattern.pattern.converters for param in ABOUT_A_CASE):
            found += [(name, url) for url in urls_for(name, pattern, world)]
    return found


def test_every_page_about_a_case_records_who_read_it(personas: Any, case: Any) -> None:
    world = build_world(personas, case)
    pages = _pages_about_a_case(world)
    assert len(pages) > 40  # the walk found the case's pages
    readers = {
        "advocate": signed_in_client(world, "advocate"),
        "manager": signed_in_client(world, "manager"),
        "police": signed_in_client(world, "police"),
    }
    shown, unrecorded = 0, []
    for name, url in pages:
        for persona, client in readers.items():
            status, written = _opened(client, url)
            if status != 200:
                continue
            shown += 1
            reader = world.users[persona]
            if not any(event.actor_id == reader.pk for event in written if reader):
                unrecorded.append(f"{persona} GET {url} ({name})")
    assert shown > 60
    assert unrecorded == [], "pages shown without a record of the read:\n" + "\n".join(unrecorded)


def test_the_person_reading_their_own_log_is_not_recorded(personas: Any, case: Any) -> None:
    world = build_world(personas, case)
    owner = signed_in_client(world, "owner")
    recorded = []
    for name, url in _pages_about_a_case(world):
        status, written = _opened(owner, url)
        reads = [event for event in written if event.action.endswith("_viewed")]
        if status == 200 and reads:
            recorded.append(f"GET {url} ({name}): {[event.action for event in reads]}")
    assert recorded == []
