"""One object by its primary key, as the signed-in user may see it: the reads of a use case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.scoping import restrict
from app.domain.authz import Principal, Right
from app.domain.errors import not_found


async def visible(
    session: AsyncSession,
    principal: Principal,
    model: type[Any],
    pk: int,
    field: str | list[str],
    *,
    right: Right | None = None,
    for_update: bool = False,
) -> Any:
    """The row if the principal may see it (through `restrict`, the one scoping function), else
    a NOT_FOUND error on `field` (a name or a whole path)."""
    stmt = restrict(select(model).where(model.id == pk), principal, model, right=right)
    row = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if row is None:
        raise not_found(model.__name__, field)
    return row
