from typing import Any

from django import template
from django.utils.html import format_html

from daybook.incidents import content as entry_content
from daybook.incidents.behaviours import BEHAVIOURS
from daybook.incidents.evidence import taken_display
from daybook.incidents.forms import EntryForm

register = template.Library()


@register.filter
def behaviour_labels(codes: list[str]) -> list[str]:
    return [BEHAVIOURS[code].label for code in codes if code in BEHAVIOURS]


@register.filter
def said_by(content: dict[str, Any]) -> str:
    """Who an imported message or call was from and to; empty for what the person wrote."""
    return entry_content.said_by(content) if isinstance(content, dict) else ""


@register.filter
def time_uncertain(content: dict[str, Any]) -> str:
    """Why an imported time may be an hour out (a clock change), or empty."""
    return entry_content.time_uncertain(content) if isinstance(content, dict) else ""


@register.filter
def photo_taken(raw: str) -> str:
    return taken_display(str(raw))


@register.filter
def field_label(name: str) -> str:
    field = EntryForm.base_fields.get(name)
    return str(field.label).removesuffix(" (optional)") if field else name


@register.filter
def display_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(behaviour_labels(value)) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@register.simple_tag
def summary_row(key: str, value: Any) -> str:
    """One GOV.UK summary list row; empty answers say so rather than disappearing."""
    text = "" if value is None else str(value).strip()
    return format_html(
        '<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt>'
        '<dd class="govuk-summary-list__value daybook-prewrap">{}</dd></div>',
        key,
        text or "Not given",
    )
