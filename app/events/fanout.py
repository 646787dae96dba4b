"""The fan-out of one process: each event to every live WebSocket subscription, with the work
shared between subscriptions that ask the same thing.

Subscriptions are grouped by what decides their output: the subscription field, the document
(with the root field's `after` left out: it only says where a subscriber's catch-up starts), the
variables the document's execution uses, and the subscriber's `Principal` (its user, rights,
role links and departments). A group is judged once per event (`View.judge`, in memory); if the
event concerns it, its document is executed once, on the event, with the group's principal as
the context's (so field rights and masking are the same as for one subscriber alone), and the
result is serialized once. Each subscriber then gets that payload in a frame of its own
operation (app/events/delivery.py). The rows an event's executions read are read once per event
for all groups (app/events/shared_reads.py); which of them a group may see is decided in memory.

Events are handled one at a time, in order, each to the end, with the cyclic garbage collector
held off meanwhile (app/events/collector.py): a full collection never stalls a fan-out.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from typing import Any

from graphql import GraphQLError
from graphql.execution import Executor
from strawberry.execution import optimized_is_awaitable

from app.db.principals import load_principal
from app.domain.authz import Principal
from app.domain.errors import AccessError, Unauthenticated
from app.domain.events import Event, changes_access_of
from app.events.collector import collector_paused
from app.events.delivery import Delivery
from app.events.documents import shared_document
from app.events.follow import LiveOperation, View
from app.events.open_counts import OpenCounts
from app.events.rendering import render, render_all
from app.events.shared_reads import SharedReads
from app.events.subscribers import Group, Subscriber, sign_out_soon, text_sender
from app.schema.limits import LimitExceeded

log = logging.getLogger("loketflow.events")

# The fan-out's own queue, in events: a burst waits here, not in every subscription.
QUEUE_EVENTS = 10_000


class Fanout:
    def __init__(self, hub, db, settings, schema):
        self.hub, self.db, self.settings, self.schema = hub, db, settings, schema
        self.groups: dict[tuple, Group] = {}
        self.counts = OpenCounts(db)
        self.per_user: Counter[int] = Counter()  # live subscriptions per user
        self._forming: dict[tuple, asyncio.Future] = {}  # groups being made
        self.position = 0  # the last event handed to every subscription it concerns
        self._task: asyncio.Task | None = None
        self.listener = None  # its queue of the hub's events

    @property
    def subscriptions(self) -> int:
        return sum(len(g.subscribers) for g in self.groups.values())

    # --- joining and leaving ---------------------------------------------------------------

    async def join(self, view: View, ctx, live: LiveOperation, *, held: bool) -> Subscriber:
        """Add a subscription; from the moment this returns, every event after
        `subscriber.delivery.floor` reaches it (held back while `held`)."""
        principal = ctx.principal
        if self.per_user[principal.user_id] >= self.settings.ws_max_subscriptions_per_user:
            raise LimitExceeded(
                "TOO_MANY_SUBSCRIPTIONS",
                "Te veel gelijktijdige abonnementen voor deze gebruiker: het maximum is "
                f"{self.settings.ws_max_subscriptions_per_user}.",
            )
        operation = live.operation
        document, variables = shared_document(operation.query, operation.operation_name,
                                              operation.variables)  # fmt: skip
        key = (view.field, document.key, variables.key, principal)
        while (group := self.groups.get(key)) is None:
            await self._form_group(key, view, principal, ctx, document, variables)
        # From here to the end, nothing awaits: the floor is the hub's position at the moment
        # the subscriber became reachable.
        delivery = Delivery(
            text_sender(live.handler.websocket.ws),
            operation.id,
            floor=self.hub.last_seq,
            held=held,
            limit=self.settings.subscriber_queue_size,
            is_open=lambda: live.is_open,
            resync=lambda: self._resync_of(subscriber),
        )
        subscriber = Subscriber(group=group, delivery=delivery, context=ctx, handler=live.handler)
        group.subscribers.append(subscriber)
        subscriber.user_id = principal.user_id
        self.per_user[principal.user_id] += 1
        return subscriber

    async def _form_group(self, key, view, principal, ctx, document, variables) -> None:
        """Make the group of `key`, once: a thousand tabs that open at once (a restart, a
        wall of dashboards) wait for the one that makes it, rather than each reading its
        open count."""
        forming = self._forming.get(key)
        if forming is not None:
            await asyncio.shield(forming)
            return
        forming = self._forming[key] = asyncio.get_running_loop().create_future()
        try:
            await self._new_group(key, view, principal, ctx, document, variables)
        finally:
            del self._forming[key]
            forming.set_result(None)

    async def _new_group(self, key, view, principal, ctx, document, variables) -> Group:
        if view.counts_tasks:
            await self.counts.follow((principal, view.employer_id))
        if (group := self.groups.get(key)) is not None:  # made meanwhile by another subscriber
            if view.counts_tasks:
                self.counts.unfollow((principal, view.employer_id))
            return group
        context = ctx.shared_copy(principal)
        executor = Executor.build(
            self.schema._schema,
            document.node,
            context_value=context,
            raw_variable_values=variables.values,
            operation_name=document.operation_name,
            is_awaitable=optimized_is_awaitable,
        )
        if isinstance(executor, list):  # cannot happen: strawberry validated the same document
            raise GraphQLError(executor[0].message)
        group = Group(key=key, view=view, principal=principal, executor=executor, context=context)
        self.groups[key] = group
        return group

    async def leave(self, subscriber: Subscriber) -> None:
        group = subscriber.group
        self.per_user[subscriber.user_id] -= 1
        if self.per_user[subscriber.user_id] <= 0:
            del self.per_user[subscriber.user_id]
        await subscriber.delivery.close()
        if subscriber.ended.done() and not subscriber.ended.cancelled():
            subscriber.ended.exception()  # seen: asyncio need not report it as lost
        if subscriber in group.subscribers:
            group.subscribers.remove(subscriber)
        if not group.subscribers and self.groups.get(group.key) is group:
            del self.groups[group.key]
            if group.view.counts_tasks:
                self.counts.unfollow(group.count_key)

    # --- the events ------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="loketflow-fanout")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=2)
            self._task = None

    async def _run(self) -> None:
        async with self.hub.listen(QUEUE_EVENTS) as listener:
            self.listener = listener
            while True:
                event = await listener.next()
                try:
                    with collector_paused():
                        if event is None:  # the fan-out itself fell too far behind
                            await self._resync_everyone(self.hub.last_seq)
                        else:
                            await self.deliver(event)
                            self.position = event.seq
                except Exception:
                    log.exception("live updates: an event could not be delivered")

    async def deliver(self, event: Event) -> None:
        """`event` to every group it concerns, each group rendered once."""
        self.counts.apply(event)
        reads = SharedReads(self.db)
        work: list[tuple[Group, Any]] = []
        access: dict[int, list[Group]] = defaultdict(list)
        recount: set[tuple] = set()  # open counts to read again (their steps changed hands)
        for group in list(self.groups.values()):
            if changes_access_of(group.principal, event):
                access[group.principal.user_id].append(group)
                continue
            root = group.view.judge(group.principal, event)
            if root is None:
                continue
            if group.view.counts_tasks and group.view.resyncs(group.principal, event):
                recount.add(group.count_key)
            work.append((group, root))
        for key in recount:
            await self.counts.reread(key)
        try:
            for user_id, groups in access.items():
                work += await self._access_changed(user_id, groups, event)
            await self._render_all(work, event.seq, reads)
        finally:
            await reads.close()

    async def _render_all(self, work: list[tuple[Group, Any]], seq: int, reads: Any) -> None:
        await render_all(work, seq, lambda group, root: self._render(group, root, reads))

    async def _render(self, group: Group, root: Any, reads: Any) -> str:
        """The payload (`{"data": ..., "errors": ...}`) of `root` for the group, as JSON."""
        if group.view.counts_tasks:
            root._open_count = self.counts.value(group.count_key)
        return await render(group, root, reads)

    # --- rights that changed ---------------------------------------------------------------

    async def _access_changed(
        self, user_id: int, groups: list[Group], event: Event
    ) -> list[tuple[Group, Any]]:
        """The user's rights changed: reload them once; each of its groups goes on with the new
        principal and a RESYNC, or ends (FORBIDDEN, UNAUTHENTICATED)."""
        async with self.db.reader() as session:
            principal = await load_principal(session, groups[0].principal.username)
        work = []
        for group in groups:
            try:
                if principal is None:
                    raise Unauthenticated("Deze gebruiker bestaat niet meer of is geblokkeerd.")
                group.view.check(principal)
            except AccessError as error:
                for subscriber in group.subscribers:
                    subscriber.end(error)
                    if principal is None and subscriber.handler is not None:
                        # Signed out for good: the connection ends too, after the error.
                        asyncio.get_running_loop().call_later(
                            0.2, sign_out_soon, subscriber.handler
                        )
                continue
            counted = (
                group.view.counts_tasks and self.groups.get((*group.key[:3], principal)) is None
            )
            group = self._rekey(group, principal)
            if counted:
                await self.counts.follow(group.count_key)
            for subscriber in group.subscribers:
                subscriber.context.principal = principal
            if all(g is not group for g, _ in work):  # merged twice: one RESYNC
                work.append((group, group.view.resync(event.seq)))
        return work

    def _rekey(self, group: Group, principal: Principal) -> Group:
        """The group under its new principal; merged into the group that already has that key
        (a tab opened after the change), since both would show the same."""
        if self.groups.get(group.key) is group:
            del self.groups[group.key]
        if group.view.counts_tasks:
            self.counts.unfollow(group.count_key)
        key = (*group.key[:3], principal)
        if (same := self.groups.get(key)) is not None:
            for subscriber in group.subscribers:
                subscriber.group = same
            same.subscribers += group.subscribers
            group.subscribers = []
            return same
        group.principal, group.key = principal, key
        group.context.principal = principal
        self.groups[key] = group
        return group

    async def _resync_everyone(self, seq: int) -> None:
        for key in {g.count_key for g in self.groups.values() if g.view.counts_tasks}:
            await self.counts.reread(key)
        work = [(g, g.view.resync(seq)) for g in self.groups.values()]
        reads = SharedReads(self.db)
        try:
            await self._render_all(work, seq, reads)
        finally:
            await reads.close()

    async def _resync_of(self, subscriber: Subscriber) -> tuple[int, str] | None:
        """A RESYNC for one subscriber whose backlog was dropped (a slow client)."""
        group = subscriber.group
        seq = self.hub.last_seq
        reads = SharedReads(self.db)
        try:
            return seq, await self._render(group, group.view.resync(seq), reads)
        finally:
            await reads.close()
