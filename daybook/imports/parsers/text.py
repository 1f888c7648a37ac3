"""Decoding exported text exactly, and splitting it into lines the way the exports mean it."""

from daybook.imports.parsers.base import ParseError


def decode_utf8(data: bytes) -> str:
    """UTF-8 (a BOM is accepted and dropped); anything else is refused, never guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ParseError(
            "The file is not plain UTF-8 text, so it may have been changed or converted after "
            "it was exported. Export it again and upload the original file.",
            line=line,
        ) from None
