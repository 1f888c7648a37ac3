"""The one access function for teams."""

from django.http import Http404

from daybook.accounts.models import Organisation, User
from daybook.accounts.policy import organisations_for_team_management


def organisation_for_team(actor: User, organisation_id: int) -> Organisation:
    """The organisation whose team `actor` manages, or 404."""
    organisation = organisations_for_team_management(actor).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404
    return organisation
