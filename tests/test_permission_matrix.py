"""The permission matrix is the specification: every URL of the project, asked with GET and
with POST by every persona, answers exactly as this table says.

The table has one row per URL name and one cell per persona and method. URLs are found by
walking the URL configuration (all of it except allauth's own pages under accounts/), and the
test fails when a URL has no row or a row names a URL that no longer exists: a new page cannot
go live without someone deciding, here, who may reach it.

A cell is an exact answer. 302 is never a way of saying "allowed": a redirect names where it
goes, and the sign-in page (anonymous and switched-off accounts), the two-step set-up page
(staff without it) and "Confirm it's you" (sensitive actions) are told apart from each other
and from a page that redirects after doing its work.

The personas are described in tests/matrix_world.py, and every object a URL names is a real
object of their world, so an answer reflects the policy, never a missing object. An account
switched off after its owner signed in has a session that counts for nothing: it is treated
as signed out everywhere. Each other persona has just confirmed it's them, so sensitive pages
answer by policy. Everything they were let into is then asked again without
that confirmation: rows marked `sudo` must send them to confirm it's them, every other page
must answer as before.

A POST sends an empty form, unless the row's `data` gives the least that reaches the
decision the row is about (sharing, producing a report, keeping a draft).

Every request runs in a savepoint that is rolled back, and the client's cookies are put back
after it, so each cell is asked of the same world: a POST that revokes a share, withdraws
consent or signs out (Exit this page) changes nothing for the next cell.

A cell marked `# BUG:` is the answer the product requires where the code answered otherwise.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from daybook.drafts.kinds import form_key
from daybook.drafts.services import exit_token
from daybook.reports.packs import VPS_AREAS
from tests.matrix_world import PERSONAS, World, build_world, signed_in_client

# --- What a cell can say -------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 to the page with this URL name (or, for OUTSIDE, to the neutral exit website)."""

    to: str

    def __str__(self) -> str:
        return f"302 to {self.to}"


LOGIN = Redirect("account_login")  # with ?next= the page asked for
MFA = Redirect("mfa_activate_totp")
REAUTH = Redirect("account_reauthenticate")  # "Confirm it's you", with ?next= the page
EXPLAIN_EXIT = Redirect("public:before_you_continue")  # Exit this page explained first
OUTSIDE = Redirect("DAYBOOK_EXIT_URL")

Cell = int | Redirect
Cells = dict[str, Cell]


def _cells(base: Cells, cells: Cells) -> Cells:
    unknown = set(cells) - set(PERSONAS)
    assert not unknown, f"not personas: {unknown}"
    return {persona: cells.get(persona, base[persona]) for persona in PERSONAS}


def everyone(default: Cell, **cells: Cell) -> Cells:
    """A page that needs no sign-in: everybody gets `default` unless named."""
    return _cells(dict.fromkeys(PERSONAS, default), cells)


def signed_in(default: Cell, **cells: Cell) -> Cells:
    """A page behind the sign-in: staff without two-step verification are sent to set it up,
    switched-off accounts and anonymous people to the sign-in page; the rest get `default`
    unless named."""
    base = dict.fromkeys(PERSONAS, default)
    base.update(no_mfa=MFA, deactivated=LOGIN, anonymous=LOGIN)
    return _cells(base, cells)


def holders(ok: Cell, **cells: Cell) -> Cells:
    """A page of the case for the person whose case it is and the staff who hold it (the
    allocated advocate, the holding service's manager). Everyone else may not learn the case
    exists: 404."""
    return signed_in(404, **{"owner": ok, "advocate": ok, "manager": ok, **cells})


def writers(ok: Cell, **cells: Cell) -> Cells:
    """A page that adds to the log (an entry, a file, an import, a share): the person and the
    advocate allocated to them. The holding service's manager reads the log but does not write
    in it (403); everyone else may not learn the case exists (404)."""
    return holders(ok, **{"manager": 403, **cells})


def casework(ok: Cell, **cells: Cell) -> Cells:
    """A casework page: the staff who hold the case only. The person whose case it is knows it
    exists, so they are refused (403) rather than told it does not; others get 404."""
    return holders(ok, owner=403, **cells)


GET_ONLY = signed_in(405)  # the POST column of a page that is only read
POST_ONLY = signed_in(405)  # the GET column of an action that only takes a POST
PUBLIC_GET_ONLY = everyone(405)


@dataclass(frozen=True)
class Row:
    get: Cells
    post: Cells
    # The methods that ask "Confirm it's you" before doing anything, once the access check has
    # let the person through.
    sudo: tuple[str, ...] = ()
    # What the POST sends, where an empty form would stop before the policy is asked.
    data: Callable[[World], dict[str, Any]] | None = None


def _draft_key(world: World) -> str:
    return form_key("incidents.record", world.case.pk)


def _autosave(world: World) -> dict[str, Any]:
    return {"key": _draft_key(world), "payload": '{"fields": {}, "texts": []}'}


def _keep_on_exit(world: World) -> dict[str, Any]:
    """The owner's last save as they leave: the page's signed token names them, not a session."""
    owner = world.users["owner"]
    assert owner is not None
    return {**_autosave(world), "token": exit_token(owner=owner, key=_draft_key(world))}


def _share(world: World) -> dict[str, Any]:
    """Share the whole log with the force the world's police officer belongs to."""
    return {"police": world.kwargs["police_force_id"], "scope": "whole"}


# --- The table -----------------------------------------------------------------------------

TABLE: dict[str, Row] = {
    # Public pages, Exit this page and the self-check
    "public:start": Row(get=everyone(200), post=PUBLIC_GET_ONLY),
    "public:stalking": Row(get=everyone(200), post=PUBLIC_GET_ONLY),
    "public:get_help": Row(get=everyone(200), post=PUBLIC_GET_ONLY),
    "public:staying_safe": Row(get=everyone(200), post=PUBLIC_GET_ONLY),
    "public:cookies": Row(get=everyone(200), post=PUBLIC_GET_ONLY),
    "public:before_you_continue": Row(get=everyone(200), post=everyone(Redirect("public:start"))),
    "public:self_check": Row(
        get=everyone(200, deactivated=EXPLAIN_EXIT, anonymous=EXPLAIN_EXIT),
        post=everyone(200, deactivated=EXPLAIN_EXIT, anonymous=EXPLAIN_EXIT),
    ),
    "public:self_check_result": Row(
        get=everyone(Redirect("public:self_check")), post=PUBLIC_GET_ONLY
    ),
    "public:exit": Row(get=everyone(OUTSIDE), post=PUBLIC_GET_ONLY),
    # Signing up and the account's own pages
    "account_signup": Row(
        get=everyone(
            Redirect("home"), no_mfa=MFA, deactivated=EXPLAIN_EXIT, anonymous=EXPLAIN_EXIT
        ),
        post=everyone(
            Redirect("home"), no_mfa=MFA, deactivated=EXPLAIN_EXIT, anonymous=EXPLAIN_EXIT
        ),
    ),
    "account_email": Row(
        get=signed_in(200), post=signed_in(Redirect("account_email")), sudo=("POST",)
    ),
    "home": Row(get=signed_in(200), post=GET_ONLY),
    # The public keys checkpoints are signed with: for anyone, signed in or not (staff who
    # have not set up two-step verification are sent to, as on every page but the public ones)
    "signing_keys": Row(get=everyone(200, no_mfa=MFA), post=everyone(405, no_mfa=MFA)),
    # For load balancers, answered before the sign-in, the two-step check or the session are
    # asked (daybook/health/middleware.py). No task worker runs in this world, so /readyz
    # answers "not ready" to everyone alike.
    "health:healthz": Row(get=everyone(200), post=PUBLIC_GET_ONLY),
    "health:readyz": Row(get=everyone(503), post=PUBLIC_GET_ONLY),
    "accounts:security": Row(get=signed_in(200), post=GET_ONLY),
    "accounts:name": Row(
        get=signed_in(200),
        # An empty name is a victim's choice ("Not given"); staff must give one.
        post=signed_in(
            200,
            owner=Redirect("accounts:security"),
            other_victim=Redirect("accounts:security"),
        ),
    ),
    "accounts:invitation_accept": Row(
        get=everyone(200, no_mfa=MFA), post=everyone(200, no_mfa=MFA)
    ),
    # Teams: a manager staffs their own service, the administrator every organisation
    "accounts:teams": Row(
        get=signed_in(
            404,
            manager=Redirect("accounts:team"),
            other_manager=Redirect("accounts:team"),
            administrator=200,
        ),
        post=GET_ONLY,
    ),
    "accounts:team": Row(get=signed_in(404, manager=200, administrator=200), post=GET_ONLY),
    "accounts:invite": Row(
        get=POST_ONLY, post=signed_in(404, manager=400, administrator=400), sudo=("POST",)
    ),
    # Staff accounts are deactivated, never deleted: by whoever could change their role
    "accounts:deactivate": Row(
        get=POST_ONLY,
        post=signed_in(
            404, manager=Redirect("accounts:team"), administrator=Redirect("accounts:team")
        ),
        sudo=("POST",),
    ),
    "accounts:change_role": Row(
        get=POST_ONLY,
        post=signed_in(
            404, manager=Redirect("accounts:team"), administrator=Redirect("accounts:team")
        ),
        sudo=("POST",),
    ),
    # Retention: a service's manager reviews their own service's closed cases that are due
    "retention:due": Row(get=signed_in(404, manager=200, other_manager=200), post=GET_ONLY),
    "retention:keep": Row(get=signed_in(404, manager=200), post=signed_in(404, manager=400)),
    "retention:erase": Row(
        get=signed_in(404, manager=200),
        post=signed_in(404, manager=Redirect("retention:due")),
        sudo=("POST",),
    ),
    "retention:settings": Row(
        get=signed_in(404, manager=200, other_manager=200),
        post=signed_in(404, manager=400, other_manager=400),
    ),
    # Erasure: the holding service's manager and the person whose log it is; advocates are
    # refused. The world's case already has an erasure waiting, so asking again sends each back
    # to where it is shown; the manager who asked is told another manager must approve it.
    "erasure:erase": Row(
        get=holders(Redirect("cases:record"), owner=Redirect("incidents:log"), advocate=403),
        post=holders(Redirect("cases:record"), owner=Redirect("incidents:log"), advocate=403),
        sudo=("POST",),
    ),
    "erasure:cancel": Row(
        get=POST_ONLY,
        post=holders(Redirect("cases:record"), owner=Redirect("incidents:log"), advocate=403),
    ),
    "erasure:approve": Row(
        get=POST_ONLY,
        post=holders(Redirect("cases:record"), owner=403, advocate=403),
        sudo=("POST",),
    ),
    # Drafts: only ever their writer's
    # Commissioners and administrators write nothing that could be a draft.
    "drafts:list": Row(get=signed_in(200, commissioner=403, administrator=403), post=GET_ONLY),
    "drafts:detail": Row(get=signed_in(404, owner=200), post=GET_ONLY),
    "drafts:discard": Row(get=POST_ONLY, post=signed_in(404, owner=Redirect("drafts:list"))),
    # A draft of an entry: only someone who may write the entry keeps one.
    "drafts:autosave": Row(get=POST_ONLY, post=writers(204, manager=404), data=_autosave),
    # The signed token stands in for the session Exit this page has just ended.
    "drafts:keep_on_exit": Row(
        get=everyone(405, no_mfa=MFA), post=everyone(204, no_mfa=MFA), data=_keep_on_exit
    ),
    # The log
    # A victim's own logs, or the cases a service's staff hold; nobody else has a list of logs.
    "incidents:log_list": Row(
        get=signed_in(
            403,
            owner=Redirect("incidents:log"),
            other_victim=200,
            advocate=200,
            unallocated=200,
            other_advocate=200,
            manager=200,
            other_manager=200,
        ),
        post=GET_ONLY,
    ),
    "incidents:log_start": Row(
        get=POST_ONLY,
        post=signed_in(
            403,
            owner=Redirect("incidents:record"),
            other_victim=Redirect("incidents:record"),
        ),
    ),
    "incidents:case_open": Row(
        get=signed_in(
            403, advocate=200, unallocated=200, other_advocate=200, manager=200, other_manager=200
        ),
        post=signed_in(
            403, advocate=200, unallocated=200, other_advocate=200, manager=200, other_manager=200
        ),
    ),
    "incidents:log": Row(get=holders(200), post=GET_ONLY),
    "incidents:log_verify": Row(get=POST_ONLY, post=holders(Redirect("incidents:log"))),
    "incidents:log_download": Row(get=holders(200), post=GET_ONLY, sudo=("GET",)),
    # A signed receipt of the log: for whoever may read it
    "incidents:log_receipt": Row(get=POST_ONLY, post=holders(200)),
    "incidents:record": Row(get=writers(200), post=writers(200)),
    "incidents:draft": Row(get=writers(200), post=writers(200)),
    "incidents:entry": Row(get=holders(200), post=GET_ONLY),
    "incidents:amend": Row(get=writers(200), post=writers(200)),
    "incidents:withdraw": Row(get=writers(200), post=writers(200)),
    "incidents:evidence_upload": Row(get=POST_ONLY, post=writers(200)),
    "incidents:evidence_download": Row(get=holders(200), post=GET_ONLY, sudo=("GET",)),
    "incidents:evidence_preview": Row(get=holders(200), post=GET_ONLY),
    "incidents:evidence_withdraw": Row(get=writers(200), post=writers(200)),
    # Imports
    "imports:start": Row(get=writers(200), post=writers(200)),
    "imports:job": Row(get=writers(200), post=writers(200)),
    "imports:cancel": Row(get=POST_ONLY, post=writers(Redirect("imports:job"))),
    # Patterns, alerts and statistics
    "insights:patterns": Row(get=holders(200), post=GET_ONLY),
    "insights:acknowledge": Row(get=casework(200), post=casework(200)),
    "insights:statistics": Row(
        get=signed_in(403, manager=200, other_manager=200, commissioner=200), post=GET_ONLY
    ),
    "insights:statistics_csv": Row(
        get=signed_in(403, manager=200, other_manager=200, commissioner=200),
        post=GET_ONLY,
        sudo=("GET",),
    ),
    "insights:statistics_pdf": Row(
        get=signed_in(403, manager=200, other_manager=200, commissioner=200),
        post=GET_ONLY,
        sudo=("GET",),
    ),
    # Reports
    "reports:home": Row(
        get=holders(200),
        post=holders(Redirect("reports:status")),
        sudo=("POST",),
        data=lambda world: {"kind": "chronology", "profile": "police"},
    ),
    "reports:spo": Row(
        get=casework(200),
        post=casework(Redirect("reports:status")),
        sudo=("POST",),
        data=lambda world: {"necessity": "Repeated visits", "prohibitions": "No contact"},
    ),
    "reports:vps": Row(
        get=holders(200),
        post=holders(Redirect("reports:status")),
        sudo=("POST",),
        data=lambda world: {VPS_AREAS[0][0]: "I no longer go out alone."},
    ),
    "reports:statement": Row(
        get=holders(200), post=holders(Redirect("reports:status")), sudo=("POST",)
    ),
    "reports:redactions": Row(
        get=holders(200),
        post=holders(Redirect("reports:redactions")),
        data=lambda world: {"action": "add", "find": "Elm Road", "replace": ""},
    ),
    "reports:status": Row(get=holders(200), post=GET_ONLY),
    "reports:download": Row(get=holders(200), post=GET_ONLY, sudo=("GET",)),
    # Subject access and leaving: a person's own copy and their leaving are theirs alone (staff
    # go through their service); a copy for a request made by letter is the holding service
    # manager's, and the allocated advocate, who may read the case, is refused.
    "subject_access:mine": Row(
        get=signed_in(404, owner=200, other_victim=200),
        post=signed_in(
            404,
            owner=Redirect("subject_access:mine_status"),
            other_victim=Redirect("subject_access:mine_status"),
        ),
        sudo=("POST",),
    ),
    "subject_access:mine_status": Row(get=signed_in(404, owner=200), post=GET_ONLY),
    "subject_access:mine_download": Row(
        get=signed_in(404, owner=200), post=GET_ONLY, sudo=("GET",)
    ),
    "subject_access:leave": Row(
        get=signed_in(404, owner=200, other_victim=200),
        post=signed_in(
            404,
            owner=Redirect("subject_access:leave"),
            other_victim=Redirect("subject_access:leave"),
        ),
        sudo=("POST",),
    ),
    "subject_access:leave_cancel": Row(
        get=POST_ONLY,
        post=signed_in(
            404,
            owner=Redirect("subject_access:leave"),
            other_victim=Redirect("subject_access:leave"),
        ),
    ),
    "subject_access:case": Row(
        get=casework(200, advocate=403),
        post=casework(Redirect("subject_access:case_status"), advocate=403),
        sudo=("POST",),
    ),
    "subject_access:withhold": Row(
        get=POST_ONLY, post=casework(Redirect("subject_access:case"), advocate=403)
    ),
    "subject_access:case_status": Row(get=casework(200, advocate=403), post=GET_ONLY),
    "subject_access:case_download": Row(
        get=casework(200, advocate=403), post=GET_ONLY, sudo=("GET",)
    ),
    # Risk
    "risk:screening": Row(get=casework(200), post=casework(200)),
    # Sharing with the police, and the police's view of what was shared with their force
    # The person shares their own log; staff need the person's consent to share with the
    # police, which this case has not given: the form says so (200) and nothing is shared.
    "sharing:case": Row(
        get=writers(200),
        post=writers(200, owner=Redirect("sharing:case")),
        sudo=("POST",),
        data=_share,
    ),
    "sharing:check": Row(get=POST_ONLY, post=writers(200), data=_share),
    "sharing:revoke": Row(get=POST_ONLY, post=writers(Redirect("sharing:case"))),
    # The police's list of what victims shared with their force: police only.
    "police:shared_list": Row(get=signed_in(403, police=200, other_police=200), post=GET_ONLY),
    "police:shared_log": Row(
        get=signed_in(404, police=200),
        post=signed_in(404, police=Redirect("police:shared_report")),
        sudo=("POST",),
        data=lambda world: {"kind": "chronology"},
    ),
    "police:shared_entry": Row(get=signed_in(404, police=200), post=GET_ONLY),
    "police:shared_evidence_view": Row(get=signed_in(404, police=200), post=GET_ONLY),
    "police:shared_evidence_download": Row(
        get=signed_in(404, police=200), post=GET_ONLY, sudo=("GET",)
    ),
    "police:shared_report": Row(get=signed_in(404, police=200), post=GET_ONLY),
    "police:shared_report_download": Row(
        get=signed_in(404, police=200), post=GET_ONLY, sudo=("GET",)
    ),
    # Casework
    "cases:record": Row(get=casework(200), post=GET_ONLY),
    "cases:details": Row(get=casework(200), post=casework(200)),
    "cases:safe_contact": Row(get=casework(200), post=casework(200)),
    "cases:status": Row(get=casework(200), post=casework(200)),
    "cases:perpetrator_add": Row(get=casework(200), post=casework(200)),
    # Allocation is the manager's: the advocate holds the case but may not allocate it.
    "cases:allocate": Row(get=casework(200, advocate=403), post=casework(200, advocate=403)),
    "cases:consent": Row(get=casework(200), post=casework(200)),
    "cases:consent_withdraw": Row(get=POST_ONLY, post=casework(Redirect("cases:consent"))),
    "cases:my_support": Row(get=holders(200), post=GET_ONLY),
    "cases:section": Row(get=casework(200), post=casework(200)),
    "cases:section_record": Row(get=casework(200), post=casework(200)),
    "cases:order_breaches": Row(get=casework(200), post=casework(200)),
    "cases:order_breach_remove": Row(
        get=POST_ONLY, post=casework(Redirect("cases:order_breaches"))
    ),
    # Referrals: the service's staff see its referrals; referrers see the status of their own
    "cases:refer_yourself": Row(
        get=everyone(200, no_mfa=MFA, deactivated=EXPLAIN_EXIT, anonymous=EXPLAIN_EXIT),
        post=everyone(200, no_mfa=MFA, deactivated=EXPLAIN_EXIT, anonymous=EXPLAIN_EXIT),
    ),
    "cases:refer_yourself_sent": Row(
        get=everyone(Redirect("cases:refer_yourself"), no_mfa=MFA),
        post=everyone(405, no_mfa=MFA),
    ),
    "cases:referrals": Row(get=signed_in(200, commissioner=403, administrator=403), post=GET_ONLY),
    "cases:referral_new": Row(
        get=signed_in(403, owner=200, other_victim=200, police=200, other_police=200, partner=200),
        post=signed_in(403, owner=200, other_victim=200, police=200, other_police=200, partner=200),
    ),
    "cases:referral": Row(
        get=signed_in(404, advocate=200, unallocated=200, manager=200, partner=200),
        post=GET_ONLY,
    ),
    "cases:referral_sent": Row(get=signed_in(404, partner=200), post=GET_ONLY),
    # Deciding: the service's manager; its advocates and the referrer see it but may not.
    "cases:referral_accept": Row(
        get=POST_ONLY,
        post=signed_in(
            404, advocate=403, unallocated=403, manager=Redirect("cases:allocate"), partner=403
        ),
    ),
    # An empty reason is sent back to the referral with a message.
    "cases:referral_decline": Row(
        get=POST_ONLY,
        post=signed_in(
            404, advocate=403, unallocated=403, manager=Redirect("cases:referral"), partner=403
        ),
    ),
    # Withdrawing: the referrer or the service's manager; its advocates see it but may not.
    "cases:referral_withdraw": Row(
        get=POST_ONLY,
        post=signed_in(
            404,
            advocate=403,
            unallocated=403,
            manager=Redirect("cases:referral"),
            partner=Redirect("cases:referral"),
        ),
    ),
    # Consultations: advice given by a service, and asked for by the police and partners
    "cases:consultations": Row(
        get=signed_in(200, owner=403, other_victim=403, commissioner=403, administrator=403),
        post=signed_in(200, owner=403, other_victim=403, commissioner=403, administrator=403),
    ),
    "cases:consultation_advise": Row(
        get=signed_in(
            403, advocate=200, unallocated=200, manager=200, other_advocate=404, other_manager=404
        ),
        post=signed_in(
            403, advocate=200, unallocated=200, manager=200, other_advocate=404, other_manager=404
        ),
    ),
}


# --- Walking the URL configuration ---------------------------------------------------------


def _is_allauth(resolver: URLResolver) -> bool:
    urlconf = resolver.urlconf_name
    return getattr(urlconf, "__name__", urlconf) == "allauth.urls"


def _walk(resolver: URLResolver | None = None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if _is_allauth(pattern):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _walk(pattern, inner)
        elif isinstance(pattern, URLPattern):
            found.append((namespace + (pattern.name or f"<unnamed {pattern.pattern}>"), pattern))
    return found


def project_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the project by its full name, leaving out allauth's own pages."""
    return dict(_walk())


def case_patterns() -> list[tuple[str, str]]:
    """(name, route) of every project URL whose route takes a case id."""
    return [
        (name, str(pattern.pattern))
        for name, pattern in project_patterns().items()
        if "case_id" in pattern.pattern.converters
    ]


def urls_for(name: str, pattern: URLPattern, world: World) -> list[str]:
    """The addresses of one URL name in the world: real objects of the persona world for
    every argument; every casework section for a section's pages."""
    namespace = name.rpartition(":")[0]
    params = list(pattern.pattern.converters)
    kwargs = {
        param: world.kwargs.get(f"{namespace}:{param}", world.kwargs.get(param))
        for param in params
        if param not in ("slug", "record_id")
    }
    assert None not in kwargs.values(), f"{name}: the world has no object for {params}"
    if "slug" not in params:
        return [reverse(name, kwargs=kwargs)]
    return [
        reverse(
            name,
            kwargs={
                **kwargs,
                "slug": slug,
                **({"record_id": world.records[slug]} if "record_id" in params else {}),
            },
        )
        for slug in world.slugs
    ]


# --- Asking ---------------------------------------------------------------------------------


def _answer(response: Any, url: str) -> Cell:
    """What came back, in the table's terms."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location == settings.DAYBOOK_EXIT_URL:
        return OUTSIDE
    parts = urlsplit(location)
    if parts.netloc:
        return Redirect(location)
    try:
        target = resolve(parts.path).view_name
    except Resolver404:
        return Redirect(location)
    if target in (LOGIN.to, REAUTH.to) and parse_qs(parts.query).get("next") != [url]:
        return Redirect(location)  # sent to sign in or confirm, but not back to this page
    return Redirect(target)


def ask(client: Client, method: str, url: str, data: dict[str, Any]) -> Cell:
    """One request in a savepoint that is rolled back, with the client's cookies put back."""
    cookies = client.cookies.output(header="", sep="\n")
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data)
        transaction.set_rollback(True)
    client.cookies = SimpleCookie(cookies)
    return _answer(response, url)


# Answers that refuse before any "Confirm it's you" is asked.
REFUSALS = (403, 404, 405, LOGIN, MFA)


# --- The tests ------------------------------------------------------------------------------


def test_every_project_url_has_a_row_and_every_row_a_url() -> None:
    walked = [name for name, _pattern in _walk()]
    twice = sorted(name for name, count in Counter(walked).items() if count > 1)
    assert not twice, f"URL names used twice (each needs a row of its own): {twice}"
    names = set(walked)
    missing = sorted(names - set(TABLE))
    gone = sorted(set(TABLE) - names)
    assert not missing and not gone, (
        f"URLs without a row in the permission matrix: {missing}; rows for URLs that no "
        f"longer exist: {gone}"
    )


def test_the_matrix_leaves_out_only_allauths_own_pages() -> None:
    names = set(project_patterns())
    # The project's own routes under accounts/ are in; the library's are not.
    assert {"account_signup", "account_email", "home"} <= names
    assert "account_login" not in names
    assert "mfa_activate_totp" not in names


def test_every_url_answers_every_persona_as_the_table_says(personas: Any, case: Any) -> None:
    world = build_world(personas, case)
    patterns = project_patterns()
    names = sorted(set(TABLE) & set(patterns))
    mismatches = []

    def check(
        client: Client, persona: str, name: str, method: str, expected: Cell, *, every: bool = True
    ) -> None:
        row = TABLE[name]
        data = row.data(world) if row.data and method == "POST" else {}
        urls = urls_for(name, patterns[name], world)
        for url in urls if every else urls[:1]:
            got = ask(client, method, url, data)
            if got != expected:
                mismatches.append(
                    f"{persona} {method} {url} ({name}): expected {expected}, got {got}"
                )

    for persona in PERSONAS:
        client = signed_in_client(world, persona)
        for name in names:
            check(client, persona, name, "GET", TABLE[name].get[persona])
            check(client, persona, name, "POST", TABLE[name].post[persona])

        # Again without having confirmed it's them: what they were let into must answer as
        # before, except where the row says the page asks them to confirm first.
        if persona in ("deactivated", "anonymous"):
            continue
        unconfirmed = signed_in_client(world, persona, confirmed=False)
        for name in names:
            row = TABLE[name]
            for method, expected in (("GET", row.get[persona]), ("POST", row.post[persona])):
                if expected not in REFUSALS:
                    expected = REAUTH if method in row.sudo else expected
                    # One section stands for them all: they share one view.
                    check(
                        unconfirmed,
                        f"{persona} (not confirmed)",
                        name,
                        method,
                        expected,
                        every=False,
                    )

    assert not mismatches, f"{len(mismatches)} answers differ from the table:\n" + "\n".join(
        mismatches
    )
