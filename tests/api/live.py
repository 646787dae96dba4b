"""A real server for WebSocket tests: uvicorn in the test's event loop (or in a child process),
and a small graphql-transport-ws client with timeouts (`websockets`)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from websockets.asyncio.client import connect

from app.server import create_app
from app.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    """The app on a free port of this process; yields its base URL (http://...)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def serve_process(env: dict[str, str]) -> AsyncIterator[str]:
    """`loketflow serve` as a child process (a second machine, as far as the app can tell)."""
    port = free_port()
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from app.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env={**os.environ, **env},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                if child.returncode is not None:
                    raise RuntimeError((await child.stderr.read()).decode()[-2000:])
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the server process did not start")
        yield base
    finally:
        if child.returncode is None:
            child.terminate()
            try:
                await asyncio.wait_for(child.wait(), 10)
            except TimeoutError:
                child.kill()
                await child.wait()


class Subscription:
    """One graphql-transport-ws connection with one subscription on it."""

    def __init__(self, ws, op_id: str):
        self.ws, self.op_id = ws, op_id

    async def next(self, within: float = 5.0) -> dict[str, Any]:
        """The next message of the subscription (pings are answered on the way)."""
        async with asyncio.timeout(within):
            while True:
                message = json.loads(await self.ws.recv())
                if message["type"] == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                    continue
                if message["type"] in ("next", "error", "complete"):
                    assert message.get("id") == self.op_id, message
                    return message

    async def nothing(self, seconds: float = 1.0) -> None:
        """Assert that no event arrives within `seconds`."""
        try:
            message = await self.next(within=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")


@contextlib.asynccontextmanager
async def subscribe(
    base: str, token: str | None, query: str, variables: dict | None = None
) -> AsyncIterator[Subscription]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert ack["type"] == "connection_ack", ack
        message = {"query": query, "variables": variables or {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
        yield Subscription(ws, "1")


async def post(base: str, token: str, query: str, variables: dict | None = None) -> dict:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    return response.json()
