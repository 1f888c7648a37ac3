"""A witness statement draft (MG11 layout, Criminal Justice Act 1967 s.9) assembled from the
log, in the person's own words and in time order, for an officer to take and the person to
check. Police profile only; always marked as a draft."""

import datetime as dt
from dataclasses import dataclass, field

from daybook.incidents.checkpoints import Signed


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
