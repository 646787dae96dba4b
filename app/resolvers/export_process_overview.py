"""The Excel download of the process overview (DOMAIN.md section 6): the same tab, filter and
order as on screen. Small exports are built within the request; large ones by a background
worker, followed through `Export.status` and `progress`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import strawberry
from sqlalchemy import func, select

from app.db import models as m
from app.db.queries import process_overview as q
from app.domain.errors import DomainError, ErrorCode
from app.domain.overview import LOCAL_TIME, TAB_LABELS, ProcessTab
from app.export import build
from app.resolvers.common import input_pk, write
from app.resolvers.process_overview import (
    ProcessOverviewFilter,
    ProcessOverviewSort,
    overview_filter,
)
from app.schema.enums import ProcessTab as ProcessTabEnum
from app.schema.errors import UserError
from app.schema.types.export import Export


@strawberry.input
class ExportProcessOverviewInput:
    employer_id: strawberry.ID | None = strawberry.field(
        default=None, description="None: the overview over all employers (office users)."
    )
    tab: ProcessTabEnum
    filter: ProcessOverviewFilter | None = None
    sort: ProcessOverviewSort | None = None


@strawberry.type
class ExportPayload:
    export: Export | None = None
    errors: list[UserError]


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "werkgever"


async def _file_name(session, employer_id: int | None, tab: ProcessTab) -> str:
    if employer_id is None:
        who = "alle-werkgevers"
    else:
        who = _slug(
            await session.scalar(select(m.Employer.name).where(m.Employer.id == employer_id))
        )
    at = dt.datetime.now(LOCAL_TIME).strftime("%Y%m%d-%H%M")
    return f"procesbeheer-{who}-{_slug(TAB_LABELS[tab])}-{at}.xlsx"


async def export_process_overview(
    info: strawberry.Info, input: ExportProcessOverviewInput
) -> ExportPayload:
    """Download the process overview to Excel: the columns of the active overview (with
    component, value and payroll period when filtered on expense claims alone), Dutch headers,
    the same rows in the same order. Up to a few thousand rows the file is READY at once;
    larger ones are built in the background (follow `status` and `progress` through
    `node(id)`). `url` then downloads it, for you only, for a short while."""
    ctx = info.context
    settings = ctx.settings
    principal = ctx.require_principal()
    try:
        employer_id = (
            input_pk(input.employer_id, "Employer", "employerId")
            if input.employer_id is not None
            else None
        )
        f = overview_filter(ProcessTab(input.tab), employer_id, input.filter, input.sort)
    except DomainError as error:
        return ExportPayload(errors=[UserError.of(error)])
    limit = settings.export_inline_rows + 1
    inline = await ctx.scalar(q.count(principal, f, limit=limit)) < limit

    async def create(session, principal) -> int:
        now = m.utcnow()
        if not inline:
            # A fair share of the background builders: a few waiting exports per user.
            waiting = await session.scalar(
                select(func.count())
                .select_from(m.Export)
                .where(
                    m.Export.user_id == principal.user_id,
                    m.Export.status.in_([m.ExportStatus.PENDING, m.ExportStatus.RUNNING]),
                )
            )
            if waiting >= settings.export_max_waiting_per_user:
                raise DomainError(
                    ErrorCode.TOO_MANY_EXPORTS,
                    f"U heeft al {waiting} downloads in voorbereiding. Wacht tot die klaar zijn.",
                )
        row = m.Export(
            user_id=principal.user_id,
            employer_id=employer_id,
            query=q.filter_to_json(f),
            token=build.new_token(),
            file_name=await _file_name(session, employer_id, f.tab),
            # Built right here: claimed from the start, so no worker takes it meanwhile.
            status=m.ExportStatus.RUNNING if inline else m.ExportStatus.PENDING,
            attempts=1 if inline else 0,
            started_at=now if inline else None,
            claimed_until=now + dt.timedelta(seconds=settings.export_lease_seconds)
            if inline
            else None,
        )
        session.add(row)
        await session.flush()
        return row.id

    try:
        export_id = await write(info, create)
    except DomainError as error:
        return ExportPayload(errors=[UserError.of(error)])
    if inline:
        await build.run(ctx.db, settings, export_id, 1, ctx.wake_publisher)
    elif ctx.export_worker is not None:
        ctx.export_worker.wake()
    row = await ctx.scalar(
        select(m.Export).where(m.Export.id == export_id).execution_options(populate_existing=True)
    )
    errors = []
    if row.status is m.ExportStatus.FAILED:
        errors = [UserError(code=ErrorCode.EXPORT_FAILED, message=row.error or "Mislukt.")]
    return ExportPayload(export=row, errors=errors)
