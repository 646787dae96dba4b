"""The task centre: open tasks and approvals, with counts per workflow type."""

from __future__ import annotations

import strawberry

from app.schema.connection import Connection
from app.schema.enums import WorkflowType
from app.schema.types.request import Task


@strawberry.type
class TypeCount:
    type: WorkflowType
    count: int


@strawberry.type(description="Open tasks and approvals, newest first.")
class TaskConnection(Connection[Task]):
    _counts: strawberry.Private[object]

    @strawberry.field(description="Matching tasks per workflow type (types with none left out).")
    async def counts_per_type(self) -> list[TypeCount]:
        return await self._counts()
