"""A witness statement draft (MG11 layout, Criminal Justice Act 1967 s.9) assembled from the
log, in the person's own words and in time order, for an officer to take and the person to
check. Police profile only; always marked as a draft."""

import datetime as dt
from dataclasses import dataclass, field

from daybook.accounts.models import User
from daybook.cases.models import Case
from daybook.cases.selectors import client_details
from daybook.incidents.checkpoints import Signed
from daybook.incidents.models import Entry
from daybook.reports import chronology


@dataclass
class Paragraph:
    text: str  # first person, e.g. "On Saturday 3 May 2025 at about 21:30 …"
    exhibits: list[str] = field(default_factory=list)  # exhibit references it produces


@dataclass
class Statement:
    name: str  # the witness (the person whose log it is)
    age: str  # "Over 18" unless known
    occupation: str
    paragraphs: list[Paragraph]
    exhibits: list[tuple[str, str]]  # (reference, description) of each exhibit produced
    produced_by: str
    produced_at: dt.datetime
    checkpoint: Signed | None = None


def _age(born: str, on: dt.date) -> str:
    """The MG11 asks for the age only of a witness under 18."""
    try:
        birth = dt.date.fromisoformat(born)
    except ValueError:
        return "Over 18"
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return str(years) if 0 <= years < 18 else "Over 18"


def _opening(row: chronology.Row) -> str:
    """When and where, in the first person's frame: the date, the time as recorded, the
    place the person gave."""
    content = row.content
    day = dt.date.fromisoformat(content["occurred_on"])
    when = f"On {day:%A} {day.day} {day:%B %Y}"
    if content.get("occurred_time"):
        about = "about " if content.get("precision") == Entry.Precision.APPROXIMATE else ""
        if content.get("ended_time"):
            when += f" between {about}{content['occurred_time']} and {content['ended_time']}"
        else:
            when += f" at {about}{content['occurred_time']}"
    if content.get("place"):
        when += f", at {content['place']}"
    return when + "."


def _sentence(text: str) -> str:
    """The person's words as written, ended with a full stop if they end without one, so
    the next sentence does not run on from them."""
    text = text.strip()
    return text if not text or text[-1] in ".!?…\"'”’)" else f"{text}."


SEEN = {
    Entry.Seen.IDENTIFIED: "I saw them and know who it was.",
    Entry.Seen.SEEN: "I saw someone but am not sure who it was.",
    Entry.Seen.NOT_SEEN: "I did not see them.",
}


def _paragraph(row: chronology.Row, exhibits: dict[str, chronology.Exhibit]) -> Paragraph:
    """One incident in the person's own words. The details they keep private are left out:
    a statement once taken is served on the defence."""
    content = row.content
    sentences = [_opening(row)]
    if row.said:
        sentences.append(f"({row.said}.)")
    if row.time_uncertain:
        sentences.append(f"({row.time_uncertain})")
    sentences.append(_sentence(str(content.get("what_happened") or "")))
    if content.get("seen") in SEEN:
        sentences.append(SEEN[content["seen"]])
    if content.get("description"):
        sentences.append(_sentence(f"What they looked like: {content['description']}"))
    if content.get("witnesses"):
        sentences.append(_sentence(f"Others who saw or heard it: {content['witnesses']}"))
    if content.get("feelings"):
        sentences.append(_sentence(f"How it made me feel: {content['feelings']}"))
    if content.get("feared_violence"):
        sentences.append("I was afraid they would use violence against me.")
    if content.get("changed_daily_life"):
        sentences.append("It changed what I do day to day.")
    for reference in row.exhibits:
        sentences.append(f"I produce {exhibits[reference].name} as exhibit {reference}.")
    return Paragraph(
        text=" ".join(sentence for sentence in sentences if sentence),
        exhibits=list(row.exhibits),
    )


def build(
    case: Case,
    produced_by: User,
    *,
    entry_ids: set[int] | None = None,
    witness_name: str = "",
    built: chronology.Chronology | None = None,
) -> Statement:
    """The draft, from the police chronology of the log (so its exhibit references are the
    chronology's): one paragraph per incident in time order, never a message kept as
    context, never a withdrawn entry. `built` is that chronology, if the caller has it.
    `witness_name` is the name the person asked to be printed (an account's name may be a
    first name only); without it, the casework's name for them, then the account's."""
    if built is None:
        built = chronology.build(
            case,
            profile=chronology.POLICE,
            produced_by=produced_by,
            entry_ids=entry_ids,
            charts_wanted=False,
        )
    elif built.profile != chronology.POLICE:
        raise ValueError("A witness statement draft is built from the police profile only.")
    exhibits = {exhibit.reference: exhibit for exhibit in built.exhibits}
    incidents = [
        row
        for row in built.rows
        if row.number is not None and row.entry.status == Entry.Status.LOGGED
    ]
    paragraphs = [_paragraph(row, exhibits) for row in incidents]
    produced = [
        (reference, f"{exhibits[reference].name}, kept with the entry of {row.when}")
        for row in incidents
        for reference in row.exhibits
    ]
    client = client_details(case)
    # The witness's own name, never a pseudonym: the statement is theirs, signed by them.
    name = (
        witness_name.strip()
        or client.get("name")
        or (case.owner.name if case.owner else "")
        or "Not given"
    )
    return Statement(
        name=name,
        age=_age(str(client.get("date_of_birth") or ""), built.produced_at.date()),
        occupation=str(client.get("occupation") or ""),
        paragraphs=paragraphs,
        exhibits=produced,
        produced_by=built.produced_by,
        produced_at=built.produced_at,
        checkpoint=built.checkpoint,
    )
