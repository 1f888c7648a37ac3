"""Reading the case itself: the person's details and how they may safely be contacted."""

from typing import Any

from daybook.cases.contact import CHANNELS, VOICEMAIL
from daybook.cases.models import Case
from daybook.cases.sealing import open_for
from daybook.cases.services import client_ad, safe_contact_ad


def client_details(case: Case) -> dict[str, Any]:
    return open_for(case, case.client_sealed, client_ad(case), default={})


def safe_contact(case: Case) -> dict[str, Any]:
    return open_for(case, case.safe_contact_sealed, safe_contact_ad(case), default={})


def safe_contact_shown(case: Case) -> dict[str, Any]:
    """Safe contact details as the banner shows them: channel names, not their codes."""
    details = safe_contact(case)
    if not details:
        return details
    names = dict(CHANNELS)
    return {
        **details,
        "safe_channels": [names.get(code, code) for code in details.get("safe_channels", [])],
        "never_channels": [names.get(code, code) for code in details.get("never_channels", [])],
        "voicemail_safe": dict(VOICEMAIL).get(details.get("voicemail_safe", ""), ""),
    }
