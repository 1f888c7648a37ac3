"""Who may do what with accounts and organisations, as `rules` predicates."""

import rules
from django.db.models import QuerySet

from daybook.accounts.models import ROLE_ORGANISATION_KIND, Organisation, Role, User


@rules.predicate
def is_staff_member(user: User) -> bool:
    return user.is_authenticated and user.is_staff_member


@rules.predicate
def is_administrator(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMINISTRATOR


@rules.predicate
def manages_organisation(user: User, organisation: Organisation) -> bool:
    return (
        user.is_authenticated
        and user.role == Role.SERVICE_MANAGER
        and user.organisation_id == organisation.pk
    )


rules.add_perm("accounts.manage_team", is_administrator | manages_organisation)


def grantable_roles(actor: User, organisation: Organisation) -> list[Role]:
    """Roles `actor` may give people in `organisation`: managers staff their own service;
    administrators staff any organisation with the roles its kind allows."""
    kind_roles = [
        role for role, kind in ROLE_ORGANISATION_KIND.items() if kind == organisation.kind
    ]
    if actor.role == Role.ADMINISTRATOR:
        return kind_roles
    if manages_organisation(actor, organisation):
        return [role for role in kind_roles if role in (Role.ADVOCATE, Role.SERVICE_MANAGER)]
    return []


def organisations_for_team_management(actor: User) -> QuerySet[Organisation]:
    if actor.role == Role.ADMINISTRATOR:
        return Organisation.objects.all()
    if actor.role == Role.SERVICE_MANAGER and actor.organisation_id is not None:
        return Organisation.objects.filter(pk=actor.organisation_id)
    return Organisation.objects.none()


def organisation_for_team(actor: User, organisation_id: int) -> Organisation:
    """The organisation whose team `actor` manages, or 404 — the one access function for teams."""
    from django.http import Http404

    organisation = organisations_for_team_management(actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation
