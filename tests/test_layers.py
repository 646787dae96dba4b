"""Each kind of code in its one home (README "Code layout"): which package may import what.

- app/domain is pure Python: no SQLAlchemy, no strawberry, nothing of app.db/schema/resolvers.
- app/db holds every read and write: no strawberry, nothing of app.schema or app.resolvers.
- app/resolvers hold use cases and their resolvers: no SQLAlchemy (they call app/db), and no
  resolver imports another (shared types live in app/schema, shared reads in app/db).
- app/schema holds strawberry types, inputs, payloads and permissions: no SQLAlchemy; only the
  three roots (Query, Mutation, Subscription) name resolvers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
ROOTS = {"app/schema/query.py", "app/schema/mutation.py", "app/schema/subscription.py"}


def is_root(path: str) -> bool:
    """The roots, and the parts of the Mutation root by area (app/schema/mutations/)."""
    return path in ROOTS or path.startswith("app/schema/mutations/")


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def refused(name: str, path: str) -> list[str]:
    package = path.split("/")[1]
    rules = {
        "domain": (
            "sqlalchemy",
            "strawberry",
            "starlette",
            "app.db",
            "app.schema",
            "app.resolvers",
        ),
        "db": ("strawberry", "app.schema", "app.resolvers"),
        "resolvers": ("sqlalchemy", "app.resolvers."),
        "schema": ("sqlalchemy",) + (() if is_root(path) else ("app.resolvers",)),
    }.get(package, ())
    return [
        prefix
        for prefix in rules
        if name == prefix.rstrip(".") or name.startswith(prefix.rstrip(".") + ".")
        if not (prefix == "app.resolvers." and name == "app.resolvers")
    ]


MODULES = sorted(
    str(p.relative_to(APP.parent))
    for package in ("domain", "db", "resolvers", "schema")
    for p in (APP / package).rglob("*.py")
    if "migrations" not in p.parts
)


@pytest.mark.parametrize("path", MODULES)
def test_layer(path: str) -> None:
    wrong = sorted(name for name in imports(APP.parent / path) if refused(name, path))
    assert not wrong, f"{path} imports {wrong}"
