"""deactivateUser signs the user out at once (issue 16): its next request with an old token is
UNAUTHENTICATED, its live subscriptions end (UNAUTHENTICATED) and its WebSocket connection
closes with 4403; the user stays readable with `active: false`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.db import models as m
from tests.api.live import post, serve_app, until_subscribed
from tests.api.test_websocket_session import receive, session
from tests.conftest import errors_of

DEACTIVATE = """
mutation ($i: DeactivateUserInput!) {
  deactivateUser(input: $i) { user { username active } errors { code message field } }
}
"""
OVERVIEW = """subscription ($e: ID!) { processOverviewChanged(employerId: $e) { eventId kind } }"""
VIEWER = "{ viewer { username } }"


@pytest.fixture
async def live(settings, db):
    async with serve_app(settings) as served:
        yield served


async def test_deactivation_signs_out_at_once(live, db, token, ids):
    base, _app = live
    hr_token = token("werkgever.hr")
    hr = await ids.user("werkgever.hr")
    assert (await post(base, hr_token, VIEWER))["data"]["viewer"]["username"] == "werkgever.hr"
    async with session(base, hr_token) as ws:
        payload = {"query": OVERVIEW, "variables": {"e": await ids.employer()}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await until_subscribed(base)
        done = await post(base, token("kantoor.admin"), DEACTIVATE, {"i": {"userId": hr}})
        assert done["data"]["deactivateUser"] == {
            "user": {"username": "werkgever.hr", "active": False},
            "errors": [],
        }
        # The live subscription ends with UNAUTHENTICATED, then the connection closes.
        message = await receive(ws)
        assert message["id"] == "1"
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert (await receive(ws))["type"] == "complete"
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd.code == 4403
    assert closed.value.rcvd.reason.startswith("UNAUTHENTICATED")
    # The old token no longer signs in, over HTTP nor over a new WebSocket connection.
    assert errors_of(await post(base, hr_token, VIEWER)) == ["UNAUTHENTICATED"]
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {hr_token}"}}
        await ws.send(json.dumps(init))
        with pytest.raises(ConnectionClosed) as refused:
            await receive(ws)
    assert (refused.value.rcvd.code, refused.value.rcvd.reason) == (
        4403, "UNAUTHENTICATED: unknown or blocked user"
    )  # fmt: skip
    async with db.reader() as s:
        row = await s.scalar(select(m.User).where(m.User.username == "werkgever.hr"))
        [entry] = await s.scalars(
            select(m.AdministrationEntry).where(m.AdministrationEntry.action == "deactivateUser")
        )
    assert not row.active and row.deactivated_at is not None
    assert (entry.subject_type, entry.subject_id, entry.details) == ("User", row.id, {})


async def test_who_may_deactivate(live, token, ids):
    base, _app = live
    admin = await ids.user("kantoor.admin")
    hr = await ids.user("werkgever.hr")
    # Yourself: refused with a code. Without MANAGE_USERS: FORBIDDEN; out of reach: NOT_FOUND.
    mine = await post(base, token("kantoor.admin"), DEACTIVATE, {"i": {"userId": admin}})
    assert mine["data"]["deactivateUser"]["errors"][0]["code"] == "NOT_ALLOWED"
    denied = await post(base, token("werkgever.hr"), DEACTIVATE, {"i": {"userId": admin}})
    assert errors_of(denied) == ["FORBIDDEN"]
    denied = await post(base, token("werkgever.directie"), DEACTIVATE, {"i": {"userId": hr}})
    assert errors_of(denied) == ["NOT_FOUND"]  # it cannot see staff users
    employee = await ids.user("wn001")
    refused = await post(base, token("kantoor.admin"), DEACTIVATE, {"i": {"userId": employee}})
    assert refused["data"]["deactivateUser"]["errors"][0]["code"] == "NOT_ALLOWED"
