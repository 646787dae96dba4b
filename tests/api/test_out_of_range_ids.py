"""Ids whose number no primary key can hold (issue 13, point 8): `Employee:2147483648` is a
well-formed id of nothing. Wherever an id comes in (node, mutation input, filters, cursors,
arguments), it must be "not found" or an invalid id, as any other unknown id, never reach the
database driver (PostgreSQL's int4 columns refuse it: an internal error)."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.resolvers.node import NODE_MODELS
from app.schema.ids import to_global_id
from tests.api.live import serve, subscribe
from tests.api.test_requests import APPROVE, claim, task_ids
from tests.conftest import errors_of

# Just past int4, past int8, and the longest key an id may carry (60 characters).
HUGE = (2**31, 2**63, int("9" * 60))
NODE = "query ($id: ID!) { node(id: $id) { id } }"


def _no_crash(result: dict) -> None:
    assert "INTERNAL_SERVER_ERROR" not in errors_of(result), result
    for error in result.get("errors", []):
        assert "int32" not in error["message"] and "out of range" not in error["message"], error


@pytest.mark.parametrize("type_name", [*NODE_MODELS, "WorkflowDefinition"])
async def test_node_of_an_out_of_range_id_is_not_found(graphql, type_name):
    for number in HUGE:
        key = f"{number}.EXPENSE_CLAIM" if type_name == "WorkflowDefinition" else number
        result = await graphql(NODE, {"id": to_global_id(type_name, key)}, as_user="kantoor.admin")
        _no_crash(result)
        assert errors_of(result) == ["NOT_FOUND"], result
        assert result["data"] == {"node": None}


async def _fingerprint(db) -> tuple[int, int, int]:
    async with db.reader() as s:
        return (
            await s.scalar(select(func.count()).select_from(m.WorkflowDefinitionVersion)),
            await s.scalar(select(func.count()).select_from(m.ProductEvent)),
            await s.scalar(select(func.count()).select_from(m.AuditEntry)),
        )


async def test_input_ids_out_of_range_are_invalid_and_change_nothing(graphql, db):
    assert (await claim(graphql, db))["errors"] == []
    [task] = await task_ids(graphql, "manager.verkoop")
    before = await _fingerprint(db)
    for number in HUGE:
        result = await graphql(
            APPROVE, {"input": {"taskId": to_global_id("Task", number)}}, as_user="manager.verkoop"
        )
        _no_crash(result)
        assert [e["code"] for e in result["data"]["approveTask"]["errors"]] == ["INVALID_ID"]
        definition = to_global_id("WorkflowDefinition", f"{number}.EXPENSE_CLAIM")
        steps = await graphql(
            """mutation ($input: UpdateWorkflowStepsInput!) { updateWorkflowSteps(input: $input)
            { errors { code } } }""",
            {"input": {"definitionId": definition, "steps": []}},
            as_user="kantoor.admin",
        )
        _no_crash(steps)
        assert errors_of(steps) == ["NOT_FOUND"]
        employer = to_global_id("Employer", number)
        product = await graphql(
            """mutation ($input: SetProductActiveInput!) { setProductActive(input: $input)
            { errors { code } } }""",
            {"input": {"employerId": employer, "product": "MIJNLOKET", "active": False}},
            as_user="kantoor.admin",
        )
        _no_crash(product)
        assert errors_of(product) == ["NOT_FOUND"]
    assert await task_ids(graphql, "manager.verkoop") == [task]  # still open
    assert await _fingerprint(db) == before


async def test_filters_arguments_and_cursors_out_of_range_are_refused(graphql, ids):
    employer = await ids.employer()
    for number in HUGE:
        employee, other = to_global_id("Employee", number), to_global_id("Employer", number)
        cursor = base64.urlsafe_b64encode(json.dumps(["x", number]).encode()).decode()
        cases = [
            (
                """query ($e: ID!, $ids: [ID!]) { processOverview(employerId: $e, tab: OPEN,
                filter: {employeeIds: $ids}) { totalCount } }""",
                {"e": employer, "ids": [employee]},
                ["BAD_USER_INPUT"],
            ),
            (
                "query ($e: ID!) { processOverview(employerId: $e, tab: OPEN) { totalCount } }",
                {"e": other},
                ["NOT_FOUND"],
            ),
            (
                "query ($e: ID) { taskCentre(filter: {employerId: $e}) { totalCount } }",
                {"e": other},
                ["BAD_USER_INPUT"],
            ),
            (
                "query ($e: ID!) { outboxEmails(employerId: $e) { totalCount } }",
                {"e": other},
                ["NOT_FOUND"],
            ),
            (
                "query ($a: String) { employers(after: $a) { totalCount } }",
                {"a": cursor},
                ["BAD_USER_INPUT"],
            ),
        ]
        for query, variables, codes in cases:
            result = await graphql(query, variables, as_user="kantoor.admin")
            _no_crash(result)
            assert errors_of(result) == codes, (query, result)
        # Arguments that answer "nothing" for an unknown id: the same for one out of range.
        rights = await graphql(
            "query ($e: ID) { viewer { rights(employerId: $e) } }", {"e": other}, as_user="wn001"
        )
        assert rights == {"data": {"viewer": {"rights": []}}}
        search = await graphql(
            """query ($e: ID!, $s: String) { node(id: $e) { ... on Employer {
            employees(search: $s) { totalCount } } } }""",
            {"e": employer, "s": str(number)},
            as_user="kantoor.admin",
        )
        assert search == {"data": {"node": {"employees": {"totalCount": 0}}}}


async def test_subscriptions_of_an_out_of_range_id_are_refused(settings, db, token):
    query = """subscription ($e: ID!) { processOverviewChanged(employerId: $e) {
      eventId } }"""
    async with serve(settings) as base:
        for number in HUGE:
            variables = {"e": to_global_id("Employer", number)}
            async with subscribe(base, token("kantoor.admin"), query, variables) as sub:
                message = await sub.next()
            assert message["type"] in ("error", "next"), message
            errors = (
                message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            )
            assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"], message
