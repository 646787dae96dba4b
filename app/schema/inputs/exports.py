"""Input of the Excel download of the process overview."""

from __future__ import annotations

import strawberry

from app.schema.enums import ProcessTab
from app.schema.inputs.overview import ProcessOverviewFilter, ProcessOverviewSort


@strawberry.input
class ExportProcessOverviewInput:
    employer_id: strawberry.ID | None = strawberry.field(
        default=None, description="None: the overview over all employers (office users)."
    )
    tab: ProcessTab
    filter: ProcessOverviewFilter | None = None
    sort: ProcessOverviewSort | None = None
