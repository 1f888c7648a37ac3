"""Issue 3's log benchmarks, each printed beside a baseline measured in the same run.

    .venv/bin/python benchmarks/log_bench.py [--entries 10000]

1. First page of the log of a 10,000-entry case, against a 10-entry case.
2. Recording one entry into the 10,000-entry case, against recording into an empty case.
3. Verifying the 10,000-entry chain, against the work its format needs done with the
   primitives directly (decrypting each record, and hashing it with its free text's salted
   commitments); and, for information, against decrypting and hashing each record once.
Each pair is timed alternately, several rounds; min/median/max of both are printed.
"""

import argparse
import hashlib
import hmac
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import compare, entry_values, fill_log, start_django


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    arguments = parser.parse_args()
    start_django()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from daybook.accounts.models import Role, User
    from daybook.cases.services import case_open
    from daybook.incidents import keys, services
    from daybook.incidents.chain import COMMITTED_FIELDS, canonical_json
    from daybook.incidents.models import ChainRecord
    from daybook.incidents.verify import verify_case, verify_chain

    victim = User.objects.create_user("bench@example.org", "bench-password-1", role=Role.VICTIM)
    small = case_open(created_by=victim, owner=victim)
    big = case_open(created_by=victim, owner=victim)
    started = time.perf_counter()
    fill_log(small, victim, 10)
    fill_log(big, victim, arguments.entries)
    built = time.perf_counter() - started
    print(f"Database: {connection.vendor}; built {arguments.entries} entries in {built:.1f} s")

    client = Client()
    client.force_login(victim)
    ok = compare(
        f"First page of a {arguments.entries}-entry log, against a 10-entry log",
        lambda: client.get(reverse("incidents:log", args=[big.pk])),
        lambda: client.get(reverse("incidents:log", args=[small.pk])),
        target=2.0,
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

    def bare() -> None:
        """Decrypt each record and hash it once: what a chain without commitments needed."""
        cipher = AESGCM(key)
        for rid, sealed in records.values_list("rid", "body_sealed").iterator(chunk_size=2000):
            sealed = bytes(sealed)
            body = cipher.decrypt(sealed[1:13], sealed[13:], keys.chain_body_ad(rid).encode())
            hashlib.sha256(body).hexdigest()

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

    result = verify_case(big, check_files=False)
    assert result.ok, result.problem
    ok &= compare(
        f"Verifying the chain of {result.records} records, against the work its format needs",
        lambda: verify_chain(big),
        with_commitments,
        target=4.0,
        rounds=7,
    )
    compare(
        f"Verifying the chain of {result.records} records, against decrypting and hashing each "
        "record once",
        lambda: verify_chain(big),
        bare,
        target=None,
        rounds=7,
    )
    compare(
        "Whole-log check (chain, then every entry's columns and behaviours replayed), against "
        "decrypting and hashing each record once",
        lambda: verify_case(big, check_files=False),
        bare,
        target=None,
        rounds=5,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
