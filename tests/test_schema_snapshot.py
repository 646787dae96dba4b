"""The checked-in schema.graphql is what the code serves: regenerate with `make schema`."""

from __future__ import annotations

from pathlib import Path

from app.schema import schema

SNAPSHOT = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_graphql_is_up_to_date():
    assert SNAPSHOT.read_text(encoding="utf-8") == str(schema) + "\n", (
        "schema.graphql is stale: run `make schema` and review the diff"
    )


def test_contract_names_from_api_md_are_present():
    sdl = str(schema)
    for name in (
        "viewer: Viewer!",
        "node(id: ID!): Node",
        "employers(first: Int = null, after: String = null, search: String = null): "
        "EmployerConnection!",
        "setProductActive(input: SetProductActiveInput!): SetProductActivePayload!",
        "mijnLoketVariant: MijnLoketVariant!",
        "activeProducts: [Product!]!",
        "mijnLoketEmail: String",
    ):
        assert name in sdl, name
