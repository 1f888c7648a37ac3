"""Issue 17's throughput benchmark: gunicorn serving the everyday mix to many people at once,
beside a baseline page served by the same gunicorn in the same run.

    .venv/bin/python benchmarks/load_bench.py [--users 50] [--seconds 4] [--rounds 3]
    DAYBOOK_DATABASE_URL=postgres://.../scratch .venv/bin/python benchmarks/load_bench.py

Starts gunicorn (as scripts/run.sh does: a worker per core, one thread each; --workers and
--threads change it) on a fresh SQLite database, or on the PostgreSQL database
DAYBOOK_DATABASE_URL names (used as given: point it at a scratch one). Seeds a support
service: victims each keeping a log, their advocates and a manager (both with an
authenticator app set up, as staff must). Then drives simulated people over keep-alive
connections on 127.0.0.1 (threads and http.client only), half of them staff and half victims:
    staff:   their dashboard, a case record, that case's log page;
    victims: their dashboard, their log page, the form to record an entry, the entry sent
             (a real form POST with its CSRF token) and the entry page it leads to.
The baseline is the least a signed-in page costs (benchmarks/load_urls.py): the same session,
user and middleware, one small template.

Each round runs, alternately for the mix and the baseline:
  idle       one person clicking without pause (a victim's and a staff member's round in
             turn): the latency of a page on a quiet server;
  saturated  --users people clicking without pause: the most the server answers (req/s);
  busy       --users people each clicking every --think seconds on average (exponential):
             the latency a busy service's people see.
Without a pause, N people keep N requests queued at the server whatever it does, so their
latency is N / throughput (Little's law): with 50 of them on two cores no server keeps p95
within 3x of idle. The latency target is therefore taken with people who pause, as people do;
the saturated latency is printed for information.
Targets: the mix's saturated req/s >= 0.5x the baseline's; the mix's busy p95 <= 3x its idle
p95; no errors. Figures are min / median / max over the rounds, percentiles over all requests
of a kind. On a machine shared with other work req/s and latencies move with its load; the
server CPU per request (from /proc) does not, and is the figure to size by.
"""

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.setup import ROOT, entry_values, fill_log, start_django

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Step:
    page: str
    path: str
    # A form to send: its page is fetched first for the CSRF token (the page counts as a
    # request of its own, as a person opening the form is one).
    form: dict[str, object] | None = None


@dataclass
class Person:
    """One signed-in browser: its cookies and the round of pages it goes through."""

    cookies: dict[str, str]
    steps: list[Step]
    connection: http.client.HTTPConnection | None = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_page.setdefault(page, []).append(seconds)

    def merge(self, other: "Tally") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        for page, seconds in other.by_page.items():
            self.by_page.setdefault(page, []).extend(seconds)

    def fail(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


class Server:
    def __init__(self, port: int) -> None:
        self.port = port

    def request(
        self, person: Person, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) daybook-load-bench",
            "Cookie": "; ".join(f"{name}={value}" for name, value in person.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if person.connection is None:
                person.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                person.connection.request(method, path, body=body, headers=headers)
                response = person.connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection; a browser opens a new one.
                person.connection.close()
                person.connection = None
                if attempt == 2:
                    raise
                continue
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    person.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), content
        raise AssertionError("unreachable")


def go_through(server: Server, person: Person, step: Step, tally: Tally) -> None:
    """One step: a page, or a form's page then the form sent and the page it leads to."""

    def timed(
        page: str, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, dict, bytes]:
        started = time.perf_counter()
        try:
            answer = server.request(person, method, path, body)
        except (OSError, http.client.HTTPException) as error:
            tally.fail(f"{method} {path}: {type(error).__name__}")
            raise
        tally.add(page, time.perf_counter() - started)
        return answer

    try:
        status, _, content = timed(step.page, "GET", step.path)
        if status != 200:
            tally.fail(f"GET {step.path}: {status}")
            return
        if step.form is None:
            return
        token = CSRF_FIELD.search(content)
        if token is None:
            tally.fail(f"GET {step.path}: no CSRF token")
            return
        fields = [("csrfmiddlewaretoken", token.group(1).decode())]
        for name, value in step.form.items():
            for item in value if isinstance(value, list) else [value]:
                fields.append((name, str(item)))
        body = urllib.parse.urlencode(fields).encode()
        status, headers, _ = timed(f"{step.page} sent", "POST", step.path, body)
        location = headers.get("Location", "")
        if status != 302 or not location:
            tally.fail(f"POST {step.path}: {status}")
            return
        status, _, _ = timed("page after it", "GET", urllib.parse.urlsplit(location).path)
        if status != 200:
            tally.fail(f"GET after POST {step.path}: {status}")
    except (OSError, http.client.HTTPException):
        return


def run_phase(
    server: Server, people: list[list[Person]], *, seconds: float, think: float
) -> tuple[float, Tally]:
    """Each list in `people` is one simulated person's browser(s), driven by one thread,
    round after round of its steps until `seconds` have passed. Returns requests a second."""
    tally = Tally()
    stop_at = time.perf_counter() + seconds
    randomness = random.Random(17)
    pauses = [random.Random(randomness.random()) for _ in people]

    def drive(browsers: list[Person], pause: random.Random) -> None:
        if think:  # people arrive at their own moments, not all in the same instant
            time.sleep(pause.uniform(0, think))
        while time.perf_counter() < stop_at:
            for person in browsers:
                for step in person.steps:
                    if time.perf_counter() >= stop_at:
                        return
                    go_through(server, person, step, tally)
                    if think:
                        wait = min(pause.expovariate(1 / think), think * 5)
                        time.sleep(max(0.0, min(wait, stop_at - time.perf_counter())))

    threads = [
        threading.Thread(target=drive, args=(browsers, pause))
        for browsers, pause in zip(people, pauses, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(tally.latencies) / elapsed, tally


def warm_up(server: Server, people: list[list[Person]]) -> None:
    """Every browser goes through its round once, together: pages compiled and connections
    open in every worker, and each session's first request (which records its activity, as
    a person's first click after signing in does) left out of the figures."""
    tally = Tally()
    threads = [
        threading.Thread(
            target=lambda browsers=browsers: [
                go_through(server, person, step, tally)
                for person in browsers
                for step in person.steps
            ]
        )
        for browsers in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if tally.errors:
        raise SystemExit(f"The warm-up failed: {sorted(set(tally.errors))[:5]}")


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    if len(latencies) < 2:
        value = latencies[0] if latencies else float("nan")
        return value, value, value
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def gunicorn_workers(master: int) -> list[Path]:
    """The /proc folders of gunicorn's worker processes (the children of its master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == master:
            found.append(stat.parent)
    return found


def server_cpu_seconds(master: int) -> float:
    """CPU time (user and system) used so far by gunicorn's workers, from /proc: what a request
    costs the server whatever else the machine is running, unlike req/s on a shared machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for worker in gunicorn_workers(master):
        try:
            fields = (worker / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def worker_memory_mb(master: int) -> list[float]:
    sizes = []
    for worker in gunicorn_workers(master):
        try:
            status = (worker / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.load_settings",
        "DAYBOOK_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(  # noqa: S603 (a fixed command)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "daybook.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            # As scripts/run.sh: gunicorn would pick its sync worker for one thread, which
            # closes the connection after every response.
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within a minute")


def seed(victims: int, advocates: int, entries: int) -> tuple[list, list]:
    """The service: `victims` logs of `entries` entries each, shared among `advocates`
    advocates and a manager. Returns (victims with their case, staff with their cases)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from daybook.accounts.models import Organisation, Role, User
    from daybook.cases.services import case_open

    service = Organisation.objects.create(
        name="Benchmark Stalking Service", kind=Organisation.Kind.SUPPORT_SERVICE
    )

    def person(email: str, role: str, organisation) -> User:
        user = User.objects.create_user(
            email, "bench-password-1", role=role, organisation=organisation
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        if organisation is not None:
            TOTP.activate(user, generate_totp_secret())
        return user

    staff = [person(f"advocate{n}@example.org", Role.ADVOCATE, service) for n in range(advocates)]
    manager = person("manager@example.org", Role.SERVICE_MANAGER, service)
    owned, allocated = [], {user.pk: [] for user in [*staff, manager]}
    for n in range(victims):
        victim = person(f"victim{n}@example.org", Role.VICTIM, None)
        advocate = staff[n % advocates]
        case = case_open(created_by=advocate, owner=victim, service=service, advocates=(advocate,))
        fill_log(case, victim, entries)
        owned.append((victim, case))
        allocated[advocate.pk].append(case)
        allocated[manager.pk].append(case)
    return owned, [(user, allocated[user.pk]) for user in [*staff, manager]]


def session_cookies(user) -> dict[str, str]:
    """A signed-in session for `user`, as after signing in (and, for staff, their code)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def browsers(
    count: int, victims: list, staff: list, *, baseline: bool, counter: list[int]
) -> list[list[Person]]:
    """`count` simulated people, alternately a victim and a member of staff (one person
    when idle goes through both rounds in turn), each with a session of their own."""
    from django.urls import reverse

    from benchmarks.load_urls import BASELINE_PATH

    def victim_round(index: int) -> Person:
        victim, case = victims[index % len(victims)]
        counter[0] += 1
        return Person(
            cookies=session_cookies(victim),
            steps=[
                Step("dashboard", reverse("home")),
                Step("log page", reverse("incidents:log", args=[case.pk])),
                Step(
                    "entry form",
                    reverse("incidents:record", args=[case.pk]),
                    form=entry_values(counter[0]),
                ),
            ],
        )

    def staff_round(index: int) -> Person:
        user, cases = staff[index % len(staff)]
        case = cases[(index // len(staff)) % len(cases)]
        return Person(
            cookies=session_cookies(user),
            steps=[
                Step("staff dashboard", reverse("home")),
                Step("case record", reverse("cases:record", args=[case.pk])),
                Step("staff log page", reverse("incidents:log", args=[case.pk])),
            ],
        )

    def baseline_round(user) -> Person:
        return Person(cookies=session_cookies(user), steps=[Step("baseline", "/" + BASELINE_PATH)])

    people = []
    for index in range(count):
        if count == 1:
            pair = [victim_round(0), staff_round(0)]
            people.append(
                [baseline_round(victims[0][0]), baseline_round(staff[0][0])] if baseline else pair
            )
            continue
        half = index // 2
        if baseline:
            user = victims[half % len(victims)][0] if index % 2 else staff[half % len(staff)][0]
            people.append([baseline_round(user)])
        else:
            people.append([victim_round(half) if index % 2 else staff_round(half)])
    return people


def spread(values: list[float], unit: str = "") -> str:
    return (
        f"min {min(values):.1f}{unit} / median {statistics.median(values):.1f}{unit} / "
        f"max {max(values):.1f}{unit}"
    )


def latency(tally: Tally) -> str:
    p50, p95, p99 = (value * 1000 for value in percentiles(tally.latencies))
    return f"p50 {p50:.1f} / p95 {p95:.1f} / p99 {p99:.1f} ms over {len(tally.latencies)} requests"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", type=float, default=2.0, help="mean pause when busy (s)")
    parser.add_argument("--entries", type=int, default=30, help="entries in each victim's log")
    parser.add_argument("--advocates", type=int, default=5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1)
    arguments = parser.parse_args()
    started = time.perf_counter()
    scratch = start_django()
    # Where collectstatic would put the files; the pages only name them (a browser would have
    # them cached), and whitenoise warns at start-up when the folder is missing.
    (scratch / "static").mkdir(exist_ok=True)
    from django.db import connection

    victims, staff = seed(max(arguments.users // 2, 1), arguments.advocates, arguments.entries)
    connection.close()
    port = free_port()
    server_process = start_gunicorn(port, arguments.workers, arguments.threads)
    print(
        f"Database: {connection.vendor}; gunicorn {arguments.workers} workers x "
        f"{arguments.threads} thread{'' if arguments.threads == 1 else 's'} on "
        f"{os.cpu_count()} cores; {len(victims)} victims' logs "
        f"of {arguments.entries} entries, {arguments.advocates} advocates and a manager; "
        f"ready in {time.perf_counter() - started:.0f} s"
    )
    server = Server(port)
    counter = [10**6]
    phases = {
        "idle": (1, 0.0),
        "saturated": (arguments.users, 0.0),
        "busy": (arguments.users, arguments.think),
    }
    rates: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    tallies: dict[tuple[str, str], Tally] = {}
    # The same signed-in people, with their own sessions, all through the run.
    people = {
        (kind, users): browsers(users, victims, staff, baseline=kind == "baseline", counter=counter)
        for kind in ("mix", "baseline")
        for users in {1, arguments.users}
    }
    try:
        warming = time.perf_counter()
        for group in people.values():
            warm_up(server, group)
        print(f"Warmed up in {time.perf_counter() - warming:.0f} s")
        for _ in range(arguments.rounds):
            for phase, (users, think) in phases.items():
                # Pausing people need longer for as many clicks.
                seconds = max(arguments.seconds, 4 * think)
                for kind in ("mix", "baseline"):
                    cpu_before = server_cpu_seconds(server_process.pid)
                    rate, tally = run_phase(
                        server, people[kind, users], seconds=seconds, think=think
                    )
                    used = server_cpu_seconds(server_process.pid) - cpu_before
                    rates.setdefault((phase, kind), []).append(rate)
                    if tally.latencies:
                        cpu.setdefault((phase, kind), []).append(used / len(tally.latencies))
                    tallies.setdefault((phase, kind), Tally()).merge(tally)
        memory = worker_memory_mb(server_process.pid)
    finally:
        os.killpg(server_process.pid, signal.SIGTERM)
        server_process.wait(timeout=30)

    for phase, (users, think) in phases.items():
        pause = f", each pausing ~{think:g} s between clicks" if think else ", no pause"
        print(f"{phase.capitalize()}: {users} {'person' if users == 1 else 'people'}{pause}")
        for kind in ("mix", "baseline"):
            print(
                f"    {kind:8}  {spread(rates[phase, kind], ' req/s')};  "
                f"{latency(tallies[phase, kind])}"
            )

    print("Server CPU per request, saturated (user + system time of gunicorn's workers):")
    for kind in ("mix", "baseline"):
        per_request = [value * 1000 for value in cpu["saturated", kind]]
        median = statistics.median(per_request)
        print(
            f"    {kind:8}  {spread(per_request, ' ms')};  "
            f"{1000 / median:.0f} requests a second per core at most"
        )
    print(
        "Memory of each gunicorn worker at the end (RSS): "
        + ", ".join(f"{size:.0f} MB" for size in memory)
    )
    print("Mix by page, p50 / p95, idle and busy:")
    for page, seconds in tallies["idle", "mix"].by_page.items():
        idle50, idle95, _ = (value * 1000 for value in percentiles(seconds))
        busy = tallies["busy", "mix"].by_page.get(page, [])
        busy50, busy95, _ = (value * 1000 for value in percentiles(busy))
        print(f"    {page:16} {idle50:6.1f} / {idle95:6.1f} ms    {busy50:6.1f} / {busy95:6.1f} ms")

    ok = True
    ratio = statistics.median(rates["saturated", "mix"]) / statistics.median(
        rates["saturated", "baseline"]
    )
    verdict = "meets" if ratio >= 0.5 else "MISSES"
    print(f"Mix throughput: {ratio:.2f}x the baseline's req/s (target >= 0.5x: {verdict})")
    ok &= ratio >= 0.5
    by_cpu = statistics.median(cpu["saturated", "baseline"]) / statistics.median(
        cpu["saturated", "mix"]
    )
    print(f"    by server CPU per request: {by_cpu:.2f}x (informational, unaffected by other load)")
    idle_p95 = percentiles(tallies["idle", "mix"].latencies)[1]
    for phase in ("busy", "saturated"):
        p95 = percentiles(tallies[phase, "mix"].latencies)[1]
        if phase == "busy":
            verdict = "meets" if p95 <= 3 * idle_p95 else "MISSES"
            ok &= p95 <= 3 * idle_p95
            target = f"target <= 3x: {verdict}"
        else:
            target = "informational: N people without a pause queue N requests"
        print(
            f"Mix p95 with {arguments.users} people {phase}: {p95 / idle_p95:.2f}x the idle p95 "
            f"({p95 * 1000:.1f} vs {idle_p95 * 1000:.1f} ms; {target})"
        )
    errors = [error for tally in tallies.values() for error in tally.errors]
    print(f"Errors: {len(errors)} (target 0: {'meets' if not errors else 'MISSES'})")
    for error in sorted(set(errors))[:10]:
        print(f"    {error}")
    ok &= not errors
    print(f"Whole run: {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
