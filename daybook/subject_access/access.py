"""The one access function for copies of people's data.

A copy asked for from an account is its person's alone; a copy produced for a request made
by letter is its service managers'. Anyone else, and any copy of another case, gets 404.
"""

from django.http import Http404, HttpRequest

from daybook.accounts.policy import is_service_manager
from daybook.cases.models import Case
from daybook.subject_access.models import SubjectAccessRequest


def own_copy_for(request: HttpRequest, copy_id: int) -> SubjectAccessRequest:
    copy = SubjectAccessRequest.objects.filter(
        pk=copy_id, via=SubjectAccessRequest.Via.ACCOUNT, person_id=request.user.pk
    ).first()
    if copy is None:
        raise Http404
    return copy


def letter_copy_for(request: HttpRequest, case: Case, copy_id: int) -> SubjectAccessRequest:
    """`case` comes from `cases.access.casework_case_for`, which recorded the read."""
    if not is_service_manager(request.user):
        raise Http404
    copy = SubjectAccessRequest.objects.filter(
        pk=copy_id, via=SubjectAccessRequest.Via.LETTER, case=case
    ).first()
    if copy is None:
        raise Http404
    return copy
