"""The shared authorization check (NetBox style): every type is read by an anonymous caller, an
out-of-scope caller and a permitted caller, through `node(id)`."""

from __future__ import annotations

from tests.conftest import errors_of

NODE = "query ($id: ID!) { node(id: $id) { __typename id } }"


async def assert_node_access(
    graphql, node_id: str, typename: str, *, permitted: list[str], out_of_scope: list[str]
) -> None:
    anonymous = await graphql(NODE, {"id": node_id})
    assert errors_of(anonymous) == ["UNAUTHENTICATED"], anonymous
    assert anonymous["data"]["node"] is None

    for user in out_of_scope:
        result = await graphql(NODE, {"id": node_id}, as_user=user)
        # Out of scope looks exactly like "does not exist": no existence leak.
        assert errors_of(result) == ["NOT_FOUND"], (typename, user, result)
        assert result["data"]["node"] is None

    for user in permitted:
        result = await graphql(NODE, {"id": node_id}, as_user=user)
        assert "errors" not in result, (typename, user, result)
        assert result["data"]["node"] == {"__typename": typename, "id": node_id}
