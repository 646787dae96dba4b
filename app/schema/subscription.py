"""The Subscription root (graphql-transport-ws on /graphql): entry points only."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.resolvers import subscriptions as s
from app.schema.types.export import Export

_AFTER = (
    " Pass `after` (the last `eventId` you received) to first receive what you missed, then "
    "continue live; a RESYNC event means: reload the view."
)


@strawberry.type
class Subscription:
    @strawberry.subscription(description=f"{s.task_centre_changed.__doc__}{_AFTER}")
    async def task_centre_changed(
        self,
        info: strawberry.Info,
        employer_id: strawberry.ID | None = None,
        after: int | None = None,
    ) -> AsyncGenerator[s.TaskCentreEvent, None]:
        async for event in s.task_centre_changed(info, employer_id, after):
            yield event

    @strawberry.subscription(description=f"{s.process_overview_changed.__doc__}{_AFTER}")
    async def process_overview_changed(
        self, info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[s.ProcessOverviewEvent, None]:
        async for event in s.process_overview_changed(info, employer_id, after):
            yield event

    @strawberry.subscription(description=f"{s.message_centre_changed.__doc__}{_AFTER}")
    async def message_centre_changed(
        self, info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[s.MessageCentreEvent, None]:
        async for event in s.message_centre_changed(info, employer_id, after):
            yield event

    @strawberry.subscription(description=s.export_progress.__doc__)
    async def export_progress(
        self, info: strawberry.Info, export_id: strawberry.ID
    ) -> AsyncGenerator[Export, None]:
        async for row in s.export_progress(info, export_id):
            yield row
