"""Payloads of the request mutations: every submission and withdrawal answers with the request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app.schema.errors import UserError
from app.schema.types.request import WorkflowInstance


@strawberry.type
class SubmitRequestPayload:
    instance: WorkflowInstance | None = None
    errors: list[UserError]


def request_fields(info: strawberry.Info) -> Callable[[int], Awaitable[dict[str, Any]]]:
    """The payload's fields once request `pk` is written: read afresh, as the user may see it."""

    async def fields(pk: int) -> dict[str, Any]:
        return {"instance": await info.context.loaders.instance.load(pk)}

    return fields
