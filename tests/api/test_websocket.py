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
