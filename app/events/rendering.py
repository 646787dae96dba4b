"""Rendering for the fan-out (app/events/fanout.py): a group's document executed once on an
event and serialized once, and many groups rendered side by side, their frames handed out
without holding the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLError
from graphql.execution import execute_subscription_event
from strawberry.execution import optimized_is_awaitable

from app.domain.errors import AccessError
from app.events.subscribers import Group

log = logging.getLogger("loketflow.events")

# Groups rendered at once for one event: their reads of the database overlap, without taking
# every pooled connection.
RENDER_CONCURRENCY = 8
# Frames written between two turns of other work (requests, pings): a fan-out to thousands of
# subscribers never holds the event loop for more than a few milliseconds at a time.
YIELD_EVERY = 100


async def render_all(
    work: list[tuple[Group, Any]], seq: int, render: Callable[[Group, Any], Awaitable[str]]
) -> None:
    """Each group's payload of its `root` (by `render`), offered to all of its subscribers."""
    limit = asyncio.Semaphore(RENDER_CONCURRENCY)

    async def one(group: Group, root: Any) -> None:
        async with limit:
            payload = await render(group, root)
        for n, subscriber in enumerate(list(group.subscribers), start=1):
            subscriber.delivery.offer(seq, payload)
            if n % YIELD_EVERY == 0:  # let other requests in between (issue 13.2)
                await asyncio.sleep(0)

    if len(work) == 1:
        await one(*work[0])
    elif work:
        results = await asyncio.gather(*(one(g, r) for g, r in work), return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                log.error("live updates: a group could not be rendered", exc_info=result)


async def render(group: Group, root: Any, reads: Any) -> str:
    """The payload (`{"data": ..., "errors": ...}`) of `root` for the group, as JSON."""
    context = group.context
    async with group.rendering:  # a slow subscriber's RESYNC may be rendered meanwhile
        context.shared_reads = reads
        try:
            result = execute_subscription_event(group.executor.build_per_event_executor(root))
            if optimized_is_awaitable(result):
                result = await result
        finally:
            context.shared_reads = None
            await context.after_write()  # no read session kept between events
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = formatted(result.errors, context)
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def formatted(errors: list[GraphQLError], context: Any) -> list[dict[str, Any]]:
    """As strawberry reports a subscription's errors: logged, and masked in production."""
    from app.schema.extensions import mask_for_client

    for error in errors:
        if isinstance(error.original_error, AccessError):
            continue
        log.error("live updates: %s", error.message, exc_info=error.original_error)
    return [e.formatted for e in mask_for_client(errors, context.settings)]
