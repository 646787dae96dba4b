"""A real server for WebSocket tests: uvicorn in the test's event loop (or in a child process),
a small graphql-transport-ws client with timeouts (`websockets`), and a TCP proxy that can cut
a broker off (`BrokerProxy`)."""

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

from app.server import create_app, server_options
from app.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    """The app on a free port of this process; yields its base URL (http://...)."""
    async with serve_app(settings) as (base, _app):
        yield base


@contextlib.asynccontextmanager
async def serve_app(settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    """As `serve`, and the app itself (for a test that must hold its publisher back)."""
    port = free_port()
    app = create_app(settings)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
        **server_options(settings),
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    app.state.uvicorn = server  # its connections, for tests of back-pressure
    try:
        yield f"http://127.0.0.1:{port}", app
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


@contextlib.asynccontextmanager
async def serve_processes(*envs: dict[str, str]) -> AsyncIterator[list[str]]:
    """Several `serve_process`, started side by side; yields their base URLs in order."""
    async with contextlib.AsyncExitStack() as stack:
        async with asyncio.TaskGroup() as group:
            started = [group.create_task(stack.enter_async_context(serve_process(e))) for e in envs]
        yield [task.result() for task in started]


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


async def open_subscriptions(base: str) -> int:
    """How many subscriptions the server at `base` holds (its /metrics)."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{base}/metrics")).text
    [line] = [x for x in text.splitlines() if x.startswith("loketflow_open_subscriptions ")]
    return int(float(line.split()[1]))


async def until_subscribed(base: str, count: int = 1, within: float = 10.0) -> None:
    """Wait until the server holds `count` subscriptions: from then on each of them receives
    every event published (graphql-transport-ws does not acknowledge a `subscribe`)."""
    async with asyncio.timeout(within):
        while await open_subscriptions(base) < count:  # noqa: ASYNC110 (over HTTP)
            await asyncio.sleep(0.02)


async def readyz(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{base}/readyz", timeout=5)).json()


async def until_broker(base: str, state: str, within: float = 15.0) -> None:
    """Wait until the server's /readyz reports its broker connection as `state` (ok, down)."""
    async with asyncio.timeout(within):
        while (await readyz(base))["broker"] != state:  # noqa: ASYNC110 (over HTTP)
            await asyncio.sleep(0.05)


class BrokerProxy:
    """A TCP proxy in front of a broker: servers connect to it instead, and `cut()` breaks
    every connection through it and refuses new ones (accepted, then closed at once) until
    `restore()`, as a network failure would, without touching anyone else's connections."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.listen_port = free_port()
        self.up = True
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()

    async def __aenter__(self) -> BrokerProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.listen_port)
        return self

    async def __aexit__(self, *exc) -> None:
        self.cut()
        self._server.close()
        await self._server.wait_closed()

    def url(self, url: str) -> str:
        """`url` (redis://, postgres://) with this proxy in place of the broker's address."""
        return url.replace(f"{self.host}:{self.port}", f"127.0.0.1:{self.listen_port}", 1)

    def cut(self) -> None:
        self.up = False
        for pair in list(self._pairs):
            for writer in pair:
                writer.transport.abort()
        self._pairs.clear()

    def restore(self) -> None:
        self.up = True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        if not self.up:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.transport.abort()
            return
        if not self.up:  # cut while connecting
            writer.transport.abort()
            up_writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        try:
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        finally:
            self._pairs.discard(pair)
