"""What every subscription does the same way: catch up, then follow live, with no gap and no
duplicate, checking each event against the subscriber's rights as they are now.

1. Register with the hub first, so that nothing published from now on can be missed.
2. With `after`, replay the published events after it from the database (at most
   `events_replay_max`; further behind: RESYNC).
3. Then take events from the hub's queue, skipping any already replayed (by `seq`).
An event about the subscriber's own access reloads its rights: a subscription it may no longer
hold ends with FORBIDDEN, a signed-out user with UNAUTHENTICATED; one it still holds gets RESYNC,
since what it shows may have changed with the rights (a role unlinked takes its open tasks away,
a department added brings requests in) and no event says so.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, TypeVar

from app.db.principals import load_principal
from app.domain.authz import Principal
from app.domain.errors import InvalidArgument, Unauthenticated
from app.domain.events import Event, changes_access_of

T = TypeVar("T")
Select = Callable[[Principal, Event], Any]  # the event as the subscription shows it, or None
Check = Callable[[Principal], None]  # raises when the subscription is no longer allowed


async def _reload(ctx) -> Principal:
    async with ctx.db.reader() as session:
        principal = await load_principal(session, ctx.principal.username)
    if principal is None:
        raise Unauthenticated("Deze gebruiker bestaat niet meer of is geblokkeerd.")
    ctx.principal = principal
    return principal


async def follow(
    info, *, after: int | None, select: Select, check: Check, resync: Callable[[int], T]
) -> AsyncGenerator[Any, None]:
    """Yield `select(principal, event)` for every event it accepts, in order; `resync(seq)`
    when the subscriber must reload its view (it fell behind, `after` is too old, or its rights
    changed)."""
    ctx = info.context
    principal = ctx.require_principal()
    check(principal)
    if after is not None and after < 0:
        raise InvalidArgument("'after' is een eventnummer van 0 of hoger.")
    hub, limit = ctx.events.hub, ctx.settings.events_replay_max

    async def judge(event: Event):
        nonlocal principal
        if changes_access_of(principal, event):
            principal = await _reload(ctx)
            check(principal)
            shown = resync(event.seq)
        else:
            shown = select(principal, event)
        if shown is not None:
            await ctx.after_write()  # each event's fields read afresh, never from old caches
        return shown

    async with hub.listen() as listener:
        last = hub.last_seq
        if after is not None:
            missed = await hub.replay(after, limit + 1)
            if len(missed) > limit:
                yield resync(last)
                await ctx.after_write()
            else:
                last = after
                for event in missed:
                    last = event.seq
                    if (shown := await judge(event)) is not None:
                        yield shown
                        await ctx.after_write()  # its fields are resolved: give back the reads
        while True:
            event = await listener.next()
            if event is None:  # the queue overflowed: the backlog is gone
                last = hub.last_seq
                yield resync(last)
                await ctx.after_write()
                continue
            if event.seq <= last:
                continue
            last = event.seq
            if (shown := await judge(event)) is not None:
                yield shown
                # The event's fields are resolved and sent: return the read connection now,
                # not at the next event (an idle subscription must hold no database session).
                await ctx.after_write()
