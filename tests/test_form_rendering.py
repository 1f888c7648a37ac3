"""Every form in Daybook draws each question the way it is answered.

A "choose all that apply" question once rendered as radio buttons and kept one answer, and
hundreds of tests that posted data straight to views did not notice. This walks every form
class in the project, renders each multiple-choice field through the one adapter every page
uses, and checks that a person sees checkboxes and that every answer they tick stays ticked.
"""

import importlib
import pkgutil
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from allauth.core import context
from django import forms
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

import daybook
from daybook.accounts.models import Role, User
from daybook.incidents.models import Entry
from daybook.ui.components import render_field

# Forms whose constructor needs what their view knows. A new form with such a constructor
# must be added here, or the walk below fails: no form escapes the check.
FACTORIES: dict[str, Callable[[type[forms.BaseForm], dict | None], forms.BaseForm]] = {
    "daybook.imports.forms.ChoicesForm": lambda cls, data: cls(
        data, summary={"participants": [("Sam", 12), ("Alex", 3), ("+44 7700 900123", 1)]}
    ),
    "daybook.imports.forms.ColumnsForm": lambda cls, data: cls(
        data, header=["Date", "From", "Text"], mapping=None
    ),
    "daybook.reports.forms.VpsForm": lambda cls, data: cls(data, facts={"count": 3, "months": 2}),
    "daybook.accounts.forms.InvitationForm": lambda cls, data: cls(
        data, roles=[Role.ADVOCATE, Role.SERVICE_MANAGER]
    ),
    "daybook.accounts.forms.RoleChangeForm": lambda cls, data: cls(
        data, roles=[Role.ADVOCATE, Role.SERVICE_MANAGER]
    ),
    "daybook.insights.forms.PeriodForm": lambda cls, data: cls(
        data, user=User(role=Role.COMMISSIONER_VIEWER)
    ),
    "daybook.sharing.forms.ShareForm": lambda cls, data: cls(data, entries=Entry.objects.none()),
    "daybook.casework.sections.OrderBreachForm": lambda cls, data: cls(
        data, conditions=["Not to contact the person"], entries=Entry.objects.none()
    ),
    "daybook.accounts.forms.ActivateTOTPForm": lambda cls, data: with_request(
        lambda: cls(data, user=User(email="someone@example.org", role=Role.VICTIM))
    ),
}


def with_request(make: Callable[[], forms.BaseForm]) -> forms.BaseForm:
    """Set up an authenticator form as its page does: inside a request with a session."""
    request = RequestFactory().get("/")
    request.session = SessionStore()
    with context.request_context(request):
        return make()


EXAMPLE_CHOICES = [("first", "First"), ("second", "Second"), ("third", "Third")]


def project_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(daybook.__path__, "daybook."):
        if ".migrations" not in module.name and not module.name.endswith(".wsgi"):
            importlib.import_module(module.name)
    found: set[type[forms.BaseForm]] = set()
    pending: list[type] = [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("daybook."):
                found.add(subclass)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def build(cls: type[forms.BaseForm], data: dict | None = None) -> forms.BaseForm:
    name = f"{cls.__module__}.{cls.__qualname__}"
    if name in FACTORIES:
        return FACTORIES[name](cls, data)
    if any(base.__module__.startswith("allauth.") for base in cls.__mro__):
        # Account forms built on the sign-in library's forms take the person they are for.
        person = User(email="someone@example.org", role=Role.VICTIM)
        extra = {"temp_key": "key"} if "temp_key" in str(cls.__init__.__code__.co_names) else {}
        try:
            return cls(data)
        except (KeyError, TypeError):
            return cls(data, user=person, **extra)
    return cls(data)


def is_multiple_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.selects = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))
        elif tag == "select":
            self.selects += 1


def rendered_inputs(form: forms.BaseForm, name: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(str(render_field(form[name])))
    return parser


def with_example_choices(form: forms.BaseForm, name: str) -> None:
    """Give a model-backed field fixed choices, keeping the widget that decides how it is drawn.

    Their querysets are set by views; the adapter looks only at the widget, so the same widget
    with known choices is drawn exactly as the page draws it.
    """
    original = form.fields[name]
    if isinstance(original, forms.ModelMultipleChoiceField) or not list(original.choices):
        form.fields[name] = forms.MultipleChoiceField(
            label=original.label,
            help_text=original.help_text,
            required=original.required,
            choices=EXAMPLE_CHOICES,
            widget=original.widget,
        )


FORM_CLASSES = project_form_classes()


def test_the_walk_finds_the_forms_people_fill_in() -> None:
    names = {cls.__qualname__ for cls in FORM_CLASSES}
    # The forms named when the fault was found; the walk must reach each of them.
    assert {
        "EntryForm",
        "AmendForm",
        "SafeContactForm",
        "ProtectiveOrderForm",
        "MaracForm",
        "ChoicesForm",
        "ShareForm",
    } <= names
    assert len(FORM_CLASSES) >= 40


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_multiple_choice_question_is_checkboxes_that_keep_every_answer(
    cls: type[forms.BaseForm],
) -> None:
    form = build(cls)
    multiple = [name for name, field in form.fields.items() if is_multiple_choice(field)]
    for name in multiple:
        with_example_choices(form, name)
        drawn = rendered_inputs(form, name)
        kinds = {attributes.get("type") for attributes in drawn.inputs}
        assert kinds == {"checkbox"}, f"{cls.__name__}.{name} is drawn as {kinds}"
        assert drawn.selects == 0, f"{cls.__name__}.{name} is drawn as a select"
        choices = [str(value) for value, _label in form.fields[name].choices if value != ""]
        assert len(drawn.inputs) == len(choices)
        assert {attributes["name"] for attributes in drawn.inputs} == {form[name].html_name}

        # Ticking two answers keeps both ticked when the page is drawn again (after an error).
        ticked = choices[:2]
        answered = build(cls, {form[name].html_name: ticked})
        answered.fields[name] = form.fields[name]
        again = rendered_inputs(answered, name)
        checked = sorted(
            str(attributes["value"]) for attributes in again.inputs if "checked" in attributes
        )
        assert checked == sorted(ticked), f"{cls.__name__}.{name} kept {checked}"

    # The reverse fault: a question that asks for every answer must accept more than one.
    for name, field in form.fields.items():
        if "all that apply" in f"{field.label} {field.help_text}".lower():
            assert is_multiple_choice(field), f"{cls.__name__}.{name} says all that apply"


# --- Questions drawn once ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_a_question_kept_from_an_earlier_page_is_drawn_exactly_as_anew(
    cls: type[forms.BaseForm],
) -> None:
    """A question whose every detail is in the form's code is drawn once and kept: what a
    page then shows must be exactly what drawing it again would give."""
    from daybook.ui import components

    for bound in build(cls):
        unset = isinstance(bound.field, forms.ModelChoiceField) and bound.field.queryset is None
        if isinstance(bound.field.widget, forms.HiddenInput) or unset:
            continue  # hidden, or choices only its view can give
        first, kept = str(render_field(bound)), str(render_field(bound))
        assert first == kept == str(components._draw(*components._field_component(bound)))


@pytest.mark.django_db
def test_nothing_a_person_wrote_or_the_database_held_is_kept_between_pages() -> None:
    """Only questions drawn from the code alone are kept: never a form sent back with a
    person's words, one filled in from their entry, or one whose choices name people."""
    from daybook.imports.forms import ChoicesForm
    from daybook.incidents.forms import AmendForm, EntryForm
    from daybook.ui import components

    components._DRAWN.clear()
    words = "He followed me to the bus stop on Elm Road"
    sent = EntryForm({"what_happened": words, "witnesses": "Priya Shah"})
    filled_in = AmendForm(initial={"what_happened": words, "witnesses": "Priya Shah"})
    names = ChoicesForm(summary={"participants": [("Sam Ex", 12), ("+44 7700 900123", 1)]})
    for form in (sent, filled_in, names):
        for bound in form:
            render_field(bound)
    kept = " ".join(str(markup) for markup in components._DRAWN.values())
    for secret in (words, "Priya Shah", "Sam Ex", "7700 900123"):
        assert secret not in kept and secret not in repr(list(components._DRAWN))

    # Not vacuous: every question of the blank form to record an entry is kept.
    components._DRAWN.clear()
    visible = [bound for bound in EntryForm() if not bound.is_hidden]
    for bound in visible:
        render_field(bound)
    assert len(components._DRAWN) == len(visible)
