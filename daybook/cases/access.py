"""The one access function for cases: every view reaches a case through `case_for`.

Unknown, erased or foreign cases raise 404 (the person may not learn they exist); a case
the person may read but not change raises 403 when they try to write.
"""

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from daybook.accounts.models import Role, User
from daybook.cases.models import Case


@rules.predicate
def is_owner(user: User, case: Case) -> bool:
    return case.owner_id is not None and case.owner_id == user.pk


@rules.predicate
def is_assigned_advocate(user: User, case: Case) -> bool:
    return (
        user.role == Role.ADVOCATE
        and case.service_id is not None
        and case.service_id == user.organisation_id
        and case.advocates.filter(pk=user.pk).exists()
    )


@rules.predicate
def manages_holding_service(user: User, case: Case) -> bool:
    return (
        user.role == Role.SERVICE_MANAGER
        and case.service_id is not None
        and case.service_id == user.organisation_id
    )


can_read_case = is_owner | is_assigned_advocate | manages_holding_service
can_write_case = is_owner | is_assigned_advocate | manages_holding_service
rules.add_perm("cases.view_case", can_read_case)
rules.add_perm("cases.change_case", can_write_case)


def case_for(user: User, case_id: int, *, write: bool = False) -> Case:
    if not user.is_authenticated:
        raise Http404
    case = Case.objects.filter(pk=case_id, erased_at__isnull=True).first()
    if case is None:
        raise Http404
    if not can_read_case(user, case):
        raise Http404
    if write and not can_write_case(user, case):
        raise PermissionDenied
    return case


def casework_case_for(user: User, case_id: int, *, write: bool = False) -> Case:
    """A case for its casework pages: staff who hold it only.

    The person whose case it is knows it exists, so they get 403 here; they see their own
    summary, safety plan and orders on their support page instead.
    """
    case = case_for(user, case_id, write=write)
    if user.role == Role.VICTIM:
        raise PermissionDenied
    return case


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The same rules as `case_for`, as one query for lists."""
    cases = Case.objects.filter(erased_at__isnull=True)
    if user.role == Role.VICTIM:
        return cases.filter(owner=user)
    if user.role == Role.ADVOCATE:
        return cases.filter(Q(service=user.organisation_id) & Q(advocates=user)).distinct()
    if user.role == Role.SERVICE_MANAGER:
        return cases.filter(service=user.organisation_id)
    return cases.none()
