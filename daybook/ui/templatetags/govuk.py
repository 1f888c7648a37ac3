from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

from daybook.ui import components

register = template.Library()


@register.simple_tag
def govuk(component: str, **params: Any) -> SafeString:
    """`{% govuk "button" text="Continue" %}` renders a GOV.UK Frontend component."""
    return components.render(component, params)


@register.simple_tag
def govuk_field(field: forms.BoundField) -> SafeString:
    return components.render_field(field)


@register.simple_tag
def govuk_error_summary(form: forms.BaseForm) -> SafeString:
    return components.render_error_summary(form)
