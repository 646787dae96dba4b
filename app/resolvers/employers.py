from __future__ import annotations

import strawberry

from app.db.employer_reads import employers_page
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
    page = await employers_page(ctx, principal, search=search, first=first, after=after)
    return Connection.of(page)
