"""Sign-in over WebSocket (graphql-transport-ws): the token travels in `connection_init`."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.server import create_app

VIEWER = "{ viewer { username userType } }"


def _run(ws, query: str, op_id: str = "1") -> dict:
    ws.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query}})
    message = ws.receive_json()
    assert message["id"] == op_id and message["type"] in ("next", "error"), message
    if message["type"] == "next":
        assert ws.receive_json() == {"id": op_id, "type": "complete"}
    return message["payload"]


@pytest.fixture
def ws_client(settings, db):
    with TestClient(create_app(settings)) as client:
        yield client


def test_connection_init_token_signs_in(ws_client, token):
    with ws_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token('wn001')}"}}
        )
        assert ws.receive_json()["type"] == "connection_ack"
        # Several operations on one connection, each with a fresh read session.
        for n in range(3):
            payload = _run(ws, VIEWER, op_id=str(n))
            assert payload == {"data": {"viewer": {"username": "wn001", "userType": "EMPLOYEE"}}}


def test_bad_token_closes_the_connection(ws_client):
    with ws_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer nonsense"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_without_a_token_fields_say_unauthenticated(ws_client):
    with ws_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        payload = _run(ws, VIEWER)
        assert payload["data"] is None
        assert payload["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_legacy_graphql_ws_protocol_is_refused(ws_client):
    with (
        pytest.raises(WebSocketDisconnect),
        ws_client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        ws.receive_json()


def _refusal(client, payload) -> tuple[int, str]:
    """Send `connection_init` with `payload`: the close code and reason it gets."""
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": payload})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return closed.value.code, closed.value.reason


def test_a_refused_sign_in_says_why(ws_client, settings, db, token):
    import asyncio
    import datetime as dt

    import jwt
    from sqlalchemy import update

    from app.db import models as m
    from app.db.session import Database

    now = dt.datetime.now(dt.UTC)
    expired = jwt.encode(
        {"sub": "wn001", "iat": now - dt.timedelta(hours=2), "exp": now - dt.timedelta(hours=1)},
        settings.signing_secret(),
        algorithm="HS256",
    )
    forged = jwt.encode({"sub": "wn001", "exp": now + dt.timedelta(hours=1)}, "x" * 40)
    nobody = token("nobody.here")  # a good signature for a user that does not exist
    cases = {
        f"Bearer {expired}": "UNAUTHENTICATED: token expired",
        f"Bearer {forged}": "UNAUTHENTICATED: invalid token",
        "Bearer nonsense": "UNAUTHENTICATED: invalid token",
        f"Basic {token('wn001')}": "UNAUTHENTICATED: Authorization must be 'Bearer <token>'",
        f"Bearer {nobody}": "UNAUTHENTICATED: unknown or blocked user",
    }
    for authorization, reason in cases.items():
        assert _refusal(ws_client, {"Authorization": authorization}) == (4403, reason)
    assert _refusal(ws_client, {"Authorization": ["Bearer", "x"]}) == (
        4403, "UNAUTHENTICATED: Authorization must be 'Bearer <token>'"
    )  # fmt: skip

    # Blocked in the database: refused with the same reason as an unknown user.
    async def block():
        database = Database(settings)  # this test's own loop: not the `db` fixture's
        try:
            async with database.writer() as session:
                await session.execute(
                    update(m.User).where(m.User.username == "wn001").values(active=False)
                )
        finally:
            await database.dispose()

    asyncio.run(block())
    reason = "UNAUTHENTICATED: unknown or blocked user"
    assert _refusal(ws_client, {"Authorization": f"Bearer {token('wn001')}"}) == (4403, reason)


def _opens(client, origin: str | None) -> tuple[int, str] | None:
    """Open a connection from a page on `origin` (None: not a browser): None when it is
    acknowledged, else the close code and reason."""
    headers = {"origin": origin} if origin else {}
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        try:
            assert ws.receive_json()["type"] == "connection_ack"
        except WebSocketDisconnect as closed:
            return closed.code, closed.reason
    return None


ORIGIN_REFUSED = (1008, "FORBIDDEN: origin not allowed (LOKETFLOW_CORS_ORIGINS)")


def test_origins_follow_the_cors_setting(settings, db):
    # As a browser writes them: lower case, without the default port.
    allowed = settings.model_copy(update={"cors_origins": ["https://App.example.nl:443"]})
    with TestClient(create_app(allowed)) as client:
        assert _opens(client, "https://app.example.nl") is None
        assert _opens(client, "http://testserver") is None  # the same origin always may
        assert _opens(client, None) is None  # no browser: no origin to check
        assert _opens(client, "https://evil.example") == ORIGIN_REFUSED
        assert _opens(client, "http://app.example.nl") == ORIGIN_REFUSED  # another scheme
        assert _opens(client, "null") == ORIGIN_REFUSED  # a sandboxed page, a file


def test_without_cors_origins_only_the_same_origin_may_connect(ws_client):
    assert _opens(ws_client, "http://testserver") is None
    assert _opens(ws_client, None) is None
    assert _opens(ws_client, "https://app.example.nl") == ORIGIN_REFUSED


def test_a_cors_origin_that_is_no_origin_is_refused_at_start(settings):
    from app.settings import ConfigurationError

    for wrong in (["https://app.example.nl/path"], ["app.example.nl"]):
        with pytest.raises(ConfigurationError, match="LOKETFLOW_CORS_ORIGINS"):
            create_app(settings.model_copy(update={"cors_origins": wrong}))
