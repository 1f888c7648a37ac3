"""Every page each persona can reach, crawled in Chromium over realistic casework.

From the persona's start page, every same-origin link is followed breadth first (GET links
only: never the exit, signing out or a download; forms are never submitted), one page of
each kind. On every page, with its folded parts and the menu opened: no server error, no
broken link, nothing scrolls sideways at 320 or 390 pixels wide, axe-core finds no serious or
critical problem, and on every page a victim or the public sees, Exit this page is there. All
the faults of one persona are reported together, and the crawl must reach the pages each
persona is known to use, so it cannot quietly crawl nothing.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import BrowserContext, Page, Response

from tests.browser.conftest import sign_in_browser
from tests.browser.seed import INVITATION_TOKEN, Seeded, seed_casework
from tests.conftest import PASSWORD

axe = Axe()

WIDTHS = (320, 390)  # a small phone, and a common one; axe runs at the last
HEIGHT = 800
MAX_PAGES = 150
# Pages of one kind (the same view with other ids, tokens or filter values) are alike: one of
# each is checked. Casework staff start at the fullest case, so its pages are those checked.
MAX_PER_KIND = 1
NOT_FOLLOWED = re.compile(
    r"^/exit/|/logout/|sign-?out|/download|\.(csv|pdf|zip|json|txt)$|^/static/|^/media/"
)
PERSONAS = ["public", "victim", "advocate", "manager", "police", "partner", "commissioner"]


def starts(persona: str, seeded: Seeded) -> list[str]:
    """Where the crawl of a persona starts: their home page; for the public, the start page and
    the link in an invitation e-mail; for casework staff, the fullest case first."""
    if persona == "public":
        invitation = reverse("accounts:invitation_accept", args=[INVITATION_TOKEN])
        return [reverse("public:start"), invitation]
    if persona in ("advocate", "manager"):
        return [reverse("cases:record", args=[seeded.case.pk]), reverse("home")]
    return [reverse("home")]


# The pages (view names, with the slug where one view serves several) each persona's crawl
# must reach.
MUST_REACH = {
    "public": {
        "public:start",
        "public:stalking",
        "public:self_check",
        "public:get_help",
        "public:staying_safe",
        "public:cookies",
        "cases:refer_yourself",
        "account_login",
        "account_signup",
        "account_reset_password",
        "accounts:invitation_accept",
    },
    "victim": {
        "home",
        "incidents:log",
        "incidents:record",
        "incidents:entry",
        "incidents:amend",
        "incidents:draft",
        "insights:patterns",
        "sharing:case",
        "reports:home",
        "reports:status",
        "imports:start",
        "imports:job",
        "cases:my_support",
        "accounts:security",
        "usersessions_list",
        "mfa_activate_totp",
        "public:get_help",
    },
    "advocate": {
        "home",
        "incidents:log_list",
        "cases:record",
        "cases:consent",
        "cases:section slug=contact",
        "cases:section slug=safety-plan",
        "cases:section slug=orders",
        "cases:section_record slug=orders",
        "risk:screening",
        "incidents:log",
        "incidents:entry",
        "insights:patterns",
        "reports:home",
        "reports:status",
        "cases:referrals",
        "cases:consultations",
        "accounts:security",
        "mfa_view_recovery_codes",
    },
    "manager": {
        "home",
        "cases:referrals",
        "cases:referral",
        "cases:allocate",
        "cases:record",
        "risk:screening",
        "insights:statistics",
        "accounts:team",
        "accounts:security",
        "account_reauthenticate ?next",
    },
    "police": {
        "home",
        "police:shared_list",
        "police:shared_log",
        "police:shared_report",
        "cases:referral_new",
        "accounts:security",
    },
    "partner": {
        "home",
        "cases:referrals",
        "cases:referral",
        "cases:referral_new",
        "cases:consultations",
        "accounts:security",
    },
    "commissioner": {"home", "insights:statistics", "accounts:security"},
}
# These confirm who they are (their password again) before the crawl, so it reaches the pages
# that ask for that (setting up an authenticator, recovery codes); the others meet the
# "Confirm it's you" pages instead.
CONFIRMED = {"victim", "advocate"}
# The public and victims may be watched: Exit this page on everything they see.
SHOWS_EXIT = {"public", "victim"}
# Pages whose content is the same for everyone signed in (account and security pages) or for
# everyone at all (the public pages): axe checks them as the public, a victim and an advocate
# see them; for the other staff only the menu differs, and it is checked on all their pages.
SHARED_PAGES = re.compile(
    r"^(public:|cases:refer_yourself|account_|mfa_|usersessions_|accounts:(security|name))"
)
AXE_ON_SHARED_PAGES = {"public", "victim", "advocate"}

UNFOLD = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const menu = document.querySelector(".govuk-service-navigation__toggle");
  if (menu && menu.offsetParent && menu.getAttribute("aria-expanded") !== "true") menu.click();
}"""
OVERFLOWING = """() => {
  // What sticks out: the outermost boxes wider than the page, else the innermost elements
  // whose text (a long link, a hash) runs past it.
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase()
      + (el.id ? "#" + el.id : "")
      + [...el.classList].slice(0, 2).map((c) => "." + c).join("");
  const boxes = [], texts = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || scrolls(el)) continue;
    if (box.right > width + 1) {
      if (el.parentElement.getBoundingClientRect().right <= width + 1) {
        boxes.push(name(el) + " " + Math.round(box.right) + "px");
      }
    } else if (box.left + el.scrollWidth > width + 1
        && getComputedStyle(el).overflowX === "visible" && ![...el.children].some(
        (c) => c.getBoundingClientRect().left + c.scrollWidth > width + 1)) {
      texts.push(name(el) + " text " + Math.round(box.left + el.scrollWidth) + "px");
    }
  }
  return (boxes.length ? boxes : texts).slice(0, 4);
}"""


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


def kind_of(url: str) -> str:
    """The view a URL shows, with the argument naming which page of the view it is (a casework
    section's slug) and its query's names: two URLs of one kind differ only in ids, tokens or
    filter values."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return parts.path
    words = [f"slug={match.kwargs['slug']}"] if "slug" in match.kwargs else []
    names = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return " ".join([match.view_name, *words]) + (f" ?{','.join(names)}" if names else "")


def follow(href: str, origin: str) -> str | None:
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin or NOT_FOLLOWED.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def serious_violations(page: Page) -> list[str]:
    results = axe.run(page)
    return [
        f"{violation['id']} ({len(violation['nodes'])}: "
        + ", ".join(str(node["target"][0]) for node in violation["nodes"][:3])
        + ")"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def crawl(page: Page, origin: str, starts: list[str], *, persona: str) -> Crawl:
    result = Crawl()
    queue = deque(starts)
    queued = set(starts)
    per_kind: Counter[str] = Counter()
    errors: list[str] = []

    def enough(kind: str) -> bool:
        return per_kind[kind] >= MAX_PER_KIND

    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else 0)
    while queue and len(result.visited) < MAX_PAGES:
        url = queue.popleft()
        if enough(kind_of(url)):
            continue
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        response: Response | None = page.goto(origin + url)
        landed = page.url.removeprefix(origin)
        kind = kind_of(landed)
        if landed != url and (landed in queued or enough(kind)):
            continue  # a redirect to a page already crawled
        queued.add(landed)
        per_kind[kind] += 1
        result.visited.append(landed)
        result.kinds.add(kind)
        where = url if landed == url else f"{url} → {landed}"
        status = response.status if response else 0
        if status >= 400:
            result.failures.append(f"{where}: status {status}")
        # What is folded away (the menu, a chart's table, a secret key to type in) must fit too.
        page.evaluate(UNFOLD)
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": HEIGHT})
            scroll, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner:
                wide = ", ".join(page.evaluate(OVERFLOWING))
                result.failures.append(f"{where}: {scroll}px wide at {width}px ({wide})")
        axe_here = persona in AXE_ON_SHARED_PAGES or not SHARED_PAGES.match(kind)
        if axe_here and (problems := serious_violations(page)):
            result.failures.append(f"{where}: axe {'; '.join(problems)}")
        if persona in SHOWS_EXIT and not page.locator(".govuk-exit-this-page").count():
            result.failures.append(f"{where}: no Exit this page")
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map((a) => a.href)"
        ):
            target = follow(href, origin)
            if target and target not in queued and not enough(kind_of(target)):
                queued.add(target)
                queue.append(target)
    if left := [url for url in queue if not enough(kind_of(url))]:
        result.failures.append(f"stopped after {MAX_PAGES} pages; not visited: {left[:5]}")
    result.failures.extend(f"server error: {error}" for error in dict.fromkeys(errors))
    return result


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_reachable_page_works_on_a_small_screen(
    live_server,
    context: BrowserContext,
    page: Page,
    personas,
    persona: str,
) -> None:
    seeded = seed_casework(personas)
    if persona == "public":
        # Past the one-time Exit this page explanation, as a visitor would be.
        page.goto(live_server.url + reverse("public:before_you_continue"))
        page.click("main button[type=submit]")
    else:
        client = Client()
        client.force_login(getattr(personas, persona))
        sign_in_browser(context, live_server, client)
    if persona in CONFIRMED:
        page.goto(live_server.url + reverse("account_reauthenticate"))
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    result = crawl(page, live_server.url, starts(persona, seeded), persona=persona)
    missing = sorted(MUST_REACH[persona] - result.kinds)
    report = [*result.failures, *(f"never reached: {kind}" for kind in missing)]
    assert not report, (
        f"{persona}: {len(report)} problems over {len(result.visited)} pages:\n" + "\n".join(report)
    )
