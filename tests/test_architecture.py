"""The dependency rule: bot → scheduler → handlers → models (any → locales); Telegram only under bot/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "scheduler", "handlers", "models", "locales")
# What each package may import from the project.
ALLOWED = {
    "bot": {"bot", "scheduler", "handlers", "models", "locales"},
    "scheduler": {"scheduler", "handlers", "models", "locales"},
    "handlers": {"handlers", "models", "locales"},
    "models": {"models", "locales"},
    "locales": {"locales"},
}
TELEGRAM = {"telegram", "aiogram"}
# Ways to open a database session or write SQL that handlers must leave to services.
SESSION_MAKERS = {"async_sessionmaker", "sessionmaker", "create_async_engine", "create_engine", "AsyncSession"}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _sources(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def import_violations(package: str, root: Path = ROOT) -> list[str]:
    """Every import in ``package`` that breaks the dependency rule."""
    violations = []
    for path in _sources(package, root):
        for module, line in _imports(path):
            top = module.split(".")[0]
            if top in PACKAGES and top not in ALLOWED[package]:
                violations.append(f"{path.relative_to(root)}:{line} imports {module}")
            if top in TELEGRAM and package != "bot":
                violations.append(f"{path.relative_to(root)}:{line} imports {module} outside bot/")
    return violations


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_dependency_rule(package):
    violations = import_violations(package)
    assert not violations, "\n".join(violations)


def test_handlers_never_open_a_session_or_write_sql():
    violations = []
    for path in _sources("handlers"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in SESSION_MAKERS | {"text", "select", "update", "delete", "insert", "exec", "execute",
                                        "commit", "add"}:
                violations.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {name}()")
        for module, line in _imports(path):
            if module.startswith(("sqlalchemy", "sqlmodel")) and module != "sqlmodel.ext.asyncio.session":
                violations.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not violations, "\n".join(violations)


def test_the_rule_catches_a_violation(tmp_path):
    """The walker itself works: a handler importing telegram or the bot package is reported."""
    bad = tmp_path / "handlers"
    bad.mkdir()
    (bad / "bad.py").write_text("import telegram\nfrom bot.cli import main\n", encoding="utf-8")
    assert import_violations("handlers", tmp_path) == [
        "handlers/bad.py:1 imports telegram outside bot/",
        "handlers/bad.py:2 imports bot.cli",
    ]


# --- No import cycle between the project's modules -------------------------------------------------------------


def module_name(path: Path, root: Path = ROOT) -> str:
    """``models/enrollment/rsvp.py`` -> ``models.enrollment.rsvp``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:`` (never run, so never part of a cycle)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return skipped


def module_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """Every project module and the project modules it imports (anywhere in it, function bodies included):
    ``{module: {imported module: line}}``. ``import a.b``, ``from a.b import c``, relative imports and
    ``from package import module`` each point at the module they load; a name re-exported by a package's
    ``__init__`` points at the package. The parents a Python import also runs are left out: every module
    would otherwise import itself through its own package."""
    paths = [p for package in PACKAGES for p in _sources(package, root)]
    modules = {module_name(p, root): p for p in paths}

    def known(dotted: str) -> str | None:  # the longest prefix that is a project module
        parts = dotted.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        return ".".join(parts) or None

    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [known(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    targets.append(full if full in modules else known(base))
            for target in targets:
                if target is not None and target != name:
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def import_cycles(root: Path = ROOT) -> list[list[str]]:
    """The import cycles between project modules (strongly connected components, Tarjan), each sorted."""
    graph = module_graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def _describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(cycle)
    return "cycle: " + ", ".join(
        f"{module} → {target} (line {line})"
        for module in cycle for target, line in sorted(graph[module].items()) if target in members)


def test_no_import_cycle_between_modules():
    """bot, scheduler, handlers, models and locales import each other's modules without a circle."""
    graph = module_graph()
    cycles = import_cycles()
    assert not cycles, "\n".join(_describe(cycle, graph) for cycle in cycles)


def test_the_cycle_finder_sees_every_kind_of_import(tmp_path):
    """Relative imports, ``from package import module`` and imports hidden in a function all count."""
    models = tmp_path / "models"
    (models / "feature").mkdir(parents=True)
    (models / "__init__.py").write_text("", encoding="utf-8")
    (models / "feature" / "__init__.py").write_text("from .a import run\n", encoding="utf-8")
    (models / "feature" / "a.py").write_text("from models.feature import b\n", encoding="utf-8")
    (models / "feature" / "b.py").write_text("def later():\n    from . import c\n", encoding="utf-8")
    (models / "feature" / "c.py").write_text("from .a import run\n", encoding="utf-8")
    (models / "feature" / "d.py").write_text("from models.feature import run\n", encoding="utf-8")
    (models / "other.py").write_text("import models.feature.d\n", encoding="utf-8")
    graph = module_graph(tmp_path)
    assert graph["models.feature.d"] == {"models.feature": 1}  # a re-exported name: the package
    assert graph["models.other"] == {"models.feature.d": 1}
    assert import_cycles(tmp_path) == [["models.feature.a", "models.feature.b", "models.feature.c"]]


# --- No import inside a function body under models/ --------------------------------------------------------------

# (file, imported module): why it is imported where it is used.
FUNCTION_IMPORTS_ALLOWED = {
    **{("models/reports/summary_chart.py", module): "matplotlib takes about a second to import: only drawing the "
       "weekly chart loads it, so the bot, the CLI and every handler start without it"
       for module in ("matplotlib.ft2font", "matplotlib", "matplotlib.backends.backend_agg", "matplotlib.figure",
                      "matplotlib.font_manager")},
    **{("models/reports/exports.py", module): "openpyxl (with what it pulls in) loads only when an XLSX file is "
       "built, so starting the bot or the scheduler doesn't pay for it" for module in ("openpyxl", "openpyxl.styles",
                                                                                       "openpyxl.utils")},
    **{("models/work/worksheet.py", module): "the 출근부 is built with openpyxl only when exported (the CLI or the "
       "staff menu), so the work modules load at start-up without it" for module in ("openpyxl", "openpyxl.styles",
                                                                                      "openpyxl.utils")},
}


def function_imports(package: str = "models", root: Path = ROOT) -> list[tuple[str, str, int]]:
    """``(file, imported module, line)`` for every import inside a function body under ``package``."""
    found = []
    for path in _sources(package, root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    found += [(path.relative_to(root).as_posix(), a.name, node.lineno) for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    module = "." * node.level + (node.module or "")
                    found.append((path.relative_to(root).as_posix(), module, node.lineno))
    return sorted(set(found))


def test_no_import_inside_a_function_under_models():
    """An import inside a function hides a cycle; the allow-list names the few lazy imports and why."""
    found = function_imports()
    offenders = [f"{path}:{line} imports {module} inside a function" for path, module, line in found
                 if (path, module) not in FUNCTION_IMPORTS_ALLOWED]
    stale = sorted(set(FUNCTION_IMPORTS_ALLOWED) - {(path, module) for path, module, _line in found})
    assert not offenders, "\n".join(offenders)
    assert not stale, f"allowed but no longer imported in a function (remove them): {stale}"


def test_the_function_import_check_catches_one(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.py").write_text(
        "import os\n\nasync def f():\n    from models import other\n", encoding="utf-8")
    assert function_imports("models", tmp_path) == [("models/m.py", "models", 4)]


# --- Sizes: no file over 600 lines, no function over 80 ------------------------------------------------------------

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80  # from the ``def`` line to the last line of the body, docstring included
SIZED = ("models", "handlers", "scheduler", "bot")
# Nothing is allowed over the limits; an entry here would need its reason.
SIZE_ALLOWED: set[str] = set()


def oversized(packages: tuple[str, ...] = SIZED, root: Path = ROOT) -> list[str]:
    """``file`` for every file over the line limit and ``file:function`` for every function over its limit."""
    found = []
    for package in packages:
        for path in _sources(package, root):
            source = path.read_text(encoding="utf-8")
            name = path.relative_to(root).as_posix()
            if len(source.splitlines()) > MAX_FILE_LINES:
                found.append(name)
            for node in ast.walk(ast.parse(source, filename=str(path))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                        found.append(f"{name}:{node.name}")
    return sorted(set(found))


def test_no_file_or_function_is_too_long():
    """Lists every file over 600 lines and every function over 80 under models/, handlers/, scheduler/, bot/."""
    found = oversized()
    offenders = [item for item in found if item not in SIZE_ALLOWED]
    stale = sorted(SIZE_ALLOWED - set(found))
    assert not offenders, "too long (split into well-named steps):\n" + "\n".join(offenders)
    assert not stale, f"no longer too long, remove from SIZE_ALLOWED: {stale}"


def test_the_size_check_catches_both(tmp_path):
    (tmp_path / "models").mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    (tmp_path / "models" / "long.py").write_text(f"def long():\n{body}\n" + "\n" * 600, encoding="utf-8")
    (tmp_path / "models" / "short.py").write_text("def short():\n    return 1\n", encoding="utf-8")
    assert oversized(("models",), tmp_path) == ["models/long.py", "models/long.py:long"]
