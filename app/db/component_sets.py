"""Reads and writes of component sets and their components for the set-up use cases
(createComponentSet, updateComponentSet, setDefaultComponentSet, addComponent, updateComponent,
archiveComponent), and the sets of employers for `Employer.componentSets`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.scoping import restrict
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class SetView:
    """A component set with its components (archived ones too, oldest first)."""

    row: m.ComponentSet
    components: list[m.Component] = field(default_factory=list)


async def set_named(
    session: AsyncSession, employer_id: int, name: str, except_id: int | None = None
) -> int | None:
    """The id of the employer's set called `name` (case aside), other than `except_id`."""
    stmt = select(m.ComponentSet.id).where(
        m.ComponentSet.employer_id == employer_id,
        func.lower(m.ComponentSet.name) == name.lower(),
    )
    if except_id is not None:
        stmt = stmt.where(m.ComponentSet.id != except_id)
    return await session.scalar(stmt.limit(1))


async def ensure_set_name_free(
    session: AsyncSession, employer_id: int, name: str, except_id: int | None = None
) -> None:
    """NAME_TAKEN when the employer already has a component set of that name."""
    if await set_named(session, employer_id, name, except_id) is not None:
        raise DomainError(
            ErrorCode.NAME_TAKEN, f"Deze werkgever heeft al een componentenset '{name}'.", ["name"]
        )


async def ensure_component_name_free(
    session: AsyncSession, set_id: int, name: str, except_id: int | None = None
) -> None:
    """NAME_TAKEN when the set already has a component of that name (archived ones count: they
    keep their name, and the claims that name them)."""
    stmt = select(m.Component.id).where(
        m.Component.set_id == set_id, func.lower(m.Component.name) == name.lower()
    )
    if except_id is not None:
        stmt = stmt.where(m.Component.id != except_id)
    if await session.scalar(stmt.limit(1)) is not None:
        raise DomainError(
            ErrorCode.NAME_TAKEN,
            f"Deze set heeft al een component '{name}' (ook gearchiveerde tellen mee).",
            ["name"],
        )


async def sets_of_employer(
    session: AsyncSession, employer_id: int, *, for_update: bool = False
) -> list[m.ComponentSet]:
    """The employer's sets by id; `for_update` locks them (on PostgreSQL), so that two changes
    of the default set one after the other, never both at once."""
    stmt = (
        select(m.ComponentSet)
        .where(m.ComponentSet.employer_id == employer_id)
        .order_by(m.ComponentSet.id)
    )
    return list(await session.scalars(stmt.with_for_update() if for_update else stmt))


async def components_of_set(session: AsyncSession, set_id: int) -> list[m.Component]:
    stmt = select(m.Component).where(m.Component.set_id == set_id).order_by(m.Component.id)
    return list(await session.scalars(stmt))


async def view_of(session: AsyncSession, row: m.ComponentSet) -> SetView:
    return SetView(row, await components_of_set(session, row.id))


async def provider_of(session: AsyncSession, employer_id: int) -> int:
    """The office of an employer (for the administration log)."""
    provider_id = await session.scalar(
        select(m.Employer.provider_id).where(m.Employer.id == employer_id)
    )
    assert provider_id is not None, "every employer belongs to an office"
    return int(provider_id)


def sets_of_employers(
    principal: Principal | None, run: Callable[[Any], Awaitable[list[Any]]]
) -> Callable[[Sequence[int]], Awaitable[list[list[SetView]]]]:
    """Batch function: employer id -> its component sets (the default first, then by name),
    each with all its components, archived ones too; sets without components as well."""

    async def load(employer_ids: Sequence[int]) -> list[list[SetView]]:
        wanted = sorted(set(employer_ids))
        sets = await run(
            restrict(
                select(m.ComponentSet).where(m.ComponentSet.employer_id.in_(wanted)),
                principal,
                m.ComponentSet,
            )
        )
        members: dict[int, list[m.Component]] = {s.id: [] for s in sets}
        if members:
            rows = await run(
                restrict(
                    select(m.Component)
                    .where(m.Component.set_id.in_(sorted(members)))
                    .order_by(m.Component.id),
                    principal,
                    m.Component,
                )
            )
            for r in rows:
                members[r.set_id].append(r)
        out: dict[int, list[SetView]] = {e: [] for e in employer_ids}
        for s in sorted(sets, key=lambda s: (not s.is_default, s.name, s.id)):
            out[s.employer_id].append(SetView(s, members[s.id]))
        return [out[e] for e in employer_ids]

    return load
