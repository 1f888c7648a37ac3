"""Who may do what is decided in one module, `daybook/accounts/policy.py`.

Outside it, no code or template compares a role: views, menus and templates ask for a
permission, and queries use the policy's predicates. The permission matrix
(`test_permission_matrix.py`) then holds the policy to the product's table.
"""

import re
from pathlib import Path

import pytest

from daybook.accounts.models import Role
from daybook.accounts.policy import holds_case
from tests.conftest import Personas

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "daybook/accounts/policy.py"
# Where roles are defined or people are given one, rather than compared.
DEFINING = {
    ROOT / "daybook/accounts/models.py",  # the roles themselves, and which organisation has which
    ROOT / "daybook/accounts/forms.py",  # the roles a manager may choose from, as given by policy
    ROOT / "daybook/accounts/services.py",  # giving someone the role they were invited to
    ROOT / "daybook/casework/management/commands/seed_demo.py",  # one demo person per role
}

ROLE_USE = [
    re.compile(r"\bRole\.[A-Z_]+"),  # Role.ADVOCATE
    re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)"),  # user.role == …
    re.compile(r"\brole__\w+\s*="),  # filter(role__in=…)
    re.compile("|".join(f"[\"']{role.value}[\"']" for role in Role if "_" in role.value)),
]


def _role_uses(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if any(pattern.search(line) for pattern in ROLE_USE):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_role_is_compared_outside_the_policy() -> None:
    code = [
        path
        for path in (ROOT / "daybook").rglob("*.py")
        if "migrations" not in path.parts and path != POLICY and path not in DEFINING
    ]
    assert _role_uses(code) == []


def test_no_template_compares_a_role() -> None:
    templates = list((ROOT / "templates").rglob("*.html"))
    assert templates
    assert [use for use in _role_uses(templates) if ".role" in use or "Role." in use] == []


def test_the_search_would_find_a_role_compared() -> None:
    """The search is not vacuous: the policy itself is full of what it looks for."""
    assert len(_role_uses([POLICY])) > 5


@pytest.mark.django_db
def test_write_differs_from_read_where_the_product_says(personas: Personas, case) -> None:
    """The person reads their own log and adds to it, but casework is the staff's; the
    manager reads the log they oversee but only the person and their advocate write in it; an
    advocate reads the case they hold but allocation is the manager's."""
    victim, advocate, manager = personas.victim, personas.advocate, personas.manager
    assert victim.has_perm("cases.view_case", case) and victim.has_perm("cases.change_case", case)
    assert not victim.has_perm("casework.view_case", case)
    assert advocate.has_perm("casework.change_case", case)
    assert not advocate.has_perm("casework.allocate", case)
    assert manager.has_perm("casework.allocate", case)
    assert manager.has_perm("cases.view_case", case)
    assert not manager.has_perm("cases.change_case", case)
    assert advocate.has_perm("cases.change_case", case)
    assert holds_case(manager, case) and not holds_case(personas.outsider, case)


@pytest.mark.django_db
def test_django_permission_rows_grant_nothing(personas: Personas, case) -> None:
    """The policies are the only way to a permission: a row in Django's user or group
    permission tables (put there by a mistaken script, say) gives the outsider nothing."""
    from django.contrib.auth.models import Group, Permission

    outsider = personas.outsider
    assert not outsider.has_perm("cases.view_case", case)
    permission = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    outsider.user_permissions.add(permission)
    group = Group.objects.create(name="Everyone")
    group.permissions.add(permission)
    outsider.groups.add(group)
    # A row named as a policy's own permission, for a check made without an object: the
    # commissioner's statistics.
    from django.contrib.contenttypes.models import ContentType

    from daybook.insights.models import EscalationAlert

    assert not outsider.has_perm("insights.view_statistics")
    statistics = Permission.objects.create(
        codename="view_statistics",
        name="View statistics",
        content_type=ContentType.objects.get_for_model(EscalationAlert),
    )
    outsider.user_permissions.add(statistics)
    outsider = type(outsider).objects.get(pk=outsider.pk)  # no cached permissions
    assert not outsider.has_perm("cases.view_case", case)
    assert not outsider.has_perm("insights.view_statistics")
    assert outsider.get_all_permissions() == set()


@pytest.mark.django_db
def test_a_page_does_not_look_up_django_permissions(personas: Personas, case) -> None:
    """Checking permissions costs no query of Django's permission tables: the menu of every
    page asks several, and those lookups were two queries a page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(personas.advocate)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("cases:record", args=[case.pk])).status_code == 200
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "auth_permission" not in tables and "auth_group" not in tables
    assert "accounts_user_user_permissions" not in tables


@pytest.mark.django_db
def test_a_session_begun_before_the_sign_in_backend_changed_stays_signed_in(personas) -> None:
    """Sessions naming allauth's backend, as every sign-in did before Daybook's own backend,
    are pointed at it by a migration: nobody is signed out by the upgrade."""
    import importlib

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client
    from django.urls import reverse

    migration = importlib.import_module(
        "daybook.accounts.migrations.0003_sessions_signed_in_through_daybook_backend"
    )
    client = Client()
    client.force_login(personas.victim)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = SessionStore(session_key=key)
    session[BACKEND_SESSION_KEY] = migration.OLD
    session.save()
    home = reverse("home")
    assert client.get(home).status_code == 302  # signed out: the old backend is not listed

    migration.forwards(apps, None)
    assert client.get(home).status_code == 200
    assert SessionStore(session_key=key)[BACKEND_SESSION_KEY] == migration.NEW
