"""Query limits (issue 8): each one just inside and just outside, also for introspection and for
operations and fragments named `__schema` or `__type`."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import get_introspection_query, parse

from app.schema import schema
from app.schema.cost import measure
from app.server import create_app
from tests.conftest import errors_of


@contextlib.asynccontextmanager
async def _poster(settings, token, **limits):
    """An app with these limits, and a poster that signs in as kantoor.admin."""
    application = create_app(settings.model_copy(update=limits))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def post(query: str, variables: dict | None = None, **body) -> dict:
                headers = {"Authorization": f"Bearer {token('kantoor.admin')}"}
                payload = {"query": query, "variables": variables or {}, **body}
                response = await client.post("/graphql", json=payload, headers=headers)
                return response.json()

            yield post


@pytest.fixture
async def strict(settings, db, token):
    """Small limits, so that each can be reached with a short document."""
    limits = {"max_query_depth": 6, "max_query_aliases": 2, "max_query_tokens": 60}
    async with _poster(settings, token, **limits, max_query_cost=400) as post:
        yield post


DEPTH_6 = "{ employers(first: 1) { edges { node { departments { name } } } } }"  # 6 levels
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
    def fields(n: int) -> str:
        return "{ viewer { " + " ".join(["id"] * n) + " } }"  # 5 tokens besides the fields

    assert "errors" not in await strict(fields(55))  # 60 tokens: the limit
    assert errors_of(await strict(fields(56))) == ["TOO_MANY_TOKENS"]


async def test_size_in_bytes(settings, db, token):
    async with _poster(settings, token, max_query_bytes=100) as post:
        query = "{ viewer { id } }"
        padded = query + " " * (100 - len(query))  # ignored by the lexer: 5 tokens
        assert "errors" not in await post(padded)
        assert errors_of(await post(padded + " ")) == ["QUERY_TOO_LARGE"]
        # Bytes as sent: a comment of 1 character but 2 bytes (UTF-8) is over.
        accented = padded[:-2] + "#é"
        assert len(accented) == 100 and errors_of(await post(accented)) == ["QUERY_TOO_LARGE"]


async def test_cost_counts_page_sizes(strict):
    # employers: 1 + first x (edges 1 + node 1 + id 1 + name 1) = 1 + 4 x first; the limit is 400.
    query = "query ($n: Int) { employers(first: $n) { edges { node { id name } } } }"
    assert "errors" not in await strict(query, {"n": 99})  # 397
    assert errors_of(await strict(query, {"n": 100})) == ["QUERY_TOO_COSTLY"]  # 401
    literal = "{ employers(first: 100) { edges { node { id name } } } }"
    assert errors_of(await strict(literal)) == ["QUERY_TOO_COSTLY"]
    # Without `first` a connection counts its default page size (50): 201.
    assert "errors" not in await strict("{ employers { edges { node { id name } } } }")


async def test_cost_holds_for_names_of_introspection(strict):
    # 1 + 4 x first again (test_cost_counts_page_sizes), named `__schema` or through `__type`.
    named = "query __schema ($n: Int) { employers(first: $n) { edges { node { id name } } } }"
    assert "errors" not in await strict(named, {"n": 99})
    assert errors_of(await strict(named, {"n": 100})) == ["QUERY_TOO_COSTLY"]
    fragment = (
        "query ($n: Int) { employers(first: $n) { ...__type } } "
        "fragment __type on EmployerConnection { edges { node { id name } } }"
    )
    assert "errors" not in await strict(fragment, {"n": 99})
    assert errors_of(await strict(fragment, {"n": 100})) == ["QUERY_TOO_COSTLY"]


def _fields(value) -> int:
    """The fields in an answer: every key of every object, however deep."""
    if isinstance(value, dict):
        return sum(1 + _fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(_fields(v) for v in value)
    return 0


async def test_cost_of_the_introspection_query(settings, db, token):
    # Its lists count by the schema's own figures (all types; per type the mean number of
    # fields, values...): as much as the answer holds, or more.
    standard = get_introspection_query(descriptions=True)
    cost = measure(schema._schema, parse(standard), None, {}).total
    one_more = standard.replace(
        "query IntrospectionQuery {", "query IntrospectionQuery { __typename"
    )
    async with _poster(settings, token, max_query_cost=cost) as post:
        answer = await post(standard)
        assert "errors" not in answer
        assert errors_of(await post(one_more)) == ["QUERY_TOO_COSTLY"]
    assert _fields(answer["data"]) <= cost < 5 * _fields(answer["data"])


def _doubling(levels: int, on: str, base: str) -> str:
    """`fragment F1 on X { ...F0 ...F0 }`, F2 spreading F1 twice, ...: 2^levels copies of F0."""
    fragments = [f"fragment F0 on {on} {{ {base} }}"] + [
        f"fragment F{n} on {on} {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)
    ]
    return " ".join(fragments)


async def test_fragments_that_double_are_measured_once_each(graphql):
    # 2^40 copies of `viewer { id }`: expanded at each spread this would never finish (about
    # 400 tokens, within the default limits); each fragment is walked once, then reused.
    query = "query { ...F40 } " + _doubling(40, "Query", "viewer { id }")
    result = await graphql(query, as_user="kantoor.admin")
    assert errors_of(result) == ["QUERY_TOO_COSTLY"]


async def test_a_fragment_counts_where_it_is_spread(strict):
    # F2 is 4 copies of F0 (edges 1 + node 1 + id 1 + name 1): 16 points, each counting `first`
    # times inside the connection: 1 + 16 x first against a limit of 400.
    query = "query ($n: Int) { employers(first: $n) { ...F2 } } " + _doubling(
        2, "EmployerConnection", "edges { node { id name } }"
    )
    ok = await strict(query, {"n": 24})  # 385
    assert "errors" not in ok and ok["data"]["employers"]["edges"]
    assert errors_of(await strict(query, {"n": 25})) == ["QUERY_TOO_COSTLY"]  # 401


async def test_a_fragment_counts_its_depth_where_it_is_spread(settings, db, token):
    # Walked once, its depth counts from each spread: 6 levels under `viewer`, 7 under `employers`.
    employees = "fragment E on Employer { employees(first: 1) { edges { node { name } } } }"
    async with _poster(settings, token, max_query_depth=6) as post:
        shallow = "{ viewer { employers { ...E } } } " + employees
        assert "errors" not in await post(shallow)
        deep = "{ viewer { employers { ...E } } employers(first: 1) { edges { node { ...E } } } } "
        assert errors_of(await post(deep + employees)) == ["QUERY_TOO_DEEP"]


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
