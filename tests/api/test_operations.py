"""GraphQL over HTTP, production mode and operations (issue 8)."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.server import create_app
from app.settings import Settings

QUERY = {"query": "{ __typename }"}


async def test_media_types_follow_accept(client):
    plain = await client.post("/graphql", json=QUERY)
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("application/json")
    modern = await client.post(
        "/graphql", json=QUERY, headers={"Accept": "application/graphql-response+json"}
    )
    assert modern.headers["content-type"].startswith("application/graphql-response+json")
    assert modern.json() == {"data": {"__typename": "Query"}}
    both = await client.post(
        "/graphql",
        json=QUERY,
        headers={"Accept": "application/json, application/graphql-response+json"},
    )
    assert both.headers["content-type"].startswith("application/graphql-response+json")
    refused = await client.post("/graphql", json=QUERY, headers={"Accept": "application/xml"})
    assert refused.status_code == 406


async def test_request_errors_are_4xx_with_the_new_media_type(client):
    bad = {"query": "{ nope }"}
    modern = await client.post(
        "/graphql", json=bad, headers={"Accept": "application/graphql-response+json"}
    )
    assert modern.status_code == 400 and modern.json()["errors"]
    legacy = await client.post("/graphql", json=bad, headers={"Accept": "application/json"})
    assert legacy.status_code == 200 and legacy.json()["errors"]


async def test_mutations_are_refused_over_get(client):
    response = await client.get("/graphql", params={"query": "mutation { __typename }"})
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    named = await client.get(
        "/graphql",
        params={"query": "query a { __typename } mutation b { __typename }", "operationName": "b"},
    )
    assert named.status_code == 405
    assert (await client.get("/graphql", params=QUERY)).status_code == 200
    assert (await client.put("/graphql", json=QUERY)).status_code == 405


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        ('{"query": "{ __typename }"}', "text/plain", 415),  # a CSRF "simple request"
        ("query=%7B__typename%7D", "application/x-www-form-urlencoded", 415),
        # Uploads (multipart) only with a bearer token: a cross-site form cannot send one.
        ("--x\r\n\r\n--x--", "multipart/form-data; boundary=x", 401),
        ('{"query": ', "application/json", 400),
        ('{"variables": {}}', "application/json", 400),
        ('[{"query": "{ __typename }"}]', "application/json", 400),  # no batches
        ('"just a string"', "application/json", 400),
    ],
)
async def test_bad_requests_are_refused(client, content, content_type, status):
    response = await client.post(
        "/graphql", content=content, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"]


async def test_every_response_has_a_request_id_and_secure_headers(client):
    response = await client.post("/graphql", json=QUERY, headers={"X-Request-ID": "abc-12345678"})
    assert response.headers["x-request-id"] == "abc-12345678"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    forged = await client.post("/graphql", json=QUERY, headers={"X-Request-ID": "<script>"})
    assert (
        forged.headers["x-request-id"] != "<script>" and len(forged.headers["x-request-id"]) == 32
    )


async def test_readiness_and_metrics(client):
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    await client.post("/graphql", json={"query": "query Probe { __typename }"})
    metrics = (await client.get("/metrics")).text
    assert 'loketflow_graphql_operation_seconds_count{name="Probe",type="query"} 1.0' in metrics
    assert "loketflow_open_subscriptions 0.0" in metrics
    assert 'loketflow_outbox_backlog{kind="email"} 0.0' in metrics
    assert 'loketflow_http_requests_total{method="POST",route="/graphql",status="200"}' in metrics


async def test_metrics_count_errors_by_code(client):
    async def errors(code: str) -> float:
        metrics = (await client.get("/metrics")).text
        prefix = f'loketflow_graphql_errors_total{{code="{code}"}} '
        return sum(
            float(line[len(prefix) :]) for line in metrics.splitlines() if line.startswith(prefix)
        )

    assert await errors("UNAUTHENTICATED") == 0
    failed = (await client.post("/graphql", json={"query": "{ employers { totalCount } }"})).json()
    assert failed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await errors("UNAUTHENTICATED") == 1
    # A document refused by a limit before it runs counts too: 17 levels, 15 allowed.
    deep = "{ __schema { types { fields { type { " + "ofType { " * 12 + "name" + " }" * 17
    refused = (await client.post("/graphql", json={"query": deep})).json()
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert await errors("QUERY_TOO_DEEP") == 1


async def test_the_open_subscriptions_gauge_follows_websockets(settings, db, token):
    from tests.api.live import serve, subscribe

    async def gauge(base: str, expected: float) -> None:
        async with httpx.AsyncClient() as http, asyncio.timeout(5):
            while True:  # the subscription starts listening a moment after `subscribe`
                metrics = (await http.get(f"{base}/metrics")).text
                if f"loketflow_open_subscriptions {expected}" in metrics:
                    return
                await asyncio.sleep(0.05)

    query = "subscription { taskCentreChanged { eventId } }"
    async with serve(settings) as base:
        await gauge(base, 0.0)
        async with subscribe(base, token("werkgever.hr"), query) as sub:
            await gauge(base, 1.0)
            await sub.nothing(0.2)
            await gauge(base, 1.0)
        await gauge(base, 0.0)


@pytest.fixture
async def production(settings, db):
    custom = Settings(
        **{
            **settings.model_dump(),
            "env": "production",
            "cors_origins": ["https://app.example.nl"],
        }
    )
    application = create_app(custom)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def test_production_mode(production):
    # No GraphiQL, no introspection, no field suggestions.
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    introspection = (
        await production.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    ).json()
    assert introspection["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    typo = (await production.post("/graphql", json={"query": "{ viewr { id } }"})).json()
    assert "Did you mean" not in typo["errors"][0]["message"]
    # HSTS, and CORS for the configured origin only.
    allowed = await production.options(
        "/graphql",
        headers={"Origin": "https://app.example.nl", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.nl"
    other = await production.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers
    response = await production.post("/graphql", json=QUERY)
    assert "max-age" in response.headers["strict-transport-security"]


def test_logs_are_json_lines_with_request_id_user_and_operation(capsys):
    import json
    import logging

    from app.web.observability import configure_logging, operation, request_id, user

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO")
        tokens = (request_id.set("req-12345678"), user.set("werkgever.hr"), operation.set("Q"))
        logging.getLogger("loketflow.test").info("hello")
        request_id.reset(tokens[0])
        user.reset(tokens[1])
        operation.reset(tokens[2])
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "hello" and line["level"] == "INFO"
    assert (line["request_id"], line["user"], line["operation"]) == (
        "req-12345678",
        "werkgever.hr",
        "Q",
    )


async def test_the_log_line_of_an_operation_names_it_from_the_document(client, token, capsys):
    import json
    import logging

    from app.web.observability import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO")
        response = await client.post(
            "/graphql",
            json={"query": "query Viewer { viewer { id } }"},  # no operationName
            headers={
                "Authorization": f"Bearer {token('werkgever.hr')}",
                "X-Request-ID": "req-viewer-1",
            },
        )
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    assert response.status_code == 200 and "errors" not in response.json()
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    [line] = [x for x in lines if x["logger"] == "loketflow.graphql"]
    assert line["message"].startswith("graphql query Viewer ")
    assert (line["operation"], line["request_id"], line["user"]) == (
        "Viewer",
        "req-viewer-1",
        "werkgever.hr",
    )


async def test_shutdown_ends_subscriptions_and_publishes_what_committed(settings, db, token):
    """A server that stops closes its WebSocket connections, and the events committed just
    before are published (numbered) on the way out, for the other processes to deliver."""
    from sqlalchemy import select
    from websockets.exceptions import ConnectionClosed

    from app.db import models as m
    from tests.api.live import serve, subscribe

    slow = settings.model_copy(update={"events_poll_seconds": 30, "shutdown_grace_seconds": 1})
    server = serve(slow)
    base = await server.__aenter__()
    connection = subscribe(
        base, token("werkgever.hr"), "subscription { taskCentreChanged { eventId } }"
    )
    sub = await connection.__aenter__()
    try:
        async with db.writer() as session:  # committed, not yet published (no wake-up)
            session.add(m.OutboxEvent(kind="STEP_MOVED"))
        await server.__aexit__(None, None, None)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(sub.ws.recv(), 5)
    finally:
        with contextlib.suppress(Exception):
            await connection.__aexit__(None, None, None)
    async with db.reader() as session:
        seqs = list(await session.scalars(select(m.OutboxEvent.seq)))
    assert seqs and all(seq is not None for seq in seqs)
