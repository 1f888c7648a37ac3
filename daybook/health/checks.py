"""What /readyz asks before it says an instance may be sent requests."""

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.utils import timezone

from daybook import crypto
from daybook.incidents import signing
from daybook.workers.services import workers_seen_since

logger = logging.getLogger(__name__)

# A worker not seen for this long counts as none. Generous beside its 5-second heartbeat: on
# SQLite a long import's transaction holds every other write back, the heartbeat's too.
WORKER_SEEN_WITHIN = dt.timedelta(minutes=2)
# Asked of object storage by name: a missing object answers 404 (reachable); a wrong bucket,
# wrong credentials or no network raise.
STORAGE_PROBE = "daybook-readiness-probe"


def database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def storage() -> bool:
    if isinstance(default_storage, FileSystemStorage):
        # The file system: its folder, or (before the first file creates it) the folder it
        # will be made in.
        folder = Path(default_storage.location)
        return folder.is_dir() or folder.parent.is_dir()
    default_storage.exists(STORAGE_PROBE)
    return True


def keys() -> bool:
    crypto.master_key()
    signing.private_key()
    return True


def worker() -> bool:
    return workers_seen_since(timezone.now() - WORKER_SEEN_WITHIN)


CHECKS: dict[str, Callable[[], bool]] = {
    "database": database,
    "storage": storage,
    "keys": keys,
    "worker": worker,
}


def failing() -> list[str]:
    """The names of the checks that fail, each logged (by name and error kind) here, never in
    the answer to the load balancer."""
    failed = []
    for name, check in CHECKS.items():
        try:
            passed = check()
        except Exception as error:  # a check that cannot be made has failed
            logger.warning("Not ready: %s (%s)", name, type(error).__name__)
            failed.append(name)
            continue
        if not passed:
            logger.warning("Not ready: %s", name)
            failed.append(name)
    return failed
