"""Process management (procesbeheer, DOMAIN.md section 6): the overview of requests per tab,
for one employer or, for office users, every employer they follow."""

from __future__ import annotations

import strawberry

from app.db.queries import overview_page
from app.db.queries import process_overview as overview_queries
from app.domain.errors import DomainError, InvalidArgument
from app.domain.overview import TAB_LABELS, ProcessTab
from app.schema.enums import ProcessTab as ProcessTabEnum
from app.schema.ids import decode_id
from app.schema.inputs.overview import ProcessOverviewFilter, ProcessOverviewSort
from app.schema.overview_filter import overview_filter
from app.schema.types.overview import WorkflowInstanceConnection, overview_columns


async def process_overview(
    info: strawberry.Info,
    tab: ProcessTabEnum,
    employer_id: strawberry.ID | None = None,
    filter: ProcessOverviewFilter | None = None,
    sort: ProcessOverviewSort | None = None,
    first: int | None = None,
    after: str | None = None,
) -> WorkflowInstanceConnection:
    """The requests of an employer in process management: `OPEN` (in progress) or
    `HISTORICAL` (completed, rejected, processed, withdrawn), with who must act next. Without
    `employerId` (office users): every employer where you hold the right, with the employer as
    a column. Department managers see their departments' employees only, whatever the filter.
    `columns` says what to show; `exportProcessOverview` downloads the same rows to Excel."""
    ctx = info.context
    principal = ctx.require_principal()
    pk = decode_id(employer_id, "Employer") if employer_id is not None else None
    try:
        f = overview_filter(ProcessTab(tab), pk, filter, sort)
    except DomainError as error:
        raise InvalidArgument(error.message) from None
    page = await overview_page.page(ctx, principal, f, first=first, after=after)

    async def counts(column):
        return await ctx.rows(overview_queries.counts(principal, f, column))

    return WorkflowInstanceConnection.of(
        page,
        tab_label=TAB_LABELS[f.tab],
        columns=overview_columns(f, provider_wide=employer_id is None),
        _counts=counts,
    )
