"""The recipes in docs/developers/ name only files, Python names and commands that exist, so a
recipe cannot send the next person to a place the code has moved away from.

In a recipe, everything in backticks is one of: a path from the repository root (a `<name>`
part stands for the new file, whose folder must exist); a Python name, resolved in the modules
whose files the recipe names or imported as a module; a quoted literal (a value, e.g. a fact
such as "deleted"); or a `make` target. A Python code block must run in the namespace of the
modules the recipe names (a block of dict entries is read inside braces).
"""

import ast
import dataclasses
import importlib
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECIPES = sorted((ROOT / "docs" / "developers").glob("adding-*.md"))
FENCED = re.compile(r"^ *```(\w*)\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"`([^`\n]+)`")
NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
LITERAL = re.compile(r"\"[^\"]*\"|'[^']*'")


def spans(text: str) -> list[str]:
    return SPAN.findall(FENCED.sub("", text))


def is_path(span: str) -> bool:
    return "/" in span or span.endswith((".py", ".md", ".html", ".toml"))


def modules_named(text: str) -> list[ModuleType]:
    """The Python modules whose files the recipe names."""
    found = []
    for span in spans(text):
        if is_path(span) and span.endswith(".py") and (ROOT / span).is_file():
            dotted = span.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            found.append(importlib.import_module(dotted))
    return found


def resolve(name: str, modules: list[ModuleType]) -> Any:
    first, *rest = name.split(".")
    holders = [module for module in modules if first in vars(module)]
    # Not in a module the recipe names: a module of its own, e.g. a library it points to.
    owner = vars(holders[0])[first] if holders else importlib.import_module(first)
    for part in rest:
        if hasattr(owner, part):
            owner = getattr(owner, part)
        elif dataclasses.is_dataclass(owner) and part in {
            f.name for f in dataclasses.fields(owner)
        }:
            owner = None  # a field without a default: no value on the class, but it exists
        else:
            raise AttributeError(f"{name}: no {part}")
    return owner


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([\w-]+):", makefile, flags=re.MULTILINE))


def test_there_are_recipes_to_check() -> None:
    assert {recipe.name for recipe in RECIPES} >= {
        "adding-a-behaviour.md",
        "adding-an-import-format.md",
    }


def problems_in(text: str) -> list[str]:
    modules = modules_named(text)
    problems = []
    for span in spans(text):
        if is_path(span):
            path = span.split("<")[0].rsplit("/", 1)[0] if "<" in span else span
            if not (ROOT / path).exists():
                problems.append(f"no such file or folder: {span}")
        elif span.startswith("make "):
            if span.removeprefix("make ") not in make_targets():
                problems.append(f"no such make target: {span}")
        elif LITERAL.fullmatch(span):
            continue
        elif NAME.fullmatch(span):
            try:
                resolve(span, modules)
            except (ImportError, AttributeError) as error:
                problems.append(f"no such Python name: {span} ({error})")
        else:
            problems.append(f"not a path, a name, a literal or a make target: {span}")
    return problems


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda recipe: recipe.name)
def test_every_path_and_name_a_recipe_mentions_exists(recipe: Path) -> None:
    assert problems_in(recipe.read_text()) == []


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda recipe: recipe.name)
def test_every_code_example_in_a_recipe_runs(recipe: Path) -> None:
    text = recipe.read_text()
    namespace: dict[str, Any] = {}
    for module in modules_named(text):
        namespace.update(vars(module))
    for language, block in FENCED.findall(text):
        if language != "python":
            continue
        code = "\n".join(line.strip() for line in block.splitlines())
        try:
            ast.parse(code)
        except SyntaxError:
            code = "{" + code + "}"  # dict entries, as added to a registry
        eval(compile(code, recipe.name, "eval" if code.startswith("{") else "exec"), namespace)  # noqa: S307  (the project's own docs)


def test_a_recipe_naming_what_is_not_there_is_caught() -> None:
    rotten = (
        "Add a line to `BEHAVIOURS` in `daybook/incidents/behaviours.py`, with a "
        '`Category.CONTACTING` (`"contacting"`), then `make test`. New files go in '
        "`daybook/incidents/<name>.py`.\n"
        "Stale: `SERIOUS`, `Category.STALKING`, `daybook/incidents/serious.py`, "
        "`daybook/nowhere/<name>.py`, `make check-everything`, `parse(data, *, limits)`."
    )
    assert [problem.split(":")[0] for problem in problems_in(rotten)] == [
        "no such Python name",
        "no such Python name",
        "no such file or folder",
        "no such file or folder",
        "no such make target",
        "not a path, a name, a literal or a make target",
    ]
