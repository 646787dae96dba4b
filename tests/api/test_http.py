"""The transport: GraphiQL in development, health, and a stale schema refused at start-up."""

from __future__ import annotations

import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.migrate import upgrade
from app.server import create_app
from app.settings import ConfigurationError, Settings


async def test_graphiql_is_served_in_development(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_is_503_without_the_database(settings):
    import httpx

    from tests.api.conftest import free_port

    # Nothing listens on the port. The lifespan would refuse to start (it reads the schema
    # version), so the app answers without it, as a process whose database went away does.
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/loketflow"
    app = create_app(settings.model_copy(update={"database_url": url}))
    app.state.events.hub.broker_ok = True  # the broker as if connected: only the database fails
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "broker": "ok"}


async def test_readyz_is_503_without_the_broker(settings, db):
    import httpx

    from tests.api.conftest import free_port

    # A Redis broker nobody listens for: the process serves (from the database) but is not ready.
    down = settings.model_copy(
        update={
            "broadcast_url": f"redis://127.0.0.1:{free_port()}/0",
            "broker_timeout_seconds": 0.5,
        }
    )
    app = create_app(down)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
            served = await client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}
    assert served.status_code == 200


async def test_queries_over_get(client, token):
    response = await client.get(
        "/graphql",
        params={"query": "{ viewer { username } }"},
        headers={"Authorization": f"Bearer {token('wn001')}"},
    )
    assert response.json() == {"data": {"viewer": {"username": "wn001"}}}


async def test_server_refuses_an_unmigrated_database(tmp_path):
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}",
        data_dir=tmp_path,
        jwt_secret="x" * 40,
    )
    with pytest.raises(ConfigurationError, match="db upgrade"):
        async with LifespanManager(create_app(settings)):
            pass
    engine = create_async_engine(settings.sqlalchemy_url)
    await upgrade(engine)
    await engine.dispose()
    async with LifespanManager(create_app(settings)):
        pass


async def test_production_masks_unexpected_errors_but_not_access_errors(settings, db, monkeypatch):
    import httpx

    from app.auth import issue_token
    from app.resolvers import employers as employers_module

    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals")  # what must never reach a client

    production = Settings(**{**settings.model_dump(), "env": "production"})
    app = create_app(production)
    token = issue_token(production, "kantoor.admin")
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            denied = (await client.post("/graphql", json={"query": "{ viewer { id } }"})).json()
            assert denied["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

            monkeypatch.setattr(employers_module.Connection, "of", broken)
            response = await client.post(
                "/graphql",
                json={"query": "{ employers { totalCount } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            result = response.json()

    [error] = result["errors"]
    # The client gets the request id to quote; the server log has the details under it.
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": response.headers["x-request-id"],
    }
    assert "secret" not in str(result)
