"""Consent per purpose, and the one check every action that needs it goes through.

The check is made at the moment of acting, so a withdrawn consent stops new actions at once.
What was already done on the strength of it is undone where it is withdrawn: see
`daybook.sharing.services.consent_withdraw` (police shares revoked in the same transaction) and
`daybook.insights.statistics.consenting` (each run counts only consent that stands)."""

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


def _names(record: Consent | LawfulBasis, wanted: str) -> bool:
    """Whether the record names the organisation: its own (sealed) words, or the one linked."""
    if record.detail.strip().casefold() == wanted:
        return True
    return record.organisation is not None and record.organisation.name.casefold() == wanted


def has_consent(case: Case, purpose: str, *, organisation_name: str = "") -> bool:
    consents = Consent.objects.filter(case=case, purpose=purpose, withdrawn_at__isnull=True)
    bases = LawfulBasis.objects.filter(case=case, purpose=purpose)
    if not organisation_name.strip():
        return consents.exists() or bases.exists()
    # The organisation a record names is sealed, so it is compared once opened: a case has a
    # handful of consents, never enough for this to matter.
    wanted = organisation_name.strip().casefold()
    records: list[Consent | LawfulBasis] = [
        *consents.select_related("case", "organisation"),
        *bases.select_related("case", "organisation"),
    ]
    return any(_names(record, wanted) for record in records)


def require_consent(case: Case, purpose: str, *, organisation_name: str = "") -> None:
    if not has_consent(case, purpose, organisation_name=organisation_name):
        raise ConsentRequired(purpose)
