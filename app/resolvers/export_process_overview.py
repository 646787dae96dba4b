"""The Excel download of the process overview (DOMAIN.md section 6): the same tab, filter and
order as on screen. Small exports are built within the request; large ones by a background
worker, followed through `Export.status` and `progress`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import strawberry

from app.db import export_requests
from app.db import models as m
from app.db.queries.process_overview import OverviewFilter, filter_to_json
from app.db.session import Session
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.domain.overview import LOCAL_TIME, TAB_LABELS, ProcessTab
from app.export import build
from app.schema.errors import UserError
from app.schema.ids import input_pk
from app.schema.inputs.exports import ExportProcessOverviewInput
from app.schema.overview_filter import overview_filter
from app.schema.payloads.exports import ExportPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class ExportProcessOverview:
    employer_id: int | None  # None: the overview over all employers
    filter: OverviewFilter
    # Settings: up to how many rows the file is built at once; background exports waiting or
    # running per user at a time; how long an inline build holds its claim.
    inline_rows: int
    max_waiting: int
    lease_seconds: float


@dataclass(frozen=True)
class ExportStarted:
    export_id: int
    inline: bool  # build it now, within the request; else a background worker does


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "werkgever"


async def _file_name(session: Session, employer_id: int | None, tab: ProcessTab) -> str:
    if employer_id is None:
        who = "alle-werkgevers"
    else:
        who = _slug(await export_requests.employer_name(session, employer_id) or "")
    at = dt.datetime.now(LOCAL_TIME).strftime("%Y%m%d-%H%M")
    return f"procesbeheer-{who}-{_slug(TAB_LABELS[tab])}-{at}.xlsx"


async def export_process_overview(
    session: Session, principal: Principal, command: ExportProcessOverview
) -> ExportStarted:
    """Ask for the download: built at once up to `inline_rows` rows (claimed from the start),
    else left PENDING for a background worker, a few per user at a time."""
    f = command.filter
    limit = command.inline_rows + 1
    inline = await export_requests.matching_up_to(session, principal, f, limit) < limit
    now = m.utcnow()
    if not inline:
        # A fair share of the background builders: a few waiting exports per user.
        waiting = await export_requests.waiting_exports(session, principal.user_id)
        if waiting >= command.max_waiting:
            raise DomainError(
                ErrorCode.TOO_MANY_EXPORTS,
                f"U heeft al {waiting} downloads in voorbereiding. Wacht tot die klaar zijn.",
            )
    row = m.Export(
        user_id=principal.user_id,
        employer_id=command.employer_id,
        query=filter_to_json(f),
        token=build.new_token(),
        file_name=await _file_name(session, command.employer_id, f.tab),
        # Built right here: claimed from the start, so no worker takes it meanwhile.
        status=m.ExportStatus.RUNNING if inline else m.ExportStatus.PENDING,
        attempts=1 if inline else 0,
        started_at=now if inline else None,
        claimed_until=now + dt.timedelta(seconds=command.lease_seconds) if inline else None,
    )
    session.add(row)
    await session.flush()
    return ExportStarted(row.id, inline)


async def resolve_export_process_overview(
    info: strawberry.Info, input: ExportProcessOverviewInput
) -> ExportPayload:
    """Download the process overview to Excel: the columns of the active overview (with
    component, value and payroll period when filtered on expense claims alone), Dutch headers,
    the same rows in the same order. Up to a few thousand rows the file is READY at once;
    larger ones are built in the background (follow `status` and `progress` through
    `node(id)`). `url` then downloads it, for you only, for a short while."""
    ctx = info.context
    settings = ctx.settings

    def command() -> ExportProcessOverview:
        employer_id = (
            input_pk(input.employer_id, "Employer", "employerId")
            if input.employer_id is not None
            else None
        )
        return ExportProcessOverview(
            employer_id=employer_id,
            filter=overview_filter(ProcessTab(input.tab), employer_id, input.filter, input.sort),
            inline_rows=settings.export_inline_rows,
            max_waiting=settings.export_max_waiting_per_user,
            lease_seconds=settings.export_lease_seconds,
        )

    async def built(started: ExportStarted) -> dict[str, m.Export]:
        if started.inline:
            await build.run(ctx.db, settings, started.export_id, 1, ctx.wake_publisher)
        elif ctx.export_worker is not None:
            ctx.export_worker.wake()
        return {"export": await export_requests.export_now(ctx, started.export_id)}

    payload = await mutate(info, export_process_overview, command, ExportPayload, built)
    if payload.export is not None and payload.export.status is m.ExportStatus.FAILED:
        message = payload.export.error or "Mislukt."
        payload.errors = [UserError(code=ErrorCode.EXPORT_FAILED, message=message)]
    return payload
