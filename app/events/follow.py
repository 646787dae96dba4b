"""What every live subscription does the same way: catch up, then follow live, with no gap and no
duplicate, checking each event against the subscriber's rights as they are now.

1. Register first (with the fan-out, or with the hub), so that nothing published from now on can
   be missed.
2. With `after`, replay the published events after it from the database (at most
   `events_replay_max`; further behind: RESYNC). Live events wait meanwhile.
3. Then follow live, skipping any event already replayed (by `seq`).

Live events of a WebSocket subscription are delivered by the process's fan-out
(app/events/fanout.py): one execution per group of subscriptions that ask the same thing with
the same rights, one serialized payload, a frame per subscriber. Elsewhere (a subscription run
outside a WebSocket operation, e.g. `schema.subscribe` in a script) each event is yielded and
executed for this subscriber alone. Both apply the same `View`.

An event about the subscriber's own access reloads its rights: a subscription it may no longer
hold ends with FORBIDDEN, a signed-out user with UNAUTHENTICATED; one it still holds gets RESYNC,
since what it shows may have changed with the rights (a role unlinked takes its open tasks away,
a department added brings requests in) and no event says so.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

from app.db.principals import load_principal
from app.domain.authz import Principal
from app.domain.errors import InvalidArgument, Unauthenticated
from app.domain.events import Event, changes_access_of


@dataclass(frozen=True)
class View:
    """What one kind of live subscription shows, decided without the database."""

    field: str  # the Subscription field, for logs and the group key
    employer_id: int | None  # its `employerId`, if it has one
    check: Callable[[Principal], None]  # raises when the subscription is no longer allowed
    select: Callable[[Principal, Event], Any]  # the event as the subscription shows it, or None
    resync: Callable[[int], Any]  # the RESYNC event to continue from event number N
    # The event means "reload" for this principal (e.g. the employer's steps changed hands).
    resyncs: Callable[[Principal, Event], bool] = lambda _principal, _event: False
    counts_tasks: bool = False  # shows `openCount` (kept by app/events/open_counts.py)

    def judge(self, principal: Principal, event: Event) -> Any:
        if self.resyncs(principal, event):
            return self.resync(event.seq)
        return self.select(principal, event)


@dataclass(frozen=True)
class LiveOperation:
    """The graphql-transport-ws operation being run (set by the WebSocket handler)."""

    handler: Any  # app/web/view.py's handler of the connection
    operation: Any  # strawberry's Operation: id, query, variables, operation_name

    @property
    def is_open(self) -> bool:
        return self.handler.operations.get(self.operation.id) is self.operation


CURRENT_OPERATION: contextvars.ContextVar[LiveOperation | None] = contextvars.ContextVar(
    "loketflow_live_operation", default=None
)


async def reload_principal(ctx) -> Principal:
    async with ctx.db.reader() as session:
        principal = await load_principal(session, ctx.principal.username)
    if principal is None:
        raise Unauthenticated("Deze gebruiker bestaat niet meer of is geblokkeerd.")
    ctx.principal = principal
    return principal


async def follow(info, view: View, after: int | None) -> AsyncGenerator[Any, None]:
    """Yield what the subscriber is shown, in order; RESYNC when it must reload its view (it fell
    behind, `after` is too old, or its rights changed)."""
    ctx = info.context
    principal = ctx.require_principal()
    view.check(principal)
    if after is not None and after < 0:
        raise InvalidArgument("'after' is een eventnummer van 0 of hoger.")
    live = CURRENT_OPERATION.get()
    fanout = getattr(ctx.events, "fanout", None)
    if live is None or fanout is None:
        async for shown in _follow_alone(ctx, view, after):
            yield shown
        return
    subscriber = await fanout.join(view, ctx, live, held=after is not None)
    try:
        if after is not None:
            last = floor = subscriber.delivery.floor
            async for shown, last in _replay(ctx, view, after, floor):  # noqa: B007
                if shown is not None:
                    yield shown
                    await ctx.after_write()  # its fields are resolved: give back the reads
            subscriber.delivery.release(last)
        await subscriber.ended  # raises what ends it (rights revoked, user blocked)
    finally:
        await fanout.leave(subscriber)


async def _judge(ctx, view: View, principal: Principal, event: Event) -> tuple[Principal, Any]:
    """The principal after `event` and what the subscription shows of it: an event about the
    subscriber's own access reloads its rights (raising when the subscription is no longer
    allowed) and means RESYNC."""
    if changes_access_of(principal, event):
        principal = await reload_principal(ctx)
        view.check(principal)
        return principal, view.resync(event.seq)
    return principal, view.judge(principal, event)


async def _replay(ctx, view: View, after: int, last: int):
    """Each event published after `after` as (what is shown or None, its number); just a RESYNC
    at `last` if there are more than `events_replay_max` of them."""
    hub, limit = ctx.events.hub, ctx.settings.events_replay_max
    missed = await hub.replay(after, limit + 1)
    if len(missed) > limit:
        yield view.resync(last), last
        return
    principal = ctx.principal
    for event in missed:
        principal, shown = await _judge(ctx, view, principal, event)
        if shown is not None:
            await ctx.after_write()  # each event's fields read afresh, never from old caches
        yield shown, event.seq


async def _follow_alone(ctx, view: View, after: int | None) -> AsyncGenerator[Any, None]:
    """One subscriber on its own hub queue, each event executed for it alone."""
    hub = ctx.events.hub
    async with hub.listen() as listener:
        last = floor = hub.last_seq
        if after is not None:
            async for shown, last in _replay(ctx, view, after, floor):  # noqa: B007
                if shown is not None:
                    yield shown
                    await ctx.after_write()
        principal = ctx.principal
        while True:
            event = await listener.next()
            if event is None:  # the queue overflowed: the backlog is gone
                last = hub.last_seq
                yield view.resync(last)
                await ctx.after_write()
                continue
            if event.seq <= last:
                continue
            last = event.seq
            principal, shown = await _judge(ctx, view, principal, event)
            if shown is not None:
                await ctx.after_write()
                yield shown
                # The event's fields are resolved and sent: return the read connection now,
                # not at the next event (an idle subscription must hold no database session).
                await ctx.after_write()
