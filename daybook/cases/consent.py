"""Consent per purpose, and the one check every action that needs it goes through."""

from django.db.models import Q

from daybook.cases.models import Case, Consent, LawfulBasis


class ConsentRequired(Exception):
    """The action needs the person's consent, or a recorded lawful basis, and has neither."""

    def __init__(self, purpose: str) -> None:
        super().__init__(purpose)
        self.purpose = purpose
        self.message = (
            f"This needs the person's consent ({Consent.Purpose(purpose).label.lower()}), or a "
            "lawful basis recorded on the case's consent page."
        )


def has_consent(case: Case, purpose: str, *, organisation_name: str = "") -> bool:
    consents = Consent.objects.filter(case=case, purpose=purpose, withdrawn_at__isnull=True)
    bases = LawfulBasis.objects.filter(case=case, purpose=purpose)
    if organisation_name:
        named = Q(detail__iexact=organisation_name.strip()) | Q(
            organisation__name__iexact=organisation_name.strip()
        )
        consents = consents.filter(named)
        bases = bases.filter(named)
    return consents.exists() or bases.exists()


def require_consent(case: Case, purpose: str, *, organisation_name: str = "") -> None:
    if not has_consent(case, purpose, organisation_name=organisation_name):
        raise ConsentRequired(purpose)
