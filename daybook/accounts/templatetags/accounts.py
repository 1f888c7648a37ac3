from datetime import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime

from daybook.accounts.devices import device_name as _device_name

register = template.Library()


@register.filter
def device_name(user_agent: str) -> str:
    return _device_name(user_agent)


@register.filter
def ago(moment: datetime) -> str:
    """ "just now" rather than Django's bare "now"; otherwise "5 minutes ago"."""
    text = naturaltime(moment)
    return "just now" if text == "now" else text
