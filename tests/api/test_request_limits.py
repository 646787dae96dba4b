"""What a request may weigh before any GraphQL runs (issue 13, points 6 and 7): bodies over
LOKETFLOW_MAX_BODY_BYTES are 413 before they are read whole, lists and objects in `variables`
are bounded (LOKETFLOW_MAX_VARIABLE_ITEMS), and JSON nested too deep is a 400 like any other
malformed JSON, over POST and GET alike."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.db import models as m
from app.server import create_app
from tests.api.live import serve
from tests.api.test_requests import APPROVE, CLAIM, claim, component_id, task_ids
from tests.conftest import errors_of

APPROVE_MANY = """mutation ($input: ApproveTasksInput!) { approveTasks(input: $input) {
  approvedCount errors { code } } }"""


@contextlib.asynccontextmanager
async def _client(settings, **update):
    application = create_app(settings.model_copy(update=update))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def _instances(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.WorkflowInstance))


def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    if status == 413:
        assert response.headers["connection"] == "close"
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": code} and error["message"]


async def test_a_body_over_the_limit_is_413_by_its_content_length_unread(settings, db, token):
    before = await _instances(db)
    pulled = 0

    async def body():
        nonlocal pulled
        for _ in range(64):  # 4 MiB in all
            pulled += 1
            yield b" " * 65_536

    async with _client(settings, max_body_bytes=100_000) as client:
        headers = {
            "Authorization": f"Bearer {token('wn001')}",
            "Content-Type": "application/json",
            "Content-Length": str(64 * 65_536),
        }
        response = await client.post("/graphql", content=body(), headers=headers)
    _refused(response, 413, "PAYLOAD_TOO_LARGE")
    assert pulled == 0  # refused on the header: not one byte of the body was read
    assert await _instances(db) == before


async def test_a_real_server_answers_413_before_the_body_is_sent(settings, db):
    # Over a socket: the headers announce 20 MB and not one byte of the body follows; the
    # answer comes all the same, and the server closes the connection.
    async with serve(settings) as base:
        host, port = base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20000000\r\n\r\n"
        )
        await writer.drain()
        async with asyncio.timeout(5):
            answer = await reader.read()  # to the end: the server closed the connection
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body)["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(settings, db, token):
    before = await _instances(db)
    variables = {"componentId": await component_id(db, "Kilometers onbelast"), "value": "42"}
    payload = json.dumps({"query": CLAIM, "variables": {"input": variables}}).encode()
    pulled = 0

    async def body():  # no Content-Length: chunked, as a client that does not say
        nonlocal pulled
        pulled += 1
        yield payload
        for _ in range(200):  # then 200 x 64 KiB of padding (valid JSON whitespace)
            pulled += 1
            yield b" " * 65_536

    async with _client(settings, max_body_bytes=1_048_576) as client:
        headers = {"Authorization": f"Bearer {token('wn001')}", "Content-Type": "application/json"}
        response = await client.post("/graphql", content=body(), headers=headers)
    _refused(response, 413, "PAYLOAD_TOO_LARGE")
    assert pulled <= 18  # 1 MiB and one chunk more, not the 12.5 MiB sent
    assert await _instances(db) == before

    # The same claim within the limit goes through.
    async with _client(settings, max_body_bytes=1_048_576) as client:
        headers = {"Authorization": f"Bearer {token('wn001')}", "Content-Type": "application/json"}
        padded = payload + b" " * (1_048_576 - len(payload))
        accepted = await client.post("/graphql", content=padded, headers=headers)
    assert accepted.status_code == 200
    assert accepted.json()["data"]["submitExpenseClaim"]["errors"] == []
    assert await _instances(db) == before + 1


async def test_lists_and_objects_in_variables_are_bounded(graphql, settings, db, token):
    assert (await claim(graphql, db))["errors"] == []
    [task] = await task_ids(graphql, "manager.verkoop")
    async with _client(settings, max_variable_items=3) as client:

        async def post(query, variables):
            headers = {"Authorization": f"Bearer {token('manager.verkoop')}"}
            body = {"query": query, "variables": variables}
            return (await client.post("/graphql", json=body, headers=headers)).json()

        junk = ["VGFzazox", "VGFzazoy", "VGFzazoz"]  # Task:1..3, not the open task
        over = await post(APPROVE_MANY, {"input": {"taskIds": [task, *junk]}})
        assert errors_of(over) == ["BAD_USER_INPUT"] and over.get("data") is None
        assert await task_ids(graphql, "manager.verkoop") == [task]  # not approved
        # An object with more entries than the bound, nested anywhere: refused the same way.
        wide = await post(APPROVE, {"input": {"taskId": task, **{f"x{i}": 1 for i in range(3)}}})
        assert errors_of(wide) == ["BAD_USER_INPUT"] and wide.get("data") is None
        assert await task_ids(graphql, "manager.verkoop") == [task]

        inside = await post(APPROVE_MANY, {"input": {"taskIds": [task, *junk[:2]]}})
        assert inside["data"]["approveTasks"]["approvedCount"] == 1
    assert await task_ids(graphql, "manager.verkoop") == []
    async with db.reader() as s:
        approved = await s.scalar(
            select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.kind == "APPROVED")
        )
    assert approved == 1


async def test_a_huge_list_variable_is_refused_by_default(graphql, db):
    assert (await claim(graphql, db))["errors"] == []
    [task] = await task_ids(graphql, "manager.verkoop")
    # 300,000 items (the example, 600 kB: within the default body limit), refused
    # before coercion or execution: the real task among them stays open.
    many = [task] + [1] * 299_999
    result = await graphql(APPROVE_MANY, {"input": {"taskIds": many}}, as_user="manager.verkoop")
    assert errors_of(result) == ["BAD_USER_INPUT"] and result.get("data") is None
    assert "1000" in result["errors"][0]["message"]
    assert await task_ids(graphql, "manager.verkoop") == [task]


NESTED = "[" * 100_000 + "]" * 100_000


async def test_deeply_nested_json_is_400_not_500(client, token, db):
    before = await _instances(db)
    headers = {"Authorization": f"Bearer {token('wn001')}", "Content-Type": "application/json"}
    whole = await client.post("/graphql", content=NESTED, headers=headers)
    _refused(whole, 400, "BAD_REQUEST")
    inside = '{"query": "{ __typename }", "variables": {"x": ' + NESTED + "}}"
    _refused(await client.post("/graphql", content=inside, headers=headers), 400, "BAD_REQUEST")
    # Within Python's parser, still deeper than any request: refused the same way.
    deep = '{"query": "{ __typename }", "variables": {"x": ' + "[" * 500 + "]" * 500 + "}}"
    _refused(await client.post("/graphql", content=deep, headers=headers), 400, "BAD_REQUEST")

    # Over GET the URL bounds the nesting (httpx sends 64 kB); 5,000 is past Python's parser.
    for variables in ("[" * 5_000 + "]" * 5_000, "[" * 500 + "]" * 500, '{"x": '):
        response = await client.get(
            "/graphql",
            params={"query": "query ($x: Int) { __typename }", "variables": variables},
            headers={"Authorization": f"Bearer {token('wn001')}"},
        )
        _refused(response, 400, "BAD_REQUEST")
    fine = await client.get(
        "/graphql",
        params={
            "query": "query ($x: Boolean!) { __typename @include(if: $x) }",
            "variables": '{"x": true}',
        },
    )
    assert fine.json() == {"data": {"__typename": "Query"}}
    assert await _instances(db) == before
