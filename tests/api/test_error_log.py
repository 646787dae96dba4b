"""The server log under probing (issue 13, point 12): refusals the service gives on purpose
(NOT_FOUND, FORBIDDEN, UNAUTHENTICATED, BAD_USER_INPUT, a query limit, a document that does not
validate) are one INFO line each without a traceback; an unexpected error stays at ERROR with
its traceback."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.db import models as m
from app.schema.ids import to_global_id
from tests.conftest import errors_of

PRODUCT = """mutation ($input: SetProductActiveInput!) { setProductActive(input: $input) {
  errors { code } } }"""


async def _active_products(db) -> set[str]:
    async with db.reader() as s:
        return set(await s.scalars(select(m.ProductActivation.product)))


async def test_expected_refusals_are_logged_at_info_without_a_traceback(graphql, db, ids, caplog):
    caplog.set_level(logging.INFO)
    products = await _active_products(db)
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
    probes = [
        ("{ viewer { id } }", None, None, "UNAUTHENTICATED"),
        (
            "query ($id: ID!) { node(id: $id) { id } }",
            {"id": to_global_id("Employee", 999_999)},
            "wn001",
            "NOT_FOUND",
        ),
        (
            PRODUCT,
            {
                "input": {
                    "employerId": await ids.employer(),
                    "product": "MIJNLOKET",
                    "active": False,
                }
            },
            "werkgever.hr",
            "FORBIDDEN",
        ),
        ("{ employers(first: 0) { totalCount } }", None, "kantoor.admin", "BAD_USER_INPUT"),
        (aliases, None, "kantoor.admin", "TOO_MANY_ALIASES"),
    ]
    for query, variables, user, code in probes:
        caplog.clear()
        result = await graphql(query, variables, as_user=user)
        assert errors_of(result) == [code]
        records = [r for r in caplog.records if r.name == "strawberry.execution"]
        assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)], code
        assert code in records[0].getMessage() and len(records[0].getMessage()) < 300
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    # A document that does not validate: the client's mistake, not news either.
    caplog.clear()
    invalid = await graphql("{ nope }", as_user="wn001")
    assert invalid["errors"] and invalid.get("data") is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert await _active_products(db) == products  # the forbidden change was not made


async def test_unexpected_errors_stay_at_error_with_the_traceback(graphql, monkeypatch, caplog):
    from app.resolvers import employers as employers_module

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(employers_module.Connection, "of", broken)
    caplog.set_level(logging.INFO)
    result = await graphql("{ employers { totalCount } }", as_user="kantoor.admin")
    assert result["data"] is None and "a bug" in result["errors"][0]["message"]
    [record] = [r for r in caplog.records if r.name == "strawberry.execution"]
    assert record.levelno == logging.ERROR
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
