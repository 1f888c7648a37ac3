"""The log's benchmarks, each printed beside a baseline measured in the same run.

    .venv/bin/python benchmarks/log_bench.py [--entries 50000] [--small 1000]

1. The log page (its first page, with its counts) of a 50,000-entry log, against the same page
   of a 1,000-entry log (target 1.3x); and the patterns page likewise (target 1.3x).
2. Recording one entry into the 50,000-entry log, against recording into an empty log.
3. verify_log's check of the 50,000-entry log (chain, entries, counts), against AES-GCM
   decryption and SHA-256 of the same chain records already in memory, with no database
   (target 3x); and, for information, the chain alone against the work its format needs done
   with the primitives (decrypting, salted commitments of the free text, hashing), and the
   least any such check costs: reading the rows it must read, then the primitives.

Each pair is timed alternately, several rounds; min/median/max of both are printed. The logs
are filled through an import batch (the log's own bulk path), spread over ten years.
"""

import argparse
import hashlib
import hmac
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import compare, entry_values, start_django


def fill(case, author, count: int) -> None:
    from daybook.incidents import services

    with services.entries_import(case=case, author=author, extra={}) as batch:
        for index in range(count):
            batch.entry(values=entry_values(index))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=1_000)
    arguments = parser.parse_args()
    start_django()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from daybook.accounts.models import Role, User
    from daybook.cases.services import case_open
    from daybook.incidents import checks, keys, services
    from daybook.incidents.chain import (
        COMMITTED_FIELDS,
        canonical_json,
        header_bytes,
        record_header,
    )
    from daybook.incidents.models import ChainRecord, Entry
    from daybook.incidents.verify import CHAIN_COLUMNS, ENTRY_COLUMNS, verify_chain

    victim = User.objects.create_user("bench@example.org", "bench-password-1", role=Role.VICTIM)
    small = case_open(created_by=victim, owner=victim)
    big = case_open(created_by=victim, owner=victim)
    started = time.perf_counter()
    fill(small, victim, arguments.small)
    fill(big, victim, arguments.entries)
    built = time.perf_counter() - started
    print(
        f"Database: {connection.vendor}; built logs of {arguments.entries} and "
        f"{arguments.small} entries in {built:.1f} s"
    )
    client = Client()
    client.force_login(victim)

    def page(name: str, case) -> None:
        response = client.get(reverse(name, args=[case.pk]))
        assert response.status_code == 200, response.status_code

    ok = True
    for name, label in (("incidents:log", "log page"), ("insights:patterns", "patterns page")):
        ok &= compare(
            f"The {label} of a {arguments.entries}-entry log, "
            f"against a {arguments.small}-entry log",
            lambda name=name: page(name, big),
            lambda name=name: page(name, small),
            target=1.3,
            rounds=15,
            warmup=2,
        )

    empty = iter([case_open(created_by=victim, owner=victim) for _ in range(40)])
    counter = iter(range(10**9))

    def record_into(case) -> None:
        services.entry_record(
            case=case, author=victim, how="victim", values=entry_values(next(counter))
        )

    ok &= compare(
        f"Recording one entry into a {arguments.entries}-entry log, against an empty log",
        lambda: record_into(big),
        lambda: record_into(next(empty)),
        target=1.5,
        rounds=30,
        warmup=5,
    )

    big.refresh_from_db()
    key = keys.case_key(big)
    records = ChainRecord.objects.filter(case=big).order_by("seq")
    # The chain's records as they are stored, read once, before any timing: the baseline
    # measures the primitives alone.
    rows = [
        (
            bytes(sealed),
            keys.chain_body_ad(rid).encode(),
            header_bytes(
                record_header(
                    case_uid=big.uid,
                    seq=seq,
                    prev=prev,
                    rid=rid,
                    kind=kind,
                    entry_uid=entry_uid,
                    evidence_uid=evidence_uid,
                    recorded_at=services.iso_instant(recorded_at),
                    recorded_by=recorded_by,
                    recorded_how=how,
                    version=version,
                )
            ),
        )
        for (
            seq,
            kind,
            version,
            entry_uid,
            evidence_uid,
            rid,
            prev,
            recorded_at,
            recorded_by,
            how,
            sealed,
        ) in records.values_list(
            *("seq", "kind", "version", "entry_uid", "evidence_uid", "rid", "prev_hash"),
            *("recorded_at", "recorded_by_id", "recorded_how", "body_sealed"),
        )
    ]

    def primitives() -> None:
        """AES-GCM and SHA-256 over the same records, in memory: decrypt each record's body
        and hash it with its header."""
        cipher = AESGCM(key)
        for sealed, associated, header in rows:
            body = cipher.decrypt(sealed[1:13], sealed[13:], associated)
            hashlib.sha256(header + body).hexdigest()

    def with_commitments() -> None:
        """The work a version 2 record's hash needs, with the primitives directly: decrypt,
        parse, derive the record's secret, a salt and a commitment for each non-empty free
        text field, encode the document's body and hash it."""
        cipher = AESGCM(key)
        for rid, sealed in records.values_list("rid", "body_sealed").iterator(chunk_size=2000):
            sealed = bytes(sealed)
            raw = cipher.decrypt(sealed[1:13], sealed[13:], keys.chain_body_ad(rid).encode())
            body = json.loads(raw)
            secret = hmac.digest(key, f"daybook-commitments:{rid}".encode(), "sha256")
            for name in COMMITTED_FIELDS & body.keys():
                if body[name]:
                    salt = hashlib.sha256(secret + name.encode()).digest()[:16]
                    body[name] = {
                        "commitment": hashlib.sha256(salt + canonical_json(body[name])).hexdigest()
                    }
            hashlib.sha256(canonical_json(body)).hexdigest()

    def verify_log() -> None:
        result = checks.check_and_keep(big, check_files=True)
        assert result.ok, result.problem

    verify_log()
    ok &= compare(
        f"verify_log of the {arguments.entries}-entry log ({big.chain_seq} records: chain, "
        "entries, counts), against AES-GCM and SHA-256 of its records in memory",
        verify_log,
        primitives,
        target=3.0,
        rounds=5,
    )
    compare(
        f"The chain alone ({big.chain_seq} records), against the work its format needs done "
        "with the primitives (reading the records included)",
        lambda: verify_chain(big),
        with_commitments,
        target=None,
        rounds=5,
    )

    def read_only() -> None:
        """What any check of the log must at least do besides the primitives: read the chain's
        records and the entries' rows from the driver, checking nothing (on SQLite, through a
        connection of its own without Django's type converters)."""
        queries = [
            queryset.query.sql_with_params()
            for queryset in (
                ChainRecord.objects.filter(case=big).order_by("seq").values_list(*CHAIN_COLUMNS),
                Entry.objects.filter(case=big).values_list(*ENTRY_COLUMNS),
            )
        ]
        if connection.vendor == "sqlite":
            driver = sqlite3.connect(connection.settings_dict["NAME"])
            cursor = driver.cursor()
            queries = [(sql.replace("%s", "?"), params) for sql, params in queries]
        else:
            cursor = connection.cursor().cursor  # the driver's own, past Django's wrapper
        for sql, params in queries:
            cursor.execute(sql, params)
            while cursor.fetchmany(2000):
                pass
        if connection.vendor == "sqlite":
            driver.close()

    def read_and_primitives() -> None:
        read_only()
        primitives()

    compare(
        "Reading the chain's records and the entries' rows (nothing converted or checked), "
        "then AES-GCM and SHA-256 of the records, against the latter alone: the least any "
        "check of the chain and the entries costs, before parsing or comparing anything",
        read_and_primitives,
        primitives,
        target=None,
        rounds=5,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
