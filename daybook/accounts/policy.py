"""Who may do what: every rule that depends on a person's role, in one place.

This is the only module that compares roles (a test searches the code for any other). Views,
menus and templates ask for a permission — `user.has_perm("casework.allocate", case)` in
Python, `{% has_perm "casework.allocate" user case as can_allocate %}` or `perms.…` in a
template — and access functions build their queries from the predicates below. Adding what a
role may do is one line here plus its row in the permission matrix test.

Case predicates read only a case's `owner_id`, `service_id` and `advocates`, so this module
sits below the cases app and every app can use it.
"""

from typing import Any

import rules
from django.db.models import QuerySet

from daybook.accounts.models import ROLE_ORGANISATION_KIND, Organisation, Role, User

# --- Who someone is -------------------------------------------------------------------------


def _role(role: Role) -> Any:
    @rules.predicate(name=f"is_{role.value}")
    def has_role(user: User) -> bool:
        return bool(user.is_authenticated and user.role == role)

    return has_role


is_victim = _role(Role.VICTIM)
is_advocate = _role(Role.ADVOCATE)
is_service_manager = _role(Role.SERVICE_MANAGER)
is_police = _role(Role.POLICE_LIAISON)
is_partner = _role(Role.PARTNER_REFERRER)
is_commissioner = _role(Role.COMMISSIONER_VIEWER)
is_administrator = _role(Role.ADMINISTRATOR)

# The support service's own staff: they hold cases and see the names in them.
is_service_staff = is_advocate | is_service_manager
# Professionals outside the service: they refer people in and ask for advice.
is_professional_referrer = is_police | is_partner


@rules.predicate
def is_staff_member(user: User) -> bool:
    return bool(user.is_authenticated and user.is_staff_member)


# --- Who holds a case -----------------------------------------------------------------------


@rules.predicate
def is_owner(user: User, case: Any) -> bool:
    return case.owner_id is not None and case.owner_id == user.pk


@rules.predicate
def is_assigned_advocate(user: User, case: Any) -> bool:
    return bool(
        is_advocate(user)
        and case.service_id is not None
        and case.service_id == user.organisation_id
        and case.advocates.filter(pk=user.pk).exists()
    )


@rules.predicate
def manages_holding_service(user: User, case: Any) -> bool:
    return bool(
        is_service_manager(user)
        and case.service_id is not None
        and case.service_id == user.organisation_id
    )


@rules.predicate
def manages_organisation(user: User, organisation: Organisation | None) -> bool:
    """A manager manages their own service's team (asked of no organisation: some team)."""
    if organisation is None:
        return bool(is_service_manager(user) and user.organisation_id is not None)
    return bool(is_service_manager(user) and user.organisation_id == organisation.pk)


@rules.predicate
def made_referral(user: User, referral: Any) -> bool:
    return referral is not None and referral.referrer_id == user.pk


@rules.predicate
def manages_referred_service(user: User, referral: Any) -> bool:
    return bool(
        is_service_manager(user)
        and referral is not None
        and referral.service_id == user.organisation_id
    )


holds_case = is_assigned_advocate | manages_holding_service

# --- The permissions ------------------------------------------------------------------------

# A log is read by the person it belongs to and the staff who hold it. It is added to — an
# entry, a file, an import, a share with the police — only by the person and the advocates
# working with them: an entry is someone's account, taken down by them or by the advocate they
# told it to. The holding service's manager reads it (oversight) but does not write in it.
rules.add_perm("cases.view_case", is_owner | holds_case)
rules.add_perm("cases.change_case", is_owner | is_assigned_advocate)
# Casework (notes, tasks, risk, orders…) is the staff's record: the person knows their case
# exists and sees its summary on their support page, but cannot read or change the record.
rules.add_perm("casework.view_case", holds_case)
rules.add_perm("casework.change_case", holds_case)
rules.add_perm("casework.allocate", manages_holding_service)
rules.add_perm("casework.open_case", is_service_staff)
rules.add_perm("casework.see_client_names", is_service_staff)
rules.add_perm("casework.view_referrals", is_victim | is_service_staff | is_professional_referrer)
rules.add_perm("casework.make_referral", is_victim | is_professional_referrer)
rules.add_perm("casework.refer_professionally", is_professional_referrer)
rules.add_perm("casework.decide_referral", manages_referred_service)
rules.add_perm("casework.withdraw_referral", made_referral | manages_referred_service)
rules.add_perm("casework.view_consultations", is_service_staff | is_professional_referrer)
rules.add_perm("casework.record_consultation", is_service_staff)
rules.add_perm("casework.request_consultation", is_professional_referrer)
rules.add_perm("incidents.keep_own_log", is_victim)
# The list of logs: a victim's own, or the cases a service's staff hold.
rules.add_perm("incidents.list_logs", is_victim | is_service_staff)
rules.add_perm("insights.view_statistics", is_service_manager | is_commissioner)
rules.add_perm("insights.compare_services", is_commissioner)
rules.add_perm("insights.see_escalations", holds_case)
rules.add_perm("police.view_shared_logs", is_police)
rules.add_perm("accounts.create_organisation", is_administrator)
rules.add_perm("accounts.manage_team", is_administrator | manages_organisation)
rules.add_perm("drafts.keep_drafts", ~is_commissioner & ~is_administrator)


# --- Who can be chosen ----------------------------------------------------------------------


def advocates_of(service_id: int | None, *, active_only: bool = True) -> QuerySet[User]:
    """The service's advocates: those a case can be allocated to, or (`active_only=False`)
    everyone who may still hold cases there, for the manager's caseload table."""
    advocates = User.objects.filter(organisation=service_id, role=Role.ADVOCATE)
    return advocates.filter(is_active=True) if active_only else advocates


def service_staff_of(service_id: int | None) -> QuerySet[User]:
    """The people a task can be given to: the service's advocates and managers."""
    return User.objects.filter(
        organisation=service_id, role__in=[Role.ADVOCATE, Role.SERVICE_MANAGER]
    )


def police_officers() -> QuerySet[User]:
    return User.objects.filter(role=Role.POLICE_LIAISON)


def grantable_roles(actor: User, organisation: Organisation) -> list[Role]:
    """Roles `actor` may give people in `organisation`: managers staff their own service;
    administrators staff any organisation with the roles its kind allows."""
    kind_roles = [
        role for role, kind in ROLE_ORGANISATION_KIND.items() if kind == organisation.kind
    ]
    if is_administrator(actor):
        return kind_roles
    if manages_organisation(actor, organisation):
        return [role for role in kind_roles if role in (Role.ADVOCATE, Role.SERVICE_MANAGER)]
    return []


def may_change_role(actor: User, member: User, organisation: Organisation) -> bool:
    """Someone else whose present role `actor` could have given them."""
    return member.pk != actor.pk and member.role in grantable_roles(actor, organisation)


def organisations_for_team_management(actor: User) -> QuerySet[Organisation]:
    if is_administrator(actor):
        return Organisation.objects.all()
    if is_service_manager(actor) and actor.organisation_id is not None:
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()
