"""Is this log escalating? Three signs, each explained in plain words with its numbers.

1. Frequency rising: incidents in the last four weeks against the case's own rate before
   them. Under "nothing has changed", each of the n incidents falls in the recent window with
   probability (window length / whole length), so the recent count is binomial; the rise is
   reported only when a count this high would come by chance less than once in a hundred
   (an exact one-sided test, the conditional test for comparing two Poisson rates) and the
   rate is at least half as high again.
2. Severity rising: the first time something more serious happened, within the last four
   weeks: approached in person after only remote contact, a visit to home or work, a threat,
   violence, any other serious behaviour (see incidents.behaviours); and every breach of an
   order.
3. New behaviours: a kind of behaviour first logged in the last four weeks, in a log that
   already had incidents before them.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import ngettext

from daybook.cases.models import Case
from daybook.incidents.behaviours import serious_codes
from daybook.insights import patterns

WINDOW = dt.timedelta(days=28)
SIGNIFICANCE = 0.01
MIN_RATIO = 1.5
MIN_RECENT = 4
MIN_BASELINE = dt.timedelta(days=28)


def rise_p_value(recent: int, before: int, share: float) -> float:
    """P(X >= recent) for X ~ Binomial(recent + before, share): how often a recent count this
    high comes by chance when the rate has not changed. Summed in logs, so long logs don't
    overflow."""
    total = recent + before
    if recent <= 0:
        return 1.0
    if share >= 1:
        return 1.0
    log_share, log_rest = math.log(share), math.log1p(-share)
    terms = [
        math.lgamma(total + 1)
        - math.lgamma(k + 1)
        - math.lgamma(total - k + 1)
        + k * log_share
        + (total - k) * log_rest
        for k in range(recent, total + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(term - top) for term in terms))


@dataclass(frozen=True)
class Finding:
    kind: str  # "frequency" | "in_person" | "home_or_work" | "threat" | "violence" | ...
    signature: str  # the same finding is raised once
    facts: dict[str, Any]

    @property
    def explanation(self) -> str:
        return explain(self.kind, self.facts)


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(patterns.zone()).date().isoformat()


def frequency(case: Case, now: dt.datetime) -> Finding | None:
    first = patterns.logged(case).order_by("occurred_at").values_list("occurred_at", flat=True)
    start = first.first()
    window_start = now - WINDOW
    if start is None or window_start - start < MIN_BASELINE:
        return None  # too little history to know what is usual for this case
    before, recent = patterns.counts_between(case, window_start, now)
    baseline_days = (window_start - start).total_seconds() / 86400
    window_days = WINDOW.total_seconds() / 86400
    expected = before * window_days / baseline_days
    p_value = rise_p_value(recent, before, window_days / (window_days + baseline_days))
    if recent < MIN_RECENT or recent < MIN_RATIO * expected or p_value >= SIGNIFICANCE:
        return None
    week = now.astimezone(patterns.zone()).isocalendar()
    return Finding(
        "frequency",
        f"frequency:{week.year}-W{week.week:02d}",
        {
            "recent": recent,
            "before": before,
            "expected": round(expected, 1),
            "since": _day(start),
            "p_value": round(p_value, 4),
        },
    )


SEVERITY = ("in_person", "home_or_work", "threat", "violence")  # attributes of Milestones


def severity(case: Case, now: dt.datetime) -> list[Finding]:
    found = patterns.milestones(case)
    window_start = now - WINDOW
    findings = []
    for kind in SEVERITY:
        moment = getattr(found, kind)
        if moment is None or not window_start <= moment <= now:
            continue
        if kind == "in_person" and moment == found.first:
            continue  # in person from the start: not a change from remote contact
        findings.append(Finding(kind, f"{kind}:{moment.isoformat()}", {"on": _day(moment)}))
    findings.extend(
        Finding("breach", f"breach:{moment.isoformat()}", {"on": _day(moment)})
        for moment in found.breaches
        if window_start <= moment <= now
    )
    findings.extend(
        Finding(
            "serious", f"serious:{code}:{moment.isoformat()}", {"code": code, "on": _day(moment)}
        )
        for code, moment in found.others.items()
        if moment is not None and window_start <= moment <= now
    )
    return findings


def new_behaviours(case: Case, now: dt.datetime) -> list[Finding]:
    firsts = patterns.behaviour_firsts(case)
    serious = serious_codes()  # each has a finding of its own (see `severity`)
    window_start = now - WINDOW
    earliest = patterns.logged(case).order_by("occurred_at").values_list("occurred_at", flat=True)
    start = earliest.first()
    if start is None or start >= window_start:
        return []  # everything is new in a new log
    return [
        Finding("new_behaviour", f"new_behaviour:{code}", {"code": code, "on": _day(first)})
        for code, (first, _occasions) in sorted(firsts.items())
        if code not in serious and window_start <= first <= now
    ]


def findings(case: Case, now: dt.datetime | None = None) -> list[Finding]:
    now = now or timezone.now()
    rising = frequency(case, now)
    return ([rising] if rising else []) + severity(case, now) + new_behaviours(case, now)


def _date(text: str) -> str:
    return f"{dt.date.fromisoformat(text):%-d %B %Y}"


def _times_in_a_thousand(times: int) -> str:
    return ngettext("about %d time in 1,000", "about %d times in 1,000", times) % times


def explain(kind: str, facts: dict[str, Any]) -> str:
    if kind == "frequency":
        chance = (
            "less than 1 time in 1,000"
            if facts["p_value"] < 0.001
            else _times_in_a_thousand(max(1, round(facts["p_value"] * 1000)))
        )
        return (
            f"Incidents are more frequent: {facts['recent']} in the last 4 weeks, against "
            f"{facts['expected']} expected from the {facts['before']} logged between "
            f"{_date(facts['since'])} and 4 weeks ago. A rise this large would come by chance "
            f"{chance}."
        )
    when = _date(facts["on"])
    return {
        "in_person": f"First approach in person, on {when}, after contact that was only remote.",
        "home_or_work": f"First visit to home, work or school, on {when}.",
        "threat": f"First threat, on {when}.",
        "violence": f"First violence, on {when}.",
        "breach": f"A court order or bail conditions were broken on {when}.",
        "serious": (
            f"A serious kind of behaviour: {patterns.behaviour_label(facts.get('code', ''))}, "
            f"first on {when}."
        ),
        "new_behaviour": (
            f"A new kind of behaviour: {patterns.behaviour_label(facts.get('code', ''))}, "
            f"first on {when}."
        ),
    }.get(kind, kind)
