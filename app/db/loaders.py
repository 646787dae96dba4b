"""Batch functions behind the per-request DataLoaders: one scoped query per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Select, select

from app.db import models as m
from app.db.scoping import restrict
from app.domain.authz import Principal


def by_id(
    model: type,
    principal: Principal | None,
    run: Callable[[Select], Awaitable[list[Any]]],
    right: Any = None,
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    """Load rows of `model` by primary key, None for ids the principal may not see."""
    return by_key(model, model.id, principal, run, right)


def by_key(
    model: type,
    column,
    principal: Principal | None,
    run: Callable[[Select], Awaitable[list[Any]]],
    right: Any = None,
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    """Load rows of `model` by a unique column, None for keys the principal may not see."""

    async def load(keys: Sequence[int]) -> list[Any]:
        stmt = restrict(select(model).where(column.in_(set(keys))), principal, model, right=right)
        found = {getattr(row, column.key): row for row in await run(stmt)}
        return [found.get(k) for k in keys]

    return load


def step_names_of_versions(principal: Principal | None, reader):
    """Batch function: version id -> {position: step name}."""

    async def load(version_ids: Sequence[int]) -> list[dict[int, str]]:
        out: dict[int, dict[int, str]] = {v: {} for v in version_ids}
        stmt = restrict(
            select(m.WorkflowStep.version_id, m.WorkflowStep.position, m.WorkflowStep.name).where(
                m.WorkflowStep.version_id.in_(set(version_ids))
            ),
            principal,
            m.WorkflowStep,
        )
        for version_id, position, name in await reader.rows(stmt):
            out[version_id][position] = name
        return [out[v] for v in version_ids]

    return load


def grouped(
    stmt_for: Callable[[Sequence[int]], Select],
    key: Callable[[Any], int],
    run: Callable[[Select], Awaitable[list[Any]]],
) -> Callable[[Sequence[int]], Awaitable[list[list[Any]]]]:
    """Load lists of rows per parent id with one query (the caller's statement is scoped)."""

    async def load(ids: Sequence[int]) -> list[list[Any]]:
        out: dict[int, list[Any]] = {i: [] for i in ids}
        for row in await run(stmt_for(ids)):
            out[key(row)].append(row)
        return [out[i] for i in ids]

    return load
