"""Render GOV.UK Frontend components from the maintained govuk-frontend-jinja macros.

The macros produce exactly the markup GOV.UK Frontend 6.0.0 expects, so pages get the
Design System's tested, accessible HTML without hand-copied component markup. One Jinja
environment is shared and each component's template is compiled once.
"""

from collections.abc import Hashable, Iterable
from functools import cache
from typing import Any, cast

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment, PackageLoader, PrefixLoader, Template

_environment = Environment(
    loader=PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    # The macros are installed files that change only with a new release: without this, every
    # component rendered asks the file system, several times, whether they have changed.
    auto_reload=False,
)


def _macro_name(component: str) -> str:
    return "govuk" + "".join(part.capitalize() for part in component.split("-"))


@cache
def _template(component: str) -> Template:
    macro = _macro_name(component)
    return _environment.from_string(
        f"{{%- from 'govuk_frontend_jinja/components/{component}/macro.html' import {macro} -%}}"
        f"{{{{ {macro}(params) }}}}"
    )


def _jinja_safe(value: Any) -> Any:
    """Django's SafeString is not Jinja's Markup; wrap it so `html` params stay unescaped."""
    if isinstance(value, SafeString):
        from markupsafe import Markup

        return Markup(str(value))  # noqa: S704  (already escaped by Django)
    if isinstance(value, dict):
        return {key: _jinja_safe(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_jinja_safe(item) for item in value]
    return value


def render(component: str, params: dict[str, Any], *, from_code: bool = False) -> SafeString:
    """The component's markup. `from_code`: every param comes from the code (see
    `_from_code`), never from what a person sent or the database held, so the markup is the
    same for every request and is kept, by its params, instead of drawn again: a question's
    macro costs around half a millisecond, and the form to record an entry asks about twenty."""
    if not from_code:
        return _draw(component, params)
    key = (component, _frozen(params))
    drawn = _DRAWN.get(key)
    if drawn is None:
        drawn = _draw(component, params)
        if len(_DRAWN) < _DRAWN_MOST:
            _DRAWN[key] = drawn
    return drawn


def _draw(component: str, params: dict[str, Any]) -> SafeString:
    html = _template(component).render(params=_jinja_safe(params))
    return mark_safe(html)  # noqa: S308  (escaped by Jinja's autoescape)


# Markup of components drawn from the code alone, by their params. Bounded, and only ever
# holding what the code writes (forms' labels, hints and choices; the layout's menu): nothing
# a person wrote, and nothing read from the database, is kept between requests.
_DRAWN: dict[Hashable, SafeString] = {}
_DRAWN_MOST = 512


def _frozen(value: Any) -> Hashable:
    """`value` as a key: dicts and lists as tuples, each plain value with its type (a
    SafeString is not escaped where an equal str is)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(item) for item in value))
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    return (type(value), value)


# --- Django forms -----------------------------------------------------------------


def _label(field: forms.BoundField, *, is_page_heading: bool = False) -> dict[str, Any]:
    label: dict[str, Any] = {"text": field.label}
    if is_page_heading:
        label.update(isPageHeading=True, classes="govuk-label--l")
    return label


def _common(field: forms.BoundField) -> dict[str, Any]:
    params: dict[str, Any] = {"id": field.auto_id, "name": field.html_name}
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if field.errors:
        params["errorMessage"] = {"text": " ".join(str(error) for error in field.errors)}
    attributes = {
        key: value
        for key, value in field.field.widget.attrs.items()
        if key not in {"class", "autocomplete", "id"}
    }
    if attributes:
        params["attributes"] = attributes
    if field.field.widget.attrs.get("class"):
        params["classes"] = field.field.widget.attrs["class"]
    return params


def _choices(field: forms.BoundField) -> Iterable[tuple[Any, Any]]:
    """A choice field's (value, label) pairs: Django normalises them when they are set, but
    the stubs give the getter the setter's wider type."""
    return cast(Iterable[tuple[Any, Any]], cast(forms.ChoiceField, field.field).choices)


def _items(field: forms.BoundField) -> list[dict[str, Any]]:
    value = field.value()
    selected = {str(item) for item in value} if isinstance(value, list | tuple) else {str(value)}
    items = []
    for choice_value, choice_label in _choices(field):
        if choice_value in ("", None):
            continue
        items.append(
            {"value": choice_value, "text": choice_label, "checked": str(choice_value) in selected}
        )
    return items


def _fieldset(field: forms.BoundField) -> dict[str, Any]:
    return {"legend": {"text": field.label, "classes": "govuk-fieldset__legend--s"}}


def _from_code(field: forms.BoundField) -> bool:
    """Whether everything a field is drawn from is in the form's code: the form is not bound
    to what someone sent, no initial value was given to the form (a view may read one from
    the database), and the field's label, hint, choices, initial value and attributes are
    those its form class declares (a form may set them per person: the names in an import,
    say). A model choice field's choices are the database's, so it never is."""
    form, own = field.form, field.field
    if form.is_bound or field.name in form.initial:
        return False
    declared = getattr(type(form), "base_fields", {}).get(field.name)
    if (
        declared is None
        or type(own) is not type(declared)
        or isinstance(own, forms.ModelChoiceField)
    ):
        return False
    return (
        own.label == declared.label
        and own.help_text == declared.help_text
        and own.initial == declared.initial
        and getattr(own, "choices", None) == getattr(declared, "choices", None)
        and own.widget.attrs == declared.widget.attrs
    )


def render_field(field: forms.BoundField) -> SafeString:
    """One Django form field as the matching GOV.UK component."""
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return mark_safe(str(field))  # noqa: S308  (Django renders and escapes it)
    component, params = _field_component(field)
    return render(component, params, from_code=_from_code(field))


def _field_component(field: forms.BoundField) -> tuple[str, dict[str, Any]]:
    """The GOV.UK component that asks `field`'s question, and its params."""
    widget = field.field.widget
    params = _common(field)
    # CheckboxSelectMultiple subclasses RadioSelect in Django, so it must be matched first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes", {**params, "fieldset": _fieldset(field), "items": _items(field)}
    if isinstance(widget, forms.RadioSelect):
        return "radios", {**params, "fieldset": _fieldset(field), "items": _items(field)}
    if isinstance(widget, forms.CheckboxInput):
        item = {"value": "on", "text": field.label, "checked": bool(field.value())}
        if field.help_text:
            item["hint"] = params.pop("hint")
        return "checkboxes", {**params, "items": [item]}
    if isinstance(widget, forms.Select):
        items = [
            {"value": value, "text": label, "selected": str(value) == str(field.value())}
            for value, label in _choices(field)
        ]
        return "select", {**params, "label": _label(field), "items": items}
    if isinstance(widget, forms.Textarea):
        return "textarea", {
            **params,
            "label": _label(field),
            "value": field.value() or "",
            "rows": widget.attrs.get("rows", 5),
        }
    if isinstance(widget, forms.FileInput):
        return "file-upload", {**params, "label": _label(field)}
    component = "password-input" if isinstance(widget, forms.PasswordInput) else "input"
    input_params = {**params, "label": _label(field), "type": widget.input_type}
    if component == "password-input":
        input_params.pop("type")
    if widget.input_type != "password" and field.value() not in (None, ""):
        input_params["value"] = str(field.value())
    if widget.attrs.get("autocomplete"):
        input_params["autocomplete"] = widget.attrs["autocomplete"]
    return component, input_params


def render_error_summary(form: forms.BaseForm) -> SafeString:
    """The GOV.UK error summary for a form, linking each message to its field."""
    if not form.errors:
        return mark_safe("")
    items = [{"text": str(error)} for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            items.append({"text": str(error), "href": f"#{field.auto_id}"})
    return render("error-summary", {"titleText": "There is a problem", "errorList": items})
