"""What the GraphQL layer hands the read functions of app/db: the request's serialized reader.

Strawberry resolves sibling fields concurrently and a session allows one operation at a time, so
every read of a request goes through its context's helpers, which take turns (app/schema/
context.py). The read functions of app/db take that context as a `Reader` and build the SQL
themselves: app/schema and app/resolvers never import SQLAlchemy.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias

from sqlalchemy import Select, select

from app.db.scoping import restrict
from app.domain.authz import Principal, Right

# A SELECT statement, as the context's helpers take it (named here, so that the context can
# say so without importing SQLAlchemy).
Statement: TypeAlias = Select[*tuple[Any, ...]]


class Reader(Protocol):
    """The request context's serialized helpers."""

    async def scalars(self, stmt: Statement) -> list[Any]: ...

    async def scalar(self, stmt: Statement) -> Any: ...

    async def rows(self, stmt: Statement) -> list[Any]: ...


async def visible_row(reader: Reader, principal: Principal | None, model: Any, pk: int) -> Any:
    """The row of `model` with primary key `pk`, if the principal may see it, else None."""
    return await reader.scalar(restrict(select(model).where(model.id == pk), principal, model))


async def visible_employer_id(
    reader: Reader,
    principal: Principal | None,
    model: Any,
    pk: int,
    right: Right | tuple[Right, ...] | None = None,
) -> int | None:
    """The employer of the `model` row `pk`, read under scoping (with `right`), else None."""
    stmt = restrict(select(model.employer_id).where(model.id == pk), principal, model, right=right)
    employer_id: int | None = await reader.scalar(stmt)
    return employer_id
