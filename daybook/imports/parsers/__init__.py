"""Parsers that turn exported chats, texts, calls and e-mails into records.

Pure Python with no Django import: each parser takes the uploaded bytes and returns a
ParseResult, or raises ParseError with a kind message saying what was wrong and where.
"""

from daybook.imports.parsers.base import Attachment, Limits, ParseError, ParseResult, Record

__all__ = ["Attachment", "Limits", "ParseError", "ParseResult", "Record"]
