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


def lines_of(text: str, *, max_line_chars: int) -> list[str]:
    """Split on line feeds only. str.splitlines() would also split on characters such as
    U+2028 that can appear inside a message."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) > max_line_chars:
            raise ParseError(
                "A line in the file is far longer than any message could be.", line=number
            )
    return lines
