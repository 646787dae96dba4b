from __future__ import annotations

import strawberry
from sqlalchemy import func, select

from app.db import models as m
from app.db.queries.pagination import keyset_page
from app.db.scoping import employers_where, restrict
from app.schema.connection import Connection
from app.schema.types.employer import Employer


async def employers(
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    search: str | None = None,
) -> Connection[Employer]:
    """The employers you can reach, by name; `search` matches part of the name."""
    ctx = info.context
    principal = ctx.require_principal()
    # Where you can act; an employer where you are only employed yourself is not listed.
    stmt = restrict(
        select(m.Employer).where(employers_where(principal)(m.Employer.id)), principal, m.Employer
    )
    if search and search.strip():
        stmt = stmt.where(
            func.lower(m.Employer.name).contains(search.strip().lower(), autoescape=True)
        )
    order = (m.Employer.name, m.Employer.id)
    page = await keyset_page(ctx, stmt, order, lambda e: (e.name, e.id), first=first, after=after)
    return Connection.of(page)
