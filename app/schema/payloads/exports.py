"""Payload of the Excel download of the process overview."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.export import Export


@strawberry.type
class ExportPayload:
    export: Export | None = None
    errors: list[UserError]
