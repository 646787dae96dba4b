"""Servers for the browser tests: the service on a port of the test's choosing (so that it can be
stopped and started again on the same address, as an outage would), and a second origin that
serves a frontend (tests/browser/pages, with the service's own copy of graphql-ws)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from app.server import create_app, server_options
from app.settings import Settings
from app.web.graphiql import STATIC

PAGES = Path(__file__).parent / "pages"


@contextlib.asynccontextmanager
async def listening(app, port: int, **options) -> AsyncIterator[uvicorn.Server]:
    """`app` under uvicorn on 127.0.0.1:`port`, in the test's event loop."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # it could not start: say why
        await asyncio.sleep(0.02)
    try:
        yield server
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def service(settings: Settings, port: int) -> AsyncIterator[str]:
    """The service on `port`; yields its base URL."""
    async with listening(create_app(settings), port, **server_options(settings)):
        yield f"http://127.0.0.1:{port}"


def frontend_app() -> Starlette:
    """A frontend as a team would host it on its own origin: its pages and its copy of
    graphql-ws (the one vendored for GraphiQL)."""
    return Starlette(
        routes=[
            Mount("/vendor", app=StaticFiles(directory=STATIC / "vendor")),
            Mount("/", app=StaticFiles(directory=PAGES, html=True)),
        ]
    )
