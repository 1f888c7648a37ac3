"""The one access function for cases: every view reaches a case through `case_for`, which also
records the read.

Unknown, erased or foreign cases raise 404 (the person may not learn they exist); a case the
person may read but not change — or whose casework is staff's, not theirs — raises 403. Who may
do what is decided in `daybook.accounts.policy`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from daybook.accounts.models import User
from daybook.accounts.policy import is_advocate, is_service_manager, is_victim
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case

SAFE_METHODS = ("GET", "HEAD")


def read_recorded(
    request: HttpRequest, case: Case, action: Action, subject: Model | None = None
) -> None:
    """Record that someone other than the person whose case it is opened part of it.

    Called by the access functions (this module's and those for the things inside a case), on
    pages that show something: a POST's own audit row records the change it makes."""
    user = request.user
    if request.method not in SAFE_METHODS or user.pk == case.owner_id:
        return
    match = request.resolver_match
    audit_record(
        action=action,
        actor=user,
        subject=subject or case,
        request=request,
        organisation_id=getattr(user, "organisation_id", None),
        extra={"case": case.pk, "page": match.url_name if match else None},
    )


def case_for(
    who: HttpRequest | User,
    case_id: int,
    *,
    write: bool = False,
    casework: bool = False,
    reading: Action | None = Action.CASE_RECORD_VIEWED,
) -> Case:
    """The case `case_id` if the person may open it — its casework too if `casework`, to change
    it if `write` — and the read recorded as `reading`.

    Pass the request whenever a page is shown, so the read is recorded; pass the user only to
    check access where nothing of the case is shown (saving a draft of the person's own typing).
    `reading=None` is for the access functions of things inside a case, which record the read
    themselves with the thing as its subject."""
    user = who.user if isinstance(who, HttpRequest) else who
    if not user.is_authenticated:
        raise Http404
    case = Case.objects.filter(pk=case_id, erased_at__isnull=True).first()
    if case is None or not user.has_perm("cases.view_case", case):
        raise Http404
    scope = "casework" if casework else "cases"
    if casework and not user.has_perm("casework.view_case", case):
        raise PermissionDenied
    if write and not user.has_perm(f"{scope}.change_case", case):
        raise PermissionDenied
    if isinstance(who, HttpRequest) and reading is not None:
        read_recorded(who, case, reading)
    return case


def casework_case_for(
    who: HttpRequest | User,
    case_id: int,
    *,
    write: bool = False,
    reading: Action | None = Action.CASE_RECORD_VIEWED,
) -> Case:
    """A case for its casework pages: staff who hold it only.

    The person whose case it is knows it exists, so they get 403 here; they see their own
    summary, safety plan and orders on their support page instead.
    """
    return case_for(who, case_id, write=write, casework=True, reading=reading)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The same rules as `case_for`, as one query for lists."""
    cases = Case.objects.filter(erased_at__isnull=True)
    if is_victim(user):
        return cases.filter(owner=user)
    if is_advocate(user):
        return cases.filter(Q(service=user.organisation_id) & Q(advocates=user)).distinct()
    if is_service_manager(user):
        return cases.filter(service=user.organisation_id)
    return cases.none()
