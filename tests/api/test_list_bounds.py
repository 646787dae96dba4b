"""Lists count by their real bound in a query's cost (issue 13.9): every list field of the schema
has one, and a query is priced at least at what its answer holds."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from asgi_lifespan import LifespanManager
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
    is_list_type,
    is_non_null_type,
)

from app.domain.catalogue import WorkflowType
from app.domain.definitions import MAX_STEPS
from app.schema import schema
from app.schema.list_bounds import bound_of
from app.server import create_app
from tests.conftest import errors_of

SCHEMA = schema._schema


def _list_fields():
    for type_ in SCHEMA.type_map.values():
        if type_.name.startswith("__"):
            continue
        if not isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)):
            continue
        for name, field in type_.fields.items():
            kind = field.type.of_type if is_non_null_type(field.type) else field.type
            if is_list_type(kind):
                yield type_, name, field, get_named_type(kind)


def test_every_list_field_has_a_bound():
    """A new list field must say how long it can get (app/schema/list_bounds.py), or it would
    count as one item however long it is."""
    missing = [
        f"{owner.name}.{name}"
        for owner, name, field, item in _list_fields()
        if "first" not in field.args and bound_of(SCHEMA, owner.name, name, item.name) is None
    ]
    assert missing == []


def test_every_connection_takes_first():
    """Connection edges count 1 (app/schema/list_bounds.py) because the field that returns the
    connection counts its page, `first`: every such field must take it."""
    unpaged = [
        f"{owner.name}.{name}"
        for owner in SCHEMA.type_map.values()
        if isinstance(owner, (GraphQLObjectType, GraphQLInterfaceType))
        and not owner.name.startswith("__")
        for name, field in owner.fields.items()
        if get_named_type(field.type).name.endswith("Connection") and "first" not in field.args
    ]
    assert unpaged == []


@contextlib.asynccontextmanager
async def _poster(settings, token, user: str = "kantoor.admin", **limits):
    application = create_app(settings.model_copy(update=limits))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def post(query: str, variables: dict | None = None) -> dict:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {token(user)}"},
                )
                return response.json()

            yield post


STEPS = """query ($e: ID!) { node(id: $e) { ... on Employer {
  workflowDefinitions { currentVersion { steps { name } } } } } }"""


async def test_a_plain_list_counts_its_bound(settings, db, token, ids):
    # node 1 + workflowDefinitions (1 + 8 types x (currentVersion 1 + steps (1 + 6 x name 1))).
    cost = 1 + 1 + len(WorkflowType) * (1 + 1 + MAX_STEPS)
    assert cost == 66
    variables = {"e": await ids.employer()}
    async with _poster(settings, token, max_query_cost=cost) as post:
        answer = await post(STEPS, variables)
        assert "errors" not in answer and len(answer["data"]["node"]["workflowDefinitions"]) == 8
    async with _poster(settings, token, max_query_cost=cost - 1) as post:
        assert errors_of(await post(STEPS, variables)) == ["QUERY_TOO_COSTLY"]


def _fields(value) -> int:
    """The fields in an answer: every key of every object, however deep."""
    if isinstance(value, dict):
        return sum(1 + _fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(_fields(v) for v in value)
    return 0


# Screens of a frontend over the demo, each with lists that are not connections.
SCREENS = {
    "viewer": """{ viewer { id username userType rights employers { id name }
      access { employer { id name } rights roles { id name } } employments { id name } } }""",
    "workflow editor": """query ($e: ID!) { node(id: $e) { ... on Employer { id name
      roles { id name } departments { id name }
      workflowDefinitions { id type displayName active available missingProducts
        emailsPerRequest emailBreakdown { position name kind emails }
        versions { version createdAt } currentVersion { version steps { position kind
          name sendEmail assignee { kind userType role { id name } users { id username } } }
        } } } } }""",
    "employer administration": """query ($e: ID!) { node(id: $e) { ... on Employer {
      id name activeProducts products { product active changedAt }
      componentSets { id name isDefault components { id name label unit } }
      roleLinks { id role { id name } user { id username } } } } }""",
    "request detail": """query ($e: ID!) { processOverview(employerId: $e, tab: HISTORICAL,
      first: 20) { columns { column header } countsPerStatus { status count }
      edges { node { id status employee { id name declarableComponents { id name } }
        steps { position name stateLabel actor { username } }
        auditTrail { kind at actor { username } } requestedChange { label value } } } } }""",
}


@pytest.mark.parametrize("screen", sorted(SCREENS))
async def test_a_query_costs_at_least_what_its_answer_holds(settings, db, token, ids, screen):
    """Priced below its answer, a query over long lists would pass a limit it exceeds."""
    variables = {"e": await ids.employer()} if "$e" in SCREENS[screen] else {}
    async with _poster(settings, token) as post:
        answer = await post(SCREENS[screen], variables)
    assert "errors" not in answer, answer
    fields = _fields(answer["data"])
    async with _poster(settings, token, max_query_cost=fields - 1) as post:
        assert errors_of(await post(SCREENS[screen], variables)) == ["QUERY_TOO_COSTLY"]


async def test_a_query_over_nested_lists_is_refused_by_default(graphql):
    """The employees of every employer a user reaches, with their components: each list
    counted 1, this passed the limit; it asks for up to 500 x 100 x 30 rows."""
    query = """{ viewer { employers { employees(first: 100) { edges { node { name
      declarableComponents { name label unit } } } } } } }"""
    assert errors_of(await graphql(query, as_user="kantoor.admin")) == ["QUERY_TOO_COSTLY"]
