"""Query limits (issue 8): each one just inside and just outside, also for introspection and for
operations and fragments named `__schema` or `__type`."""

from __future__ import annotations

import json

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import get_introspection_query

from app.server import create_app
from tests.conftest import errors_of


@pytest.fixture
async def strict(settings, db, token):
    """An app with small limits, and a poster that signs in as kantoor.admin."""
    custom = settings.model_copy(
        update={
            "max_query_depth": 6,
            "max_query_aliases": 2,
            "max_query_tokens": 60,
            "max_query_cost": 400,
        }
    )
    application = create_app(custom)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def post(query: str, variables: dict | None = None, **body) -> dict:
                headers = {"Authorization": f"Bearer {token('kantoor.admin')}"}
                payload = {"query": query, "variables": variables or {}, **body}
                response = await client.post("/graphql", json=payload, headers=headers)
                return response.json()

            yield post


DEPTH_6 = "{ employers { edges { node { departments { name } } } } }"  # 6 levels
DEPTH_7 = "{ employers { edges { node { employees { edges { node { name } } } } } } }"


async def test_depth(strict):
    assert "errors" not in await strict(DEPTH_6)
    deep = await strict(DEPTH_7)
    assert errors_of(deep) == ["QUERY_TOO_DEEP"]
    # Named after introspection, or through a fragment of that name: still counted.
    named = await strict(f"query __schema {DEPTH_7}")
    assert errors_of(named) == ["QUERY_TOO_DEEP"]
    fragment = (
        "query { employers { ...__type } } fragment __type on EmployerConnection "
        "{ edges { node { employees { edges { node { name } } } } } }"
    )
    assert errors_of(await strict(fragment)) == ["QUERY_TOO_DEEP"]
    # An introspection query is a query like any other.
    nested = "{ __schema { types { fields { type { ofType { ofType { name } } } } } } }"
    assert errors_of(await strict(nested)) == ["QUERY_TOO_DEEP"]
    assert "errors" not in await strict("{ __schema { types { name } } }")


async def test_aliases(strict):
    assert "errors" not in await strict("{ a: viewer { id } b: viewer { id } }")
    three = await strict("{ a: viewer { id } b: viewer { id } c: viewer { id } }")
    assert errors_of(three) == ["TOO_MANY_ALIASES"]
    spread = "query { ...__schema } fragment __schema on Query { a: viewer { id } b: viewer { id } c: viewer { id } }"  # noqa: E501
    assert errors_of(await strict(spread)) == ["TOO_MANY_ALIASES"]


async def test_tokens(strict):
    assert "errors" not in await strict("{ viewer { id username } }")
    long = "{ viewer { " + " ".join(["id"] * 60) + " } }"
    assert errors_of(await strict(long)) == ["TOO_MANY_TOKENS"]


async def test_cost_counts_page_sizes(strict):
    # employers: 1 + first x (edges 1 + node 1 + id 1 + name 1) = 1 + 4 x first; the limit is 400.
    query = "query ($n: Int) { employers(first: $n) { edges { node { id name } } } }"
    assert "errors" not in await strict(query, {"n": 99})  # 397
    assert errors_of(await strict(query, {"n": 100})) == ["QUERY_TOO_COSTLY"]  # 401
    literal = "{ employers(first: 100) { edges { node { id name } } } }"
    assert errors_of(await strict(literal)) == ["QUERY_TOO_COSTLY"]
    # Without `first` a connection counts its default page size (50): 201.
    assert "errors" not in await strict("{ employers { edges { node { id name } } } }")


async def test_first_is_at_most_100(graphql):
    query = "query ($n: Int) { employers(first: $n) { totalCount } }"
    assert "errors" not in await graphql(query, {"n": 100}, as_user="kantoor.admin")
    assert errors_of(await graphql(query, {"n": 101}, as_user="kantoor.admin")) == [
        "BAD_USER_INPUT"
    ]


async def test_the_standard_introspection_query_fits_the_defaults(graphql):
    result = await graphql(get_introspection_query(descriptions=True), as_user="kantoor.admin")
    assert "errors" not in result and result["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_lone_surrogates_are_refused_as_input(client, token):
    # JSON can carry "\ud800", which Python accepts but no database or e-mail can store.
    mutation = """mutation ($n: String!) { createRole(input: {name: $n}) { errors { code } } }"""
    for payload in (
        {"query": mutation, "variables": {"n": "\ud800x"}},
        {"query": '{ employers(search: "\ud83d") { totalCount } }'},
    ):
        response = await client.post(
            "/graphql",
            content=json.dumps(payload),  # ASCII with the surrogate escaped, as a client sends
            headers={
                "content-type": "application/json",
                "Authorization": f"Bearer {token('kantoor.admin')}",
            },
        )
        assert errors_of(response.json()) == ["BAD_USER_INPUT"]
