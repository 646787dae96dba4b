"""Batch functions behind the per-request DataLoaders: one scoped query per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Select, select

from app.db.scoping import restrict
from app.domain.authz import Principal


def by_id(
    model: type, principal: Principal | None, run: Callable[[Select], Awaitable[list[Any]]]
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    """Load rows of `model` by primary key, None for ids the principal may not see."""

    async def load(ids: Sequence[int]) -> list[Any]:
        stmt = restrict(select(model).where(model.id.in_(set(ids))), principal, model)
        found = {row.id: row for row in await run(stmt)}
        return [found.get(i) for i in ids]

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
