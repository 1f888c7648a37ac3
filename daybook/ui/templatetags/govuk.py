from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.template.base import FilterExpression, NodeList, Parser, Token, token_kwargs
from django.utils.safestring import SafeString, mark_safe

from daybook.ui import components

register = template.Library()


def _params(params: dict[str, Any]) -> dict[str, Any]:
    """Template keywords as macro params. A template cannot build dicts, so `label__text="x"`
    becomes `{"label": {"text": "x"}}`, and `data_testid="x"` and `aria_…` become HTML
    attributes (`data-testid="x"`)."""
    nested: dict[str, Any] = {}
    for key in list(params):
        if key.startswith(("data_", "aria_")):
            nested.setdefault("attributes", {})[key.replace("_", "-")] = params.pop(key)
        elif "__" in key:
            outer, inner = key.split("__", 1)
            nested.setdefault(outer, {})[inner] = params.pop(key)
    for key, value in nested.items():
        params[key] = {**params.get(key, {}), **value}
    return params


@register.filter
def govuk_items(objects: Iterable[Any], fields: str = "pk name") -> list[dict[str, Any]]:
    """`services|govuk_items:"pk name"`: the `items` of a select or radios, one per object,
    its value and text read from the two named attributes."""
    value, text = fields.split()
    return [{"value": getattr(item, value), "text": getattr(item, text)} for item in objects]


@register.simple_tag
def govuk(component: str, from_code: bool = False, **params: Any) -> SafeString:
    """`{% govuk "button" text="Continue" %}` renders a GOV.UK Frontend component.

    `from_code=True` keeps the markup by its params (components.render), for the layout's
    parts every page draws alike: only where every param comes from the code, never from a
    person or the database (tests/test_templates.py holds each use to that)."""
    return components.render(component, _params(params), from_code=from_code)


class _CallNode(template.Node):
    def __init__(
        self, component: FilterExpression, params: dict[str, FilterExpression], body: NodeList
    ) -> None:
        self.component, self.params, self.body = component, params, body

    def render(self, context: template.Context) -> SafeString:
        params = {key: value.resolve(context) for key, value in self.params.items()}
        # The body is a Django template, escaped as it rendered.
        params[params.pop("into", "html")] = mark_safe(self.body.render(context).strip())  # noqa: S308
        return components.render(self.component.resolve(context), _params(params))


@register.tag
def govuk_call(parser: Parser, token: Token) -> _CallNode:
    """`{% govuk_call "warning-text" %}Call <a …>999</a>.{% endgovuk_call %}`: a component
    whose content is markup, like Nunjucks' `{% call %}`. The body becomes the `html` param,
    or the one named by `into` (`into="summaryHtml"`)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("govuk_call needs a component name")
    component = parser.compile_filter(bits[1])
    params = token_kwargs(bits[2:], parser)
    if len(params) != len(bits) - 2:
        raise template.TemplateSyntaxError("govuk_call takes only keyword params")
    body = parser.parse(("endgovuk_call",))
    parser.delete_first_token()
    return _CallNode(component, params, body)


@register.simple_tag
def govuk_field(field: forms.BoundField) -> SafeString:
    return components.render_field(field)


@register.simple_tag
def govuk_error_summary(form: forms.BaseForm) -> SafeString:
    return components.render_error_summary(form)


@register.simple_tag(takes_context=True)
def page_href(context: template.Context, number: int, filters: str = "") -> str:
    """The address of page `number` of a list: this page's query with its page changed, or,
    for a form re-shown after a post (whose filters are not in the address), `filters`."""
    if filters:
        return f"?{filters}&page={number}"
    query = context["request"].GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"
