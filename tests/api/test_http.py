"""The transport: GraphiQL in development, health, and a stale schema refused at start-up."""

from __future__ import annotations

import base64
import hashlib
import re

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


async def test_graphiql_and_its_assets_come_from_the_service_itself(client):
    """Offline, and no request leaves the origin (issue 15.4): every script and stylesheet is
    a relative link the service answers, each the pinned release its integrity hash names."""
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "script-src 'self'" in policy  # no inline script, no other host
    links = re.findall(r'(?:src|href)="([^"]+)"(?: integrity="([^"]+)")?', page.text)
    assets = [(url, integrity) for url, integrity in links if not url.startswith("data:")]
    assert len(assets) == 9  # React, ReactDOM, GraphiQL (2), its explorer (2), graphql-ws, ours
    for url, integrity in assets:
        assert url.startswith("static/"), url  # relative: the same origin, behind a prefix too
        answer = await client.get(f"/{url}", headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200, url
        if integrity:
            digest = base64.b64encode(hashlib.sha384(answer.content).digest()).decode()
            assert integrity == f"sha384-{digest}", url
    licences = [
        "react@18.2.0/LICENSE",
        "react-dom@18.2.0/LICENSE",
        "graphiql@3.8.3/LICENSE",
        "graphiql-plugin-explorer@1.0.2/LICENSE",
        "graphql-ws@6.4.2/LICENSE.md",
    ]
    for licence in licences:
        text = (await client.get(f"/static/vendor/{licence}")).text
        assert "MIT License" in text or "The MIT License" in text, licence


async def test_production_serves_neither_graphiql_nor_its_assets(settings, db):
    import httpx

    production = Settings(**{**settings.model_dump(), "env": "production"})
    app = create_app(production)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = await client.get("/graphql", headers={"Accept": "text/html"})
            asset = await client.get("/static/graphiql/graphiql.js")
    assert "graphiql" not in page.text.lower()
    assert asset.status_code == 404


SUBSCRIPTION = "subscription { taskCentreChanged { eventId } }"


async def test_a_subscription_over_http_is_told_to_use_websocket(client, token, db):
    auth = {"Authorization": f"Bearer {token('werkgever.hr')}"}
    modern = {"Accept": "application/graphql-response+json", **auth}
    answers = [
        (200, await client.post("/graphql", json={"query": SUBSCRIPTION}, headers=auth)),
        (200, await client.get("/graphql", params={"query": SUBSCRIPTION}, headers=auth)),
        (400, await client.post("/graphql", json={"query": SUBSCRIPTION}, headers=modern)),
        (400, await client.get("/graphql", params={"query": SUBSCRIPTION}, headers=modern)),
        # Chosen by name among others; and a query that merely names the word still runs.
        (200, await client.post("/graphql", headers=auth, json={
            "query": f"query q {{ __typename }} subscription s {SUBSCRIPTION[13:]}",
            "operationName": "s"})),
    ]  # fmt: skip
    for status, answer in answers:
        assert answer.status_code == status
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "WEBSOCKET_REQUIRED"
        assert "WebSocket" in error["message"] and "graphql-transport-ws" in error["message"]
        # A request error, as a validation error is: no data at all with the new media type.
        assert answer.json().get("data", "none") == (None if status == 200 else "none")
    named = await client.post("/graphql", headers=auth, json={
        "query": f"query q {{ __typename }} subscription s {SUBSCRIPTION[13:]}",
        "operationName": "q"})  # fmt: skip
    assert named.json() == {"data": {"__typename": "Query"}}
    # Nothing ran: no subscription was opened.
    metrics = (await client.get("/metrics")).text
    assert "loketflow_open_subscriptions 0.0" in metrics


async def test_request_errors_have_no_data_with_graphql_response_json(client):
    modern = {"Accept": "application/graphql-response+json"}
    for query in ("{ viewer { username ", "{ nope }"):  # a syntax and a validation error
        answer = await client.post("/graphql", json={"query": query}, headers=modern)
        assert answer.status_code == 400
        body = answer.json()
        assert "data" not in body and body["errors"]
        assert int(answer.headers["content-length"]) == len(answer.content)
    # A field error is no request error: 200, with `data`.
    answer = await client.post("/graphql", json={"query": "{ viewer { id } }"}, headers=modern)
    assert answer.status_code == 200
    assert answer.json()["data"] is None
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("configured", [[], ["https://app.example.nl"]])
async def test_a_preflight_from_an_origin_not_allowed_says_why(settings, db, caplog, configured):
    import httpx

    app = create_app(settings.model_copy(update={"cors_origins": configured}))
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            with caplog.at_level("WARNING", logger="loketflow.http"):
                answer = await client.options("/graphql", headers=preflight)
            allowed = await client.options(
                "/graphql", headers={**preflight, "Origin": "https://app.example.nl"}
            )
    assert answer.status_code == 403
    assert "access-control-allow-origin" not in answer.headers
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "ORIGIN_NOT_ALLOWED"
    assert (
        "https://evil.example" in error["message"] and "LOKETFLOW_CORS_ORIGINS" in error["message"]
    )
    # The browser shows the page only "Failed to fetch": the server's log says why.
    assert any("https://evil.example" in r.getMessage() for r in caplog.records)
    if configured:
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.nl"
    else:
        assert allowed.status_code == 403


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

    from app.resolvers import employers as employers_module
    from app.web.auth import issue_token

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
