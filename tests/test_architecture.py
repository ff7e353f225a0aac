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
