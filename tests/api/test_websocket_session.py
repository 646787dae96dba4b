"""A WebSocket session is held to the same rules as a request over its whole life (issue 13.1):
it ends when its token expires unless renewed, every operation on it signs in afresh (a blocked
user is refused, a revoked right is gone), and a blocked user's live subscription ends at once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json

import jwt
import pytest
from sqlalchemy import select, update
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.db import models as m
from app.db import outbox
from tests.api.live import post, serve_app, until_subscribed

OVERVIEW = """subscription ($e: ID!) { processOverviewChanged(employerId: $e) { eventId kind } }"""
PAGE = """query ($e: ID!) { processOverview(employerId: $e, tab: OPEN, first: 1) { totalCount } }"""
REVOKE = """mutation ($i: GrantRightInput!) { revokeRight(input: $i) { errors { code } } }"""


@pytest.fixture
async def live(settings, db):
    async with serve_app(settings.model_copy(update={"jwt_leeway_seconds": 0})) as served:
        yield served


def short_token(settings, username: str, seconds: float) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": username, "iat": now, "nbf": now, "exp": now + dt.timedelta(seconds=seconds)}
    return jwt.encode(claims, settings.signing_secret(), algorithm="HS256")


@contextlib.asynccontextmanager
async def session(base: str, token: str):
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        yield ws


async def receive(ws, within: float = 5.0) -> dict:
    async with asyncio.timeout(within):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] != "ping":
                return message
            await ws.send('{"type":"pong"}')


async def run(ws, op_id: str, query: str, variables: dict) -> dict:
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
    message = await receive(ws)
    assert message["id"] == op_id, message
    return message


async def closed(ws, within: float = 5.0) -> ConnectionClosed:
    with pytest.raises(ConnectionClosed) as info:
        await receive(ws, within)
    return info.value


async def test_the_connection_ends_when_its_token_expires(live, settings, ids):
    base, _app = live
    async with session(base, short_token(settings, "werkgever.hr", 1.5)) as ws:
        variables = {"e": await ids.employer()}
        assert "data" in (await run(ws, "1", PAGE, variables))["payload"]
        await receive(ws)  # its complete
        end = await closed(ws, within=5)
    assert (end.rcvd.code, end.rcvd.reason) == (4403, "UNAUTHENTICATED: token expired")


async def test_a_fresh_token_in_a_ping_renews_the_session(live, settings, ids):
    base, _app = live
    async with session(base, short_token(settings, "werkgever.hr", 1.5)) as ws:
        fresh = short_token(settings, "werkgever.hr", 3600)
        await ws.send(json.dumps({"type": "ping", "payload": {"Authorization": f"Bearer {fresh}"}}))
        assert (await receive(ws))["type"] == "pong"
        await asyncio.sleep(2.5)  # past the first token's expiry
        answer = await run(ws, "1", PAGE, {"e": await ids.employer()})
        assert answer["payload"]["data"]["processOverview"]["totalCount"] >= 0


async def test_a_renewal_for_another_user_or_a_bad_token_ends_it(live, settings, token):
    base, _app = live
    for renewal, reason in (
        (token("kantoor.admin"), "FORBIDDEN: a renewed token must name the signed-in user"),
        ("nonsense", "UNAUTHENTICATED: invalid token"),
    ):
        async with session(base, token("werkgever.hr")) as ws:
            ping = {"type": "ping", "payload": {"Authorization": f"Bearer {renewal}"}}
            await ws.send(json.dumps(ping))
            end = await closed(ws)
        assert (end.rcvd.code, end.rcvd.reason) == (4403, reason)


async def test_every_operation_signs_in_afresh(live, db, token, ids):
    base, _app = live
    variables = {"e": await ids.employer()}
    async with session(base, token("werkgever.hr")) as ws:
        assert "data" in (await run(ws, "1", PAGE, variables))["payload"]
        await receive(ws)
        # The right is revoked over HTTP: the open connection has it no longer.
        revoke = {"i": {"userId": await ids.user("werkgever.hr"), "right": "PROCESS_MANAGEMENT",
                        "employerId": variables["e"]}}  # fmt: skip
        done = await post(base, token("kantoor.admin"), REVOKE, revoke)
        assert done["data"]["revokeRight"]["errors"] == []
        refused = (await run(ws, "2", PAGE, variables))["payload"]
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        await receive(ws)
        # Blocked in the database (no event at all): the next operation ends the connection.
        async with db.writer() as s:
            await s.execute(update(m.User).where(m.User.username == "werkgever.hr").values(
                active=False))  # fmt: skip
        payload = {"query": PAGE, "variables": variables}
        await ws.send(json.dumps({"id": "3", "type": "subscribe", "payload": payload}))
        end = await closed(ws)
    assert end.rcvd.code == 4403 and end.rcvd.reason.startswith("UNAUTHENTICATED")


async def test_a_blocked_users_subscription_ends_at_once(live, db, token, ids):
    base, app = live
    async with session(base, token("werkgever.hr")) as ws:
        payload = {"query": OVERVIEW, "variables": {"e": await ids.employer()}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await until_subscribed(base)
        # What a deactivation does (issue 16's deactivateUser): blocked, and the event that
        # tells every process.
        async with db.writer() as s:
            user_id = await s.scalar(select(m.User.id).where(m.User.username == "werkgever.hr"))
            await s.execute(update(m.User).where(m.User.id == user_id).values(active=False))
            outbox.access_changed(s, user_id)
        app.state.events.wake()
        message = await receive(ws)
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await receive(ws))["type"] == "complete"
        end = await closed(ws)
    assert end.rcvd.code == 4403 and end.rcvd.reason.startswith("UNAUTHENTICATED")


@pytest.fixture
async def small(settings, db):
    limits = {"ws_max_connections_per_user": 2, "ws_max_connections": 3,
              "ws_max_subscriptions_per_user": 3}  # fmt: skip
    async with serve_app(settings.model_copy(update=limits)) as served:
        yield served


async def test_connections_and_subscriptions_are_limited_per_user_and_process(small, token, ids):
    base, _app = small
    url = base.replace("http://", "ws://") + "/graphql"
    variables = {"e": await ids.employer()}
    async with contextlib.AsyncExitStack() as stack:
        hr = [await stack.enter_async_context(session(base, token("werkgever.hr"))) for _ in "ab"]
        # A third connection of the same user is refused with a reason that says why.
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init",
                    "payload": {"Authorization": f"Bearer {token('werkgever.hr')}"}}  # fmt: skip
            await ws.send(json.dumps(init))
            end = await closed(ws)
        assert end.rcvd.code == 4429
        assert end.rcvd.reason == "TOO_MANY_CONNECTIONS: at most 2 connections per user"
        # Another user still gets in; then the process is full for everybody.
        await stack.enter_async_context(session(base, token("kantoor.admin")))
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init",
                    "payload": {"Authorization": f"Bearer {token('kantoor.salaris')}"}}  # fmt: skip
            await ws.send(json.dumps(init))
            end = await closed(ws)
        assert (end.rcvd.code, end.rcvd.reason) == (
            4429, "TOO_MANY_CONNECTIONS: this server is full; try another"
        )  # fmt: skip
        # Three live subscriptions for werkgever.hr over its two connections; the fourth is
        # refused, on either connection.
        for n, ws in enumerate((*hr, hr[0])):
            payload = {"query": OVERVIEW, "variables": variables}
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
        await until_subscribed(base, 3)
        payload = {"query": OVERVIEW, "variables": variables}
        await hr[1].send(json.dumps({"id": "x", "type": "subscribe", "payload": payload}))
        refused = await receive(hr[1])
        assert refused["id"] == "x"
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    # Connections that closed are counted no more.
    async with session(base, token("werkgever.hr")), session(base, token("werkgever.hr")):
        pass
