from __future__ import annotations

import strawberry
from sqlalchemy import false, func, select

from app.db import models as m
from app.db.queries.pagination import keyset_page
from app.db.scoping import employers_where, restrict
from app.domain.authz import UserType
from app.schema.connection import Connection
from app.schema.types.employer import Employer


async def employers(
    info: strawberry.Info,
    first: int | None = None,
    after: str | None = None,
    search: str | None = None,
) -> Connection[Employer]:
    """The employers you work for as office or employer staff, by name; `search` matches part
    of the name. Empty for MijnLoket accounts: their employers are under
    `viewer { employments }`."""
    ctx = info.context
    principal = ctx.require_principal()
    # Where you can act; an employer where you are only employed yourself is not listed.
    acts = employers_where(principal)(m.Employer.id)
    if principal.user_type is UserType.EMPLOYEE:
        acts = false()
    stmt = restrict(select(m.Employer).where(acts), principal, m.Employer)
    if search and search.strip():
        stmt = stmt.where(
            func.lower(m.Employer.name).contains(search.strip().lower(), autoescape=True)
        )
    order = (m.Employer.name, m.Employer.id)
    page = await keyset_page(ctx, stmt, order, lambda e: (e.name, e.id), first=first, after=after)
    return Connection.of(page)
