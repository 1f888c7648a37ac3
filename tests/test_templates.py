"""Templates stay readable: no line over 100 characters, and no Django tag split over lines.

Django's lexer only finds a `{% … %}`, `{{ … }}` or `{# … #}` that opens and closes on one
line; one split over two lines is not an error but is sent to the browser as literal text.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LIMIT = 100

# Lines that cannot be wrapped, keyed by (template, the line's text) with the reason. Empty:
# a tag too long for a line is shortened with `{% with %}` or `{% url … as name %}` instead.
LONG_LINES_ALLOWED: dict[tuple[str, str], str] = {}

TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def _all_templates() -> list[Path]:
    """Pages and the plain-text e-mails and messages, which split tags would break too."""
    return sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")])


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_no_template_line_is_over_100_characters(path: Path) -> None:
    long_lines = [
        f"{_name(path)}:{number}: {len(line)} characters"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > LIMIT and (_name(path), line.strip()) not in LONG_LINES_ALLOWED
    ]
    assert not long_lines, "\n".join(long_lines)


@pytest.mark.parametrize("path", _all_templates(), ids=_name)
def test_no_django_tag_is_split_over_lines(path: Path) -> None:
    split = [
        f"{_name(path)}:{number}: {line.strip()[:60]}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\{[%{#]|[%}#]\}", TAG.sub("", line))
    ]
    assert not split, "\n".join(split)


def test_allowed_long_lines_are_still_there() -> None:
    """An entry in the allow-list that no longer matches a line is removed from it."""
    lines = {
        (_name(path), line.strip())
        for path in _templates()
        for line in path.read_text().splitlines()
    }
    assert set(LONG_LINES_ALLOWED) <= lines


# Context names a kept component may be given: each comes from the code alone (settings, the
# role's menu and URL patterns), never from a person or the database.
FROM_CODE_NAMES = {
    "name": "service_name, the service's name from settings (base.html's {% with %})",
    "home": "home_url, the URL of the home page",
    "nav": "navigation, the role's menu: labels and URLs from the code",
    "exit_path": "the URL of the neutral page Exit this page leads to",
}
KEPT_TAG = re.compile(r"\{% govuk \"[a-z-]+\" (?P<params>[^%]*)from_code=True")
PARAM = re.compile(r"(\w+)=(\"[^\"]*\"|\S+)")


def test_a_kept_component_is_given_only_what_comes_from_the_code() -> None:
    """A component drawn with from_code=True is kept between requests by its params
    (daybook/ui/components.py): each param must be a literal or a name known to come from the
    code, so nothing a person wrote or the database held is ever kept."""
    uses = []
    for path in _templates():
        for match in KEPT_TAG.finditer(path.read_text()):
            for key, value in PARAM.findall(match.group("params")):
                uses.append((_name(path), key, value))
                literal = value.startswith('"') or value in ("True", "False")
                assert literal or value in FROM_CODE_NAMES, f"{_name(path)}: {key}={value}"
    # Not vacuous: the layout's skip link, menu and exit button are kept.
    assert {key for _, key, _ in uses} >= {"href", "navigation", "redirectUrl"}
