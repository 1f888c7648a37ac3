"""Perpetrators' identifiers, normalised per type and turned into keyed tokens.

The same phone number written "07700 900123" or "+44 7700 900123", or a registration written
"ab12 cde" or "AB12CDE", becomes the same token; the token cannot be turned back into the
identifier without the identifier key.
"""

import hashlib
import hmac
import re

import phonenumbers

from daybook import crypto

KINDS = {
    "phones": "phone number",
    "emails": "e-mail address",
    "handles": "social media handle",
    "vehicles": "vehicle registration",
    "name_dob": "name and date of birth",
}


def normalise(kind: str, value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if kind == "phones":
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(number):
            return None
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == "emails":
        return value.lower() if "@" in value else None
    if kind == "handles":
        platform, _, handle = value.rpartition(":")
        handle = handle.strip().lstrip("@").lower()
        return f"{platform.strip().lower()}:{handle}" if handle else None
    if kind == "vehicles":
        plate = re.sub(r"[\s-]", "", value).upper()
        return plate or None
    if kind == "name_dob":
        return " ".join(value.lower().split())
    raise ValueError(kind)


def token(kind: str, normalised: str) -> str:
    message = f"{kind}:{normalised}".encode()
    return hmac.new(crypto.identifier_key(), message, hashlib.sha256).hexdigest()


def tokens_for(identifiers: dict) -> set[tuple[str, str]]:
    """(kind, token) for every identifier a perpetrator record holds."""
    found = set()
    for kind in ("phones", "emails", "handles", "vehicles"):
        for value in identifiers.get(kind, []):
            normalised = normalise(kind, value)
            if normalised:
                found.add((kind, token(kind, normalised)))
    dob = identifiers.get("date_of_birth")
    if dob:
        for name in [*identifiers.get("names", []), *identifiers.get("aliases", [])]:
            normalised = normalise("name_dob", f"{name}|{dob}")
            if normalised:
                found.add(("name_dob", token("name_dob", normalised)))
    return found
