"""Apps depend downwards only: the layering of docs/developers/README.md, enforced.

Every import between Daybook's apps is read from the source — deferred imports inside functions
included, since hiding an import in a function does not remove the dependency. Only imports
made for type annotations (under `if TYPE_CHECKING:`) are left out: they do not run.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "daybook"

# Bottom to top. An app may import from its own layer's modules only if no cycle results,
# and from any lower layer; never from a higher one.
LAYERS: list[set[str]] = [
    {"env", "crypto", "proxies", "ui"},
    {"public", "audit", "workers"},
    {"accounts"},
    {"cases"},
    {"incidents", "risk"},
    {"sharing"},
    {"reports"},
    {"insights"},
    {"imports", "drafts"},
    {"casework", "police"},
    {"erasure"},
    {"retention", "subject_access"},
    {"backups", "health"},
    {"settings", "urls", "wsgi"},
]
LAYER_OF = {app: number for number, apps in enumerate(LAYERS) for app in apps}


def _app_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0].removesuffix(".py")


def _runtime_imports(tree: ast.Module) -> list[tuple[str, int]]:
    """Modules imported by code that runs: everything but `if TYPE_CHECKING:` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return found


def app_imports() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) -> where, for every import between two Daybook apps."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        app = _app_of(path)
        for module, line in _runtime_imports(ast.parse(path.read_text())):
            if module.startswith("daybook.") and (target := module.split(".")[1]) != app:
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                edges.setdefault((app, target), []).append(where)
    return edges


def test_every_app_has_a_layer() -> None:
    apps = {_app_of(path) for path in PACKAGE.rglob("*.py")} - {"__init__"}
    assert apps - LAYER_OF.keys() == set(), "add the new app to LAYERS and to the picture"


def test_no_app_imports_from_a_higher_layer() -> None:
    upwards = [
        f"{app} imports {target} ({', '.join(where)})"
        for (app, target), where in app_imports().items()
        if LAYER_OF[target] > LAYER_OF[app]
    ]
    assert upwards == []


def test_no_import_cycle_between_apps() -> None:
    edges = app_imports()
    graph: dict[str, set[str]] = {}
    for app, target in edges:
        graph.setdefault(app, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for following in graph.get(start, ()):
            if following == goal or (
                following not in seen and reaches(following, goal, seen | {following})
            ):
                return True
        return False

    cycles = sorted(app for app in graph if reaches(app, app, {app}))
    assert cycles == [], f"apps in an import cycle: {cycles}"


@pytest.mark.parametrize("app", ["reports", "imports", "insights"])
def test_tasks_import_services_never_the_reverse(app: str) -> None:
    tasks = PACKAGE / app / "tasks.py"
    modules = {module for module, _ in _runtime_imports(ast.parse(tasks.read_text()))}
    assert f"daybook.{app}.services" in modules
    for path in (PACKAGE / app).glob("*.py"):
        if path.name != "tasks.py":
            imported = {module for module, _ in _runtime_imports(ast.parse(path.read_text()))}
            assert f"daybook.{app}.tasks" not in imported, path.name


def test_the_picture_in_the_developers_guide_is_these_layers() -> None:
    guide = (PACKAGE.parent / "docs" / "developers" / "README.md").read_text()
    section = guide.split("## Layers", 1)[1]
    picture = section.split("```", 2)[1]
    # Each line: the apps of one layer, then (after a wide gap) what the layer is for.
    drawn = [
        set(line.strip().split("    ")[0].split()) for line in picture.strip("\n").splitlines()
    ]
    assert list(reversed(drawn)) == LAYERS
