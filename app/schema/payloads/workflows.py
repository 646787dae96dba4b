"""Payloads of the workflow editor's mutations."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.workflow import WorkflowDefinition


@strawberry.type
class WorkflowDefinitionPayload:
    definition: WorkflowDefinition | None = None
    errors: list[UserError]
