"""Names and phrases replaced in everything disclosed to the defence.

A case keeps a list of words to replace — the person's name, their children's names, an
address, a workplace — each with what to print instead. Every disclosable output (the
disclosable chronology and bundle, the SPO pack, the VPS) has every text it prints passed
through the list: the replacement is made wherever the words stand on their own, whatever
their case. The person's name joins the list when a pseudonym is given (for the case, or for
one report): then the pseudonym stands for it everywhere, not only on the cover. In a
disclosable bundle a logged field that mentions any of the
words is not opened: its commitment stays, and the chronology shows the replaced text.
"""

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from daybook.accounts.models import User
from daybook.audit.models import Action
from daybook.audit.services import audit_record
from daybook.cases.models import Case
from daybook.cases.sealing import open_for, seal_for
from daybook.cases.selectors import client_details

# What other words are replaced by when the list gives nothing else.
REDACTED = "[redacted]"
# Neither a list's words nor their replacements may be longer: they are names and short phrases.
MAX_LENGTH = 200
MAX_TERMS = 100


@dataclass(frozen=True)
class Term:
    find: str
    replace: str


def person_terms(name: str, pseudonym: str) -> list[Term]:
    """The person's name, whole and by its first part, replaced by the pseudonym (whole, and
    by its first part): a log speaks of "Sam" as often as of "Sam Taylor". Nothing without a
    pseudonym."""
    name, pseudonym = " ".join(name.split()), " ".join(pseudonym.split())
    if not name or not pseudonym:
        return []
    terms = [Term(name, pseudonym)]
    first = name.split()[0]
    if first != name and len(first) >= 2:
        terms.append(Term(first, pseudonym.split()[0]))
    return terms


def clean_terms(terms: Iterable[Term]) -> list[Term]:
    """The list as kept: words trimmed, empty ones dropped, each word once (the first wins)."""
    kept: dict[str, Term] = {}
    for term in terms:
        find = " ".join(term.find.split())
        if find and find.casefold() not in kept:
            kept[find.casefold()] = Term(find, " ".join(term.replace.split()) or REDACTED)
    return list(kept.values())


class Redactor:
    """Replaces a list's words in any text; longer words first, so "Sam Taylor" is replaced
    whole before "Sam" is."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = clean_terms(terms)
        self._instead = {term.find.casefold(): term.replace for term in self.terms}
        words = sorted(self.terms, key=lambda term: len(term.find), reverse=True)
        self._pattern = (
            re.compile("|".join(_bounded(term.find) for term in words), re.IGNORECASE)
            if words
            else None
        )

    def __bool__(self) -> bool:
        return self._pattern is not None

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(self._replacement, value)

    def _replacement(self, found: re.Match[str]) -> str:
        return self._instead[" ".join(found.group(0).split()).casefold()]

    def mentions(self, value: Any) -> bool:
        """Whether any text in `value` (a string, or the strings inside lists and dicts)
        holds one of the words."""
        if self._pattern is None:
            return False
        return any(self._pattern.search(text) for text in _texts(value))

    def spans(self, value: str) -> list[tuple[str, str | None]]:
        """`value` in pieces for a preview: (text, None) kept as it is, (original, replacement)
        where a word is replaced."""
        if self._pattern is None:
            return [(value, None)] if value else []
        pieces: list[tuple[str, str | None]] = []
        at = 0
        for found in self._pattern.finditer(value):
            if found.start() > at:
                pieces.append((value[at : found.start()], None))
            pieces.append((found.group(0), self._replacement(found)))
            at = found.end()
        if at < len(value):
            pieces.append((value[at:], None))
        return pieces

    def apply(self, value: Any) -> Any:
        """`value` with the words replaced in every text it holds: strings, and the strings
        in lists, tuples, dicts (values, not keys) and dataclasses, which are changed in
        place. Anything else (a model row, a date, a chart) is left as it is: what an output
        prints as words comes from the texts."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.apply(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.apply(item) for item in value)
        if isinstance(value, dict):
            return {name: self.apply(item) for name, item in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for field in dataclasses.fields(value):
                if field.name in _KEPT:
                    continue
                current = getattr(value, field.name)
                changed = self.apply(current)
                if changed is not current:
                    changes[field.name] = changed
            if dataclasses.fields(value) and type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
                return dataclasses.replace(value, **changes) if changes else value
            for name, changed in changes.items():
                setattr(value, name, changed)
            return value
        return value


# Parts of an output the list never touches: the signed checkpoint (a statement of the log's
# length and head, signed as it is), the profile's own name, and the charts (SVG drawn from
# counts and dates, which a replacement would only break).
_KEPT = frozenset({"checkpoint", "profile", "weekly_chart", "rhythm_chart", "redactor"})


def _bounded(word: str) -> str:
    """`word` as a pattern that matches it only where it stands on its own: "Sam" in "Sam's"
    but not in "Samantha"."""
    start = r"(?<!\w)" if word[:1].isalnum() or word[:1] == "_" else ""
    end = r"(?!\w)" if word[-1:].isalnum() or word[-1:] == "_" else ""
    # Spaces in a phrase match any run of white space, as a line break inside it would.
    return start + r"\s+".join(re.escape(part) for part in word.split()) + end


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


# --- A case's list ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseList:
    """What a case replaces: the person's name (always) and the words the list adds."""

    name: str  # the person's name as the service holds it ("" if none)
    name_instead: str  # the pseudonym agreed for the case ("" to print the name as it is)
    terms: list[Term]

    def redactor(self, pseudonym: str = "") -> Redactor:
        return Redactor([*person_terms(self.name, pseudonym or self.name_instead), *self.terms])


def person_name(case: Case) -> str:
    return str(client_details(case).get("name") or (case.owner.name if case.owner else ""))


def case_list(case: Case) -> CaseList:
    stored = open_for(case, case.redactions_sealed, case.redactions_ad(), {})
    stored = stored if isinstance(stored, dict) else {}
    terms = [
        Term(str(item.get("find", "")), str(item.get("replace", "")))
        for item in stored.get("terms", [])
        if isinstance(item, dict)
    ]
    return CaseList(person_name(case), str(stored.get("name_instead", "")), clean_terms(terms))


def _checked(text: str, what: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > MAX_LENGTH:
        raise ValidationError({what: f"Keep it under {MAX_LENGTH} characters"})
    return text


@transaction.atomic
def case_list_save(
    *,
    case: Case,
    actor: User,
    terms: list[Term],
    name_instead: str,
    request: HttpRequest | None = None,
) -> CaseList:
    """Keep a case's list, sealed with its key; audited with counts only (the words are the
    very names the list keeps out of documents)."""
    kept = clean_terms(
        Term(_checked(term.find, "find"), _checked(term.replace, "replace")) for term in terms
    )
    if len(kept) > MAX_TERMS:
        raise ValidationError({"find": f"A list holds at most {MAX_TERMS} names and phrases"})
    name_instead = _checked(name_instead, "name_instead")
    case.redactions_sealed = seal_for(
        case,
        {
            "name_instead": name_instead,
            "terms": [{"find": term.find, "replace": term.replace} for term in kept],
        },
        case.redactions_ad(),
    )
    case.save(update_fields=["redactions_sealed"])
    audit_record(
        action=Action.REDACTIONS_CHANGED,
        actor=actor,
        subject=case,
        request=request,
        organisation_id=actor.organisation_id,
        extra={"terms": len(kept)},
    )
    return CaseList(person_name(case), name_instead, kept)
