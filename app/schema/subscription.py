"""The Subscription root (graphql-transport-ws on /graphql): entry points only."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from app.resolvers import subscriptions
from app.schema.types.export import Export
from app.schema.types.live import MessageCentreEvent, ProcessOverviewEvent, TaskCentreEvent

_AFTER = (
    " Pass `after` (the last `eventId` you received) to first receive what you missed, then "
    "continue live; a RESYNC event means: reload the view."
)


@strawberry.type
class Subscription:
    @strawberry.subscription(description=f"{subscriptions.task_centre_changed.__doc__}{_AFTER}")
    async def task_centre_changed(
        self,
        info: strawberry.Info,
        employer_id: strawberry.ID | None = None,
        after: int | None = None,
    ) -> AsyncGenerator[TaskCentreEvent, None]:
        async for event in subscriptions.task_centre_changed(info, employer_id, after):
            yield event

    @strawberry.subscription(
        description=f"{subscriptions.process_overview_changed.__doc__}{_AFTER}"
    )
    async def process_overview_changed(
        self, info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[ProcessOverviewEvent, None]:
        async for event in subscriptions.process_overview_changed(info, employer_id, after):
            yield event

    @strawberry.subscription(description=f"{subscriptions.message_centre_changed.__doc__}{_AFTER}")
    async def message_centre_changed(
        self, info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
    ) -> AsyncGenerator[MessageCentreEvent, None]:
        async for event in subscriptions.message_centre_changed(info, employer_id, after):
            yield event

    @strawberry.subscription(description=subscriptions.export_progress.__doc__)
    async def export_progress(
        self, info: strawberry.Info, export_id: strawberry.ID
    ) -> AsyncGenerator[Export, None]:
        async for row in subscriptions.export_progress(info, export_id):
            yield row
