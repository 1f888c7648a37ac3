"""A consistent snapshot of the database while Daybook runs, and putting one back.

SQLite: the online backup API copies the database page by page from a connection of its own,
so it sees only committed transactions and writers carry on meanwhile. PostgreSQL:
`pg_dump --format=custom` (one repeatable-read snapshot) and `pg_restore --single-transaction`,
so a restore that fails leaves the database as it was.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
FORMATS = {SQLITE: "sqlite3", POSTGRESQL: "pg_dump-custom"}


class DatabaseToolFailed(Exception):
    """pg_dump or pg_restore failed, or cannot be found; the message says which and why."""


def vendor(alias: str = "default") -> str:
    found = connections[alias].vendor
    if found not in FORMATS:
        raise DatabaseToolFailed(f"Backups of a {found} database are not supported.")
    return found


def applied_migrations(alias: str = "default") -> list[tuple[str, str]]:
    """The migrations recorded as applied, sorted; empty for a database never migrated."""
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(recorder.applied_migrations())


def _settings(alias: str) -> dict[str, Any]:
    return connections[alias].settings_dict


def postgres_tool(name: str) -> str:
    """pg_dump or pg_restore: the one on PATH (Debian's wrapper there runs the newest
    installed), else the newest of Debian's versioned folders. A dump needs a pg_dump at
    least as new as the server."""
    on_path = shutil.which(name)
    if on_path:
        return on_path
    installed = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(version) if (version := Path(path).parts[-3]).isdigit() else 0,
    )
    if installed:
        return installed[-1]
    raise DatabaseToolFailed(
        f"{name} cannot be found: install PostgreSQL's client programs (for example the "
        "postgresql-client package) on this machine."
    )


# libpq's connection keywords and the variables pg_dump and pg_restore read them from.
LIBPQ_VARIABLES = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def _postgres_environment(alias: str) -> dict[str, str]:
    """The connection Django makes, as libpq's variables: the same host, database and
    credentials however DAYBOOK_DATABASE_URL spelt them, and no password on a command line."""
    params = connections[alias].get_connection_params()
    environment = {
        name: value for name, value in os.environ.items() if name not in LIBPQ_VARIABLES.values()
    }
    for keyword, variable in LIBPQ_VARIABLES.items():
        value = params.get(keyword)
        if value not in (None, ""):
            environment[variable] = str(value)
    return environment


def _run(command: list[str], *, alias: str, what: str) -> None:
    finished = subprocess.run(  # noqa: S603 - a fixed program and arguments, no shell
        command,
        env=_postgres_environment(alias),
        capture_output=True,
        check=False,
    )
    if finished.returncode != 0:
        # pg_restore and pg_dump name tables and errors, never row contents.
        said = finished.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DatabaseToolFailed(f"{what} failed: {said[-1] if said else 'no message'}")


def snapshot(target: Path, alias: str = "default") -> None:
    """Write a consistent copy of the database to `target` (a new file)."""
    if vendor(alias) == SQLITE:
        source = sqlite3.connect(str(_settings(alias)["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    _run(
        [
            postgres_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
        ],
        alias=alias,
        what="pg_dump",
    )


def holds_anything(alias: str = "default") -> dict[str, int]:
    """How many cases and accounts the database holds (tables not yet made count as none)."""
    from daybook.accounts.models import User
    from daybook.cases.models import Case

    tables = set(connections[alias].introspection.table_names())
    counts = {}
    for label, model in (("cases", Case), ("accounts", User)):
        if model._meta.db_table in tables:
            counts[label] = model.objects.using(alias).count()
    return {label: count for label, count in counts.items() if count}


def put_back(snapshot_file: Path, alias: str = "default") -> None:
    """Replace the whole database with the snapshot, all or nothing. Django's connections are
    closed first, and reopen by themselves on the next query."""
    connections[alias].close()
    if vendor(alias) == SQLITE:
        source = sqlite3.connect(str(snapshot_file))
        database = sqlite3.connect(str(_settings(alias)["NAME"]), timeout=30)
        try:
            # One step, in one write transaction on the database: it either holds all of the
            # snapshot or, if this fails, what it held before.
            source.backup(database)
        finally:
            database.close()
            source.close()
        return
    _run(
        [
            postgres_tool("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            # Without it pg_restore would only print the SQL; the rest of the connection
            # comes from the environment.
            f"--dbname={connections[alias].get_connection_params()['dbname']}",
            str(snapshot_file),
        ],
        alias=alias,
        what="pg_restore",
    )
