"""Render GOV.UK Frontend components from the maintained govuk-frontend-jinja macros.

The macros produce exactly the markup GOV.UK Frontend 6.0.0 expects, so pages get the
Design System's tested, accessible HTML without hand-copied component markup. One Jinja
environment is shared and each component's template is compiled once.
"""

from collections.abc import Iterable
from functools import cache
from typing import Any, cast

from django import forms
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


def render(component: str, params: dict[str, Any]) -> SafeString:
    html = _template(component).render(params=_jinja_safe(params))
    return mark_safe(html)  # noqa: S308  (escaped by Jinja's autoescape)


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


def render_field(field: forms.BoundField) -> SafeString:
    """One Django form field as the matching GOV.UK component."""
    widget = field.field.widget
    params = _common(field)
    if isinstance(widget, forms.HiddenInput):
        return mark_safe(str(field))  # noqa: S308  (Django renders and escapes it)
    # CheckboxSelectMultiple subclasses RadioSelect in Django, so it must be matched first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return render(
            "checkboxes", {**params, "fieldset": _fieldset(field), "items": _items(field)}
        )
    if isinstance(widget, forms.RadioSelect):
        return render("radios", {**params, "fieldset": _fieldset(field), "items": _items(field)})
    if isinstance(widget, forms.CheckboxInput):
        item = {"value": "on", "text": field.label, "checked": bool(field.value())}
        if field.help_text:
            item["hint"] = params.pop("hint")
        return render("checkboxes", {**params, "items": [item]})
    if isinstance(widget, forms.Select):
        items = [
            {"value": value, "text": label, "selected": str(value) == str(field.value())}
            for value, label in _choices(field)
        ]
        return render("select", {**params, "label": _label(field), "items": items})
    if isinstance(widget, forms.Textarea):
        return render(
            "textarea",
            {
                **params,
                "label": _label(field),
                "value": field.value() or "",
                "rows": widget.attrs.get("rows", 5),
            },
        )
    if isinstance(widget, forms.FileInput):
        return render("file-upload", {**params, "label": _label(field)})
    component = "password-input" if isinstance(widget, forms.PasswordInput) else "input"
    input_params = {**params, "label": _label(field), "type": widget.input_type}
    if component == "password-input":
        input_params.pop("type")
    if widget.input_type != "password" and field.value() not in (None, ""):
        input_params["value"] = str(field.value())
    if widget.attrs.get("autocomplete"):
        input_params["autocomplete"] = widget.attrs["autocomplete"]
    return render(component, input_params)


def render_error_summary(form: forms.BaseForm) -> SafeString:
    """The GOV.UK error summary for a form, linking each message to its field."""
    if not form.errors:
        return mark_safe("")
    items = [{"text": str(error)} for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            items.append({"text": str(error), "href": f"#{field.auto_id}"})
    return render("error-summary", {"titleText": "There is a problem", "errorList": items})
