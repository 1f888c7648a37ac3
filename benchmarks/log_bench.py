"""Issue 3's log benchmarks, each printed beside a baseline measured in the same run.

    .venv/bin/python benchmarks/log_bench.py [--entries 10000]

1. First page of the log of a 10,000-entry case, against a 10-entry case.
2. Recording one entry into the 10,000-entry case, against recording into an empty case.
3. Verifying the 10,000-entry chain, against decrypting and hashing the same records with
   the primitives directly (the unavoidable work).
"""

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import entry_values, fill_log, median_seconds, report, start_django
from daybook.cases.services import case_open


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
    from daybook.incidents import keys, services
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
    small_page = median_seconds(
        lambda: client.get(reverse("incidents:log", args=[small.pk])), runs=15
    )
    big_page = median_seconds(lambda: client.get(reverse("incidents:log", args=[big.pk])), runs=15)
    ok = report(f"First page of a {arguments.entries}-entry log", big_page, small_page, 2.0)

    empty_cases = [case_open(created_by=victim, owner=victim) for _ in range(40)]
    counter = iter(range(10**9))

    def record_into(case) -> None:
        services.entry_record(
            case=case, author=victim, how="victim", values=entry_values(next(counter))
        )

    empty = iter(empty_cases)
    into_empty = median_seconds(lambda: record_into(next(empty)), runs=30, warmup=5)
    into_big = median_seconds(lambda: record_into(big), runs=30, warmup=5)
    ok &= report(
        f"Recording one entry into a {arguments.entries}-entry log", into_big, into_empty, 1.5
    )

    big.refresh_from_db()
    key = keys.case_key(big)
    records = ChainRecord.objects.filter(case=big).order_by("seq")

    def unavoidable() -> None:
        cipher = AESGCM(key)
        for rid, sealed in records.values_list("rid", "body_sealed").iterator(chunk_size=2000):
            sealed = bytes(sealed)
            body = cipher.decrypt(sealed[1:13], sealed[13:], keys.chain_body_ad(rid).encode())
            hashlib.sha256(body).hexdigest()

    baseline = median_seconds(unavoidable, runs=7, warmup=1)
    chain = median_seconds(lambda: verify_chain(big), runs=7, warmup=1)
    result = verify_case(big, check_files=False)
    assert result.ok, result.problem
    ok &= report(f"Verifying the chain of {result.records} records", chain, baseline, 4.0)
    whole = median_seconds(lambda: verify_case(big, check_files=False), runs=5, warmup=1)
    print(
        f"Whole-log check (chain, then every entry's columns and behaviours replayed): "
        f"{whole * 1000:.2f} ms = {whole / baseline:.2f}x the same baseline (informational)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
