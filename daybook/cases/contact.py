"""How a person may safely be contacted: the channels a service can use and their names."""

CHANNELS = [
    ("phone", "Phone call"),
    ("text", "Text message"),
    ("email", "E-mail"),
    ("letter", "Letter"),
    ("in_person", "In person"),
    ("video", "Video call"),
]

VOICEMAIL = [("no", "No"), ("yes", "Yes"), ("unknown", "Not known")]


def channel_labels(codes: list[str]) -> str:
    labels = dict(CHANNELS)
    return ", ".join(labels.get(code, code) for code in codes)
