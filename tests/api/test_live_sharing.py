"""Sharing leaks nothing (issue 12): what each subscriber receives from the shared fan-out (one
execution per group of equal subscriptions, rows read once per event, visibility decided in
memory) equals, field for field, what it receives when each subscription executes every event on
its own with scoped SQL reads (LOKETFLOW_LIVE_SHARING=false).

Two servers run on one database: one shares, one does not. Hypothesis draws staff users of every
kind (office users, employer users with and without role links, department managers of one or
more departments, the employee themselves, deviating approvers), subscribes each of them on both
servers to the task centre and the process overview with a wide selection (masked fields
included), then drives requests through submissions, approvals, rights granted and revoked
mid-stream and deviating approvers set: every subscription's messages must be the same on both.
LOKETFLOW_LIVE_SHARING_EXAMPLES sets the number of examples (default 6).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from app.db import models as m
from app.demo.base import DEPARTMENTS
from app.domain.authz import Right, UserType
from app.schema.ids import to_global_id
from tests.api.live import post, serve_app
from tests.api.test_requests import APPROVE, CLAIM, component_id

EXAMPLES = int(os.environ.get("LOKETFLOW_LIVE_SHARING_EXAMPLES", "6"))

INSTANCE = """instance { id status statusLabel type submittedAt
  employee { name iban bsn department { name } } submitter { username }
  employer { name } openTask { id name kind } steps { position name state actor { username } }
  auditTrail { kind actor { username userType } }
  expenseClaim { value amount description } requestedChange { label value } }"""
TASKS = f"""subscription ($e: ID, $after: Int) {{ taskCentreChanged(employerId: $e, after: $after)
  {{ eventId kind openCount {INSTANCE} }} }}"""
OVERVIEW = f"""subscription ($e: ID!) {{ processOverviewChanged(employerId: $e)
  {{ eventId kind status previousStatus {INSTANCE} }} }}"""

ROLES = ("HR", "Salarisprofessional", "Directie")
SUBMITTERS = [f"wn{n:03d}" for n in range(1, 41)]
GRANT = """mutation ($i: GrantRightInput!) { grantRight(input: $i) { errors { code } } }"""
REVOKE = """mutation ($i: GrantRightInput!) { revokeRight(input: $i) { errors { code } } }"""
DEVIATING = """mutation ($i: SetDeviatingApproverInput!) { setDeviatingApprover(input: $i) {
  errors { code } } }"""
TASK_IDS = "{ taskCentre(first: 100) { edges { node { id } } } }"


@dataclass
class Profile:
    user_type: UserType
    rights: frozenset[Right]
    roles: frozenset[str]
    departments: frozenset[str]
    employee_number: int | None  # the person behind the user, if an employee of the employer


profiles = st.builds(
    Profile,
    user_type=st.sampled_from([UserType.PROVIDER, UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER]),
    rights=st.frozensets(
        st.sampled_from(
            [
                Right.PROCESS_MANAGEMENT,
                Right.VIEW_EMPLOYEES,
                Right.VIEW_MIJNLOKET_EMAIL,
                Right.MANAGE_USERS,
            ]
        )
    ),
    roles=st.frozensets(st.sampled_from(ROLES), max_size=2),
    departments=st.frozensets(st.sampled_from(DEPARTMENTS), min_size=1, max_size=2),
    employee_number=st.one_of(st.none(), st.integers(1, 50)),
)

actions = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(SUBMITTERS)),
    st.tuples(st.just("act"), st.integers(0, 50)),
    st.tuples(st.just("grant"), st.integers(0, 50)),
    st.tuples(st.just("revoke"), st.integers(0, 50)),
    st.tuples(st.just("deviate"), st.integers(1, 50), st.integers(0, 50)),
)


@dataclass
class Listener:
    """A subscription's messages, collected in the background."""

    messages: list = field(default_factory=list)


@contextlib.asynccontextmanager
async def listening(base: str, token: str, query: str, variables: dict):
    ws_url = base.replace("http", "ws") + "/graphql"
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        payload = {"query": query, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        listener = Listener()

        async def read():
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "ping":
                    await ws.send('{"type":"pong"}')
                    continue
                listener.messages.append({k: message.get(k) for k in ("type", "payload")})

        reader = asyncio.create_task(read())
        try:
            yield listener
        finally:
            reader.cancel()
            with contextlib.suppress(BaseException):
                await reader


@pytest.fixture
async def two_servers(settings, db):
    quick = {"events_check_seconds": 0.05, "events_poll_seconds": 0.05}
    shared = settings.model_copy(update={**quick, "live_sharing": True})
    alone = settings.model_copy(update={**quick, "live_sharing": False})
    async with serve_app(shared) as one, serve_app(alone) as other:
        yield one, other


_made = iter(range(1, 10**6))  # usernames stay unique over the examples of a run


class World:
    def __init__(self, db, token, servers):
        self.db, self.token = db, token
        (self.shared, self.app_shared), (self.alone, self.app_alone) = servers

    async def add_users(self, drawn: list[Profile]) -> list[str]:
        """The drawn users, created as the office would have them (plus the demo's staff)."""
        names = []
        async with self.db.writer() as s:
            employer = await s.scalar(select(m.Employer))
            departments = {
                d.name: d.id
                for d in await s.scalars(select(m.Department).filter_by(employer_id=employer.id))
            }
            roles = {r.name: r.id for r in await s.scalars(select(m.Role))}
            for p in drawn:
                made = next(_made)
                person = None
                if p.employee_number is not None:
                    person = await s.scalar(
                        select(m.Employee.person_id).filter_by(employee_number=p.employee_number)
                    )
                provider = p.user_type is UserType.PROVIDER
                user = m.User(
                    username=f"deel.{made:03d}",
                    display_name=f"Deelnemer {made}",
                    user_type=p.user_type,
                    provider_id=employer.provider_id if provider else None,
                    employer_id=None if provider else employer.id,
                    person_id=person,
                )
                s.add(user)
                await s.flush()
                for right in p.rights:
                    s.add(m.RightGrant(user_id=user.id, right=right,
                                       employer_id=None if provider else employer.id))  # fmt: skip
                for role in p.roles:
                    s.add(m.RoleLink(role_id=roles[role], user_id=user.id, employer_id=employer.id))
                if p.user_type is UserType.DEPARTMENT_MANAGER:
                    for name in p.departments:
                        s.add(m.UserDepartment(user_id=user.id, department_id=departments[name]))
                names.append(user.username)
        return [*names, "manager.verkoop", "werkgever.hr", "kantoor.salaris"]

    async def settled(self, listeners) -> None:
        """Both servers have published and delivered everything there is (then quiet)."""
        async with self.db.reader() as s:
            top = await s.scalar(select(func.max(m.OutboxEvent.seq))) or 0
            waiting = await s.scalar(
                select(func.count()).select_from(m.OutboxEvent).where(m.OutboxEvent.seq.is_(None))
            )
        async with asyncio.timeout(20):
            while waiting or any(
                a.state.events.hub.last_seq < top for a in (self.app_shared, self.app_alone)
            ):
                await asyncio.sleep(0.05)
                async with self.db.reader() as s:
                    top = await s.scalar(select(func.max(m.OutboxEvent.seq))) or 0
                    waiting = await s.scalar(
                        select(func.count())
                        .select_from(m.OutboxEvent)
                        .where(m.OutboxEvent.seq.is_(None))
                    )
        fanout = self.app_shared.state.events.fanout
        async with asyncio.timeout(20):
            while fanout.position < top:  # noqa: ASYNC110 (no signal for it)
                await asyncio.sleep(0.05)
        # The fan-out and the lone subscriptions render and send (the lone ones slowly, one
        # execution each): until both sides sent as much, or 30 s (then the test shows what
        # differs), then a moment of quiet.
        pairs = [(v, listeners[(u, n, "alone")]) for (u, n, side), v in listeners.items()
                 if side == "shared"]  # fmt: skip

        def counts():
            return [(len(a.messages), len(b.messages)) for a, b in pairs]

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                while True:
                    before = counts()
                    await asyncio.sleep(0.5)
                    if before == counts() and all(a == b for a, b in before):
                        break

    async def run(self, action, users: list[str]) -> None:
        kind, *args = action
        admin = self.token("kantoor.admin")
        async with self.db.reader() as s:
            employer = await s.scalar(select(m.Employer.id))
            user_ids = {
                u.username: u.id
                for u in await s.scalars(select(m.User).where(m.User.username.in_(users)))
            }
        pick = users[args[0] % len(users)] if kind != "submit" else None
        if kind == "submit":
            component = await component_id(self.db, "Kilometers onbelast")
            variables = {"input": {"componentId": component, "value": "12"}}
            await post(self.shared, self.token(args[0]), CLAIM, variables)
        elif kind == "act":
            tasks = await post(self.shared, self.token(pick), TASK_IDS)
            edges = ((tasks.get("data") or {}).get("taskCentre") or {}).get("edges") or []
            if edges:
                task = edges[0]["node"]["id"]
                await post(self.shared, self.token(pick), APPROVE, {"input": {"taskId": task}})
        elif kind in ("grant", "revoke"):
            variables = {"i": {"userId": to_global_id("User", user_ids[pick]),
                               "right": "PROCESS_MANAGEMENT",
                               "employerId": to_global_id("Employer", employer)}}  # fmt: skip
            await post(self.shared, admin, GRANT if kind == "grant" else REVOKE, variables)
        elif kind == "deviate":
            number, who = args
            async with self.db.reader() as s:
                employee = await s.scalar(select(m.Employee.id).filter_by(employee_number=number))
            target = users[who % len(users)]
            variables = {"i": {"employeeId": to_global_id("Employee", employee),
                               "userId": to_global_id("User", user_ids[target])}}  # fmt: skip
            await post(self.shared, admin, DEVIATING, variables)


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    drawn=st.lists(profiles, min_size=2, max_size=5),
    steps=st.lists(actions, min_size=3, max_size=7),
)
async def test_shared_delivery_equals_delivery_one_by_one(two_servers, db, token, drawn, steps):
    world = World(db, token, two_servers)
    users = await world.add_users(drawn)
    async with db.reader() as s:
        employer = to_global_id("Employer", await s.scalar(select(m.Employer.id)))
    async with contextlib.AsyncExitStack() as stack:
        subscriptions = {}
        for user in users:
            for name, query, variables in (
                ("tasks", TASKS, {"e": employer, "after": None}),
                ("all tasks", TASKS, {}),
                ("overview", OVERVIEW, {"e": employer}),
            ):
                for side, base in (("shared", world.shared), ("alone", world.alone)):
                    subscriptions[user, name, side] = await stack.enter_async_context(
                        listening(base, token(user), query, variables)
                    )
        # Every subscription registered on both servers, or refused (no PROCESS_MANAGEMENT).
        for side, app in (("shared", world.app_shared), ("alone", world.app_alone)):
            mine = [v for k, v in subscriptions.items() if k[2] == side]
            async with asyncio.timeout(20):
                while app.state.events.subscriptions() + _refused(mine) < len(mine):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        for step in steps:
            await world.run(step, users)
            await world.settled(subscriptions)
        delivered = 0
        for (user, name, side), listener in subscriptions.items():
            if side != "shared":
                continue
            alone = subscriptions[user, name, "alone"].messages
            assert listener.messages == alone, (
                user,
                name,
                _brief(listener.messages),
                _brief(alone),
            )
            delivered += len(alone)
    assert delivered >= 0


def _refused(listeners) -> int:
    """Subscriptions refused at once (they received their error)."""
    return sum(1 for listener in listeners if listener.messages)


def _brief(messages: list) -> list:
    """What a failure shows of each message: its kind, event and what differs most often."""
    out = []
    for message in messages:
        payload = message.get("payload") or {}
        data = (payload.get("data") if isinstance(payload, dict) else None) or {}
        event = next(iter(data.values()), None) or {}
        out.append((message["type"], event.get("eventId"), event.get("kind"),
                    event.get("openCount"), (event.get("instance") or {}).get("id")))  # fmt: skip
    return out
