"""Process management through the API (issue 5): tabs, columns, filters, sorting, keyset pages,
the office-wide overview, the detail of a request and the department manager's scope."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from app.db import models as m
from app.schema.ids import from_global_id, to_global_id
from tests.api.test_requests import APPROVE, PROCESS, REJECT, claim, component_id, task_ids
from tests.conftest import errors_of

ROW = """id type displayName status statusLabel submittedAt nextActionBy
  employee { name } submitter { username } employer { name }
  expenseClaim { component { name } value payrollPeriod }"""
OVERVIEW = f"""query ($employerId: ID, $tab: ProcessTab!, $filter: ProcessOverviewFilter,
  $sort: ProcessOverviewSort, $first: Int, $after: String) {{
  processOverview(employerId: $employerId, tab: $tab, filter: $filter, sort: $sort,
                  first: $first, after: $after) {{
    __typename totalCount tabLabel columns {{ column header kind }}
    countsPerStatus {{ status label count }} countsPerType {{ type count }}
    pageInfo {{ hasNextPage endCursor }} edges {{ __typename cursor node {{ {ROW} }} }} }} }}"""
ADDRESS = """mutation ($input: SubmitAddressUpdateInput!) { submitAddressUpdate(input: $input) {
  instance { id } errors { code } } }"""
DETAIL = """query ($id: ID!) { node(id: $id) { ... on WorkflowInstance {
  status submitter { username } nextActionBy
  expenseClaim { component { name } value payrollPeriod decision decidedBy { username } decidedAt }
  steps { position kind name state stateLabel action actionLabel comment doneAt handledBy
          actor { username }
          configuration { position kind name sendEmail assignee { kind userType role { name } } } }
  auditTrail { kind position comment actor { username } } } } }"""


@pytest.fixture
def overview(graphql, ids):
    """Post the overview query; `employerId` is the demo employer unless given or `employer`
    is False (the office-wide overview)."""

    async def post(as_user, tab="OPEN", *, employer=True, **variables):
        if employer and "employerId" not in variables:
            variables["employerId"] = await ids.employer()
        return await graphql(OVERVIEW, {"tab": tab, **variables}, as_user=as_user)

    return post


def rows(result) -> list[dict]:
    return [e["node"] for e in result["data"]["processOverview"]["edges"]]


async def scenario(graphql, db):
    """Open and finished requests of several departments and types."""
    ids = {}
    ids["wn001"] = (await claim(graphql, db, "wn001", value="42", payrollPeriod="2026-11"))[
        "instance"
    ]["id"]
    ids["wn003"] = (await claim(graphql, db, "wn003", value="12.5"))["instance"]["id"]
    ids["wn005"] = (await claim(graphql, db, "wn005", value="80", name="Brandstofkosten"))[
        "instance"
    ]["id"]
    ids["wn006"] = (await claim(graphql, db, "wn006", value="7"))["instance"]["id"]
    address = {
        "street": "Dorpsstraat",
        "houseNumber": "1",
        "postcode": "1234 AB",
        "city": "Utrecht",
    }
    result = await graphql(ADDRESS, {"input": address}, as_user="wn007")
    ids["address"] = result["data"]["submitAddressUpdate"]["instance"]["id"]
    # wn001's claim approved by its manager; wn006's rejected by HR.
    [task] = await task_ids(
        graphql, "manager.verkoop"
    )  # wn001 only: wn003 has a deviating approver
    done = await graphql(APPROVE, {"input": {"taskId": task}}, as_user="manager.verkoop")
    assert done["data"]["approveTask"]["errors"] == []
    hr_tasks = await graphql(
        """{ taskCentre { edges { node { id instance { id } } } } }""", as_user="werkgever.hr"
    )
    [wn006_task] = [
        e["node"]["id"]
        for e in hr_tasks["data"]["taskCentre"]["edges"]
        if e["node"]["instance"]["id"] == ids["wn006"]
    ]
    rejected = await graphql(
        REJECT, {"input": {"taskId": wn006_task, "comment": "Geen bon"}}, as_user="werkgever.hr"
    )
    assert rejected["data"]["rejectTask"]["errors"] == []
    return ids


async def display_name(db, username: str) -> str:
    async with db.reader() as s:
        return await s.scalar(select(m.User.display_name).where(m.User.username == username))


async def test_open_tab_shows_who_must_act_next(graphql, db, overview):
    ids = await scenario(graphql, db)
    result = await overview("werkgever.hr", "OPEN")
    data = result["data"]["processOverview"]
    # The connection's names as API.md fixes them.
    assert data["__typename"] == "WorkflowInstanceConnection"
    assert {e["__typename"] for e in data["edges"]} == {"WorkflowInstanceEdge"}
    assert data["tabLabel"] == "Openstaand"
    assert [c["header"] for c in data["columns"]] == [
        "Medewerker",
        "Indiener",
        "Datum ingediend",
        "Proces",
        "Status",
        "Volgende actie door",
    ]
    by_id = {r["id"]: r for r in rows(result)}
    assert set(by_id) == {ids["wn003"], ids["wn005"], ids["address"]}
    assert data["totalCount"] == 3
    assert [(c["status"], c["count"]) for c in data["countsPerStatus"]] == [("IN_PROGRESS", 3)]
    directie = await display_name(db, "werkgever.directie")
    assert by_id[ids["wn003"]]["nextActionBy"] == f"Afwijkende goedkeurder {directie}"
    assert by_id[ids["wn005"]]["nextActionBy"] == "Alle werkgevergebruikers"
    assert by_id[ids["address"]]["nextActionBy"] == "Rol Salarisprofessional"
    row = by_id[ids["wn005"]]
    assert row["displayName"] == "Declaratie medewerker"
    assert row["statusLabel"] == "In behandeling"
    assert row["submitter"]["username"] == "wn005"
    # Newest first by default.
    times = [r["submittedAt"] for r in rows(result)]
    assert times == sorted(times, reverse=True)


async def test_historical_tab_with_status_filter(graphql, db, overview):
    ids = await scenario(graphql, db)
    result = await overview("werkgever.hr", "HISTORICAL")
    data = result["data"]["processOverview"]
    assert data["tabLabel"] == "Historisch"
    assert "NEXT_ACTION_BY" not in [c["column"] for c in data["columns"]]
    assert {r["id"]: r["status"] for r in rows(result)} == {
        ids["wn001"]: "COMPLETED",
        ids["wn006"]: "REJECTED",
    }
    only = await overview("werkgever.hr", "HISTORICAL", filter={"statuses": ["REJECTED"]})
    assert [r["id"] for r in rows(only)] == [ids["wn006"]]
    wrong = await overview("werkgever.hr", "OPEN", filter={"statuses": ["REJECTED"]})
    assert errors_of(wrong) == ["BAD_USER_INPUT"]
    assert "Openstaand" in wrong["errors"][0]["message"]


async def test_the_declaration_view_adds_component_value_and_period(graphql, db, overview):
    ids = await scenario(graphql, db)
    claims = {"types": ["EXPENSE_CLAIM"]}
    result = await overview("werkgever.hr", "HISTORICAL", filter=claims)
    headers = [c["header"] for c in result["data"]["processOverview"]["columns"]]
    assert headers[-3:] == ["Component", "Waarde", "Verloningsperiode"]
    assert [c["kind"] for c in result["data"]["processOverview"]["columns"]][-2] == "NUMBER"
    approved = next(r for r in rows(result) if r["id"] == ids["wn001"])
    assert approved["expenseClaim"]["payrollPeriod"] == "2026-11"
    assert approved["expenseClaim"]["value"] == "42.00"

    fuel = await component_id(db, "Brandstofkosten")
    open_fuel = await overview("werkgever.hr", filter={**claims, "componentIds": [fuel]})
    assert [r["id"] for r in rows(open_fuel)] == [ids["wn005"]]
    ranged = await overview("werkgever.hr", filter={**claims, "valueMin": "10", "valueMax": "20"})
    assert [r["id"] for r in rows(ranged)] == [ids["wn003"]]
    period = await overview(
        "werkgever.hr", "HISTORICAL", filter={**claims, "payrollPeriods": ["2026-11"]}
    )
    assert [r["id"] for r in rows(period)] == [ids["wn001"]]
    # Declaration filters without the declaration view are refused, as is a bad period.
    mixed = await overview("werkgever.hr", filter={"componentIds": [fuel]})
    assert errors_of(mixed) == ["BAD_USER_INPUT"]
    bad = await overview("werkgever.hr", filter={**claims, "payrollPeriods": ["2026-13"]})
    assert errors_of(bad) == ["BAD_USER_INPUT"]


async def test_filters_on_employee_submitter_and_dates(graphql, db, overview, ids):
    made = await scenario(graphql, db)
    wn005 = await ids.employee(5)
    by_employee = await overview("werkgever.hr", filter={"employeeIds": [wn005]})
    assert [r["id"] for r in rows(by_employee)] == [made["wn005"]]
    name = rows(by_employee)[0]["employee"]["name"]
    by_name = await overview("werkgever.hr", filter={"employeeSearch": name[:5].upper()})
    assert made["wn005"] in [r["id"] for r in rows(by_name)]
    by_submitter = await overview("werkgever.hr", filter={"submitterSearch": "WN007"})
    assert [r["id"] for r in rows(by_submitter)] == [made["address"]]
    submitter_id = await ids.user("wn003")
    by_submitter_id = await overview("werkgever.hr", filter={"submitterIds": [submitter_id]})
    assert [r["id"] for r in rows(by_submitter_id)] == [made["wn003"]]
    future = await overview("werkgever.hr", filter={"submittedFrom": "2099-01-01"})
    assert rows(future) == []
    reversed_ = await overview(
        "werkgever.hr",
        filter={"submittedFrom": "2026-12-01", "submittedTo": "2026-11-01"},
    )
    assert errors_of(reversed_) == ["BAD_USER_INPUT"]
    types = await overview("werkgever.hr", filter={"types": ["ADDRESS_UPDATE"]})
    assert [r["id"] for r in rows(types)] == [made["address"]]


async def test_sorting_and_keyset_pages(graphql, db, overview):
    await scenario(graphql, db)
    everything = []
    for sort in ({"by": "EMPLOYEE", "direction": "ASC"}, {"by": "STATUS", "direction": "DESC"}):
        seen, after = [], None
        while True:
            result = await overview("werkgever.hr", "HISTORICAL", sort=sort, first=1, after=after)
            page = result["data"]["processOverview"]
            seen += rows(result)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        everything.append(seen)
    by_employee, by_status = everything
    names = [r["employee"]["name"] for r in by_employee]
    assert names == sorted(names) and len(names) == 2
    assert [r["status"] for r in by_status] == ["REJECTED", "COMPLETED"]
    # A cursor of another sort is refused, not misread.
    first = await overview("werkgever.hr", "OPEN", first=1)
    cursor = first["data"]["processOverview"]["pageInfo"]["endCursor"]
    other = await overview("werkgever.hr", "OPEN", first=1, after=cursor, sort={"by": "EMPLOYEE"})
    assert errors_of(other) == ["BAD_USER_INPUT"]


async def test_a_department_manager_sees_only_its_departments(graphql, db, overview, ids):
    made = await scenario(graphql, db)
    for tab in ("OPEN", "HISTORICAL"):
        result = await overview("manager.verkoop", tab)
        data = result["data"]["processOverview"]
        for row in rows(result):
            assert row["id"] in (made["wn001"], made["wn003"])
        assert data["totalCount"] == 1
        assert sum(c["count"] for c in data["countsPerType"]) == 1
    # Whatever the filter says: another department's employee stays out of sight.
    wn005 = await ids.employee(5)
    result = await overview("manager.verkoop", filter={"employeeIds": [wn005]})
    assert rows(result) == [] and result["data"]["processOverview"]["totalCount"] == 0
    detail = await graphql(DETAIL, {"id": made["wn005"]}, as_user="manager.verkoop")
    assert errors_of(detail) == ["NOT_FOUND"]


async def test_without_the_right_it_is_forbidden(graphql, db, overview):
    await scenario(graphql, db)
    for user in ("werkgever.directie", "wn001"):
        result = await overview(user)
        assert errors_of(result) == ["FORBIDDEN"], user
    anonymous = await overview(None)
    assert errors_of(anonymous) == ["UNAUTHENTICATED"]
    unknown = await overview("werkgever.hr", employerId="RW1wbG95ZXI6OTk5OTk")
    assert errors_of(unknown) == ["NOT_FOUND"]
    # The office-wide overview is for provider users.
    office = await overview("werkgever.hr", employer=False)
    assert errors_of(office) == ["FORBIDDEN"]


async def test_the_office_wide_overview(graphql, db, overview, ids):
    made = await scenario(graphql, db)
    result = await overview("kantoor.salaris", employer=False)
    data = result["data"]["processOverview"]
    assert data["columns"][0] == {"column": "EMPLOYER", "header": "Werkgever", "kind": "TEXT"}
    assert {r["id"] for r in rows(result)} == {made["wn003"], made["wn005"], made["address"]}
    assert {r["employer"]["name"] for r in rows(result)} == {"De Ideale Klant B.V."}
    employer = await ids.employer()
    narrowed = await overview("kantoor.salaris", employer=False, filter={"employerIds": [employer]})
    assert narrowed["data"]["processOverview"]["totalCount"] == 3
    both = await overview("kantoor.salaris", filter={"employerIds": [employer]})
    assert errors_of(both) == ["BAD_USER_INPUT"]


async def test_the_detail_of_a_request(graphql, db, overview):
    made = await scenario(graphql, db)
    result = await graphql(DETAIL, {"id": made["wn001"]}, as_user="manager.verkoop")
    instance = result["data"]["node"]
    assert instance["status"] == "COMPLETED" and instance["nextActionBy"] is None
    [step] = instance["steps"]
    assert step["stateLabel"] == "Afgerond" and step["actionLabel"] == "goedgekeurd"
    assert step["actor"]["username"] == "manager.verkoop" and step["doneAt"]
    assert step["handledBy"] == await display_name(db, "manager.verkoop")
    assert step["configuration"] == {
        "position": 1,
        "kind": "APPROVAL",
        "name": "Goedkeuren",
        "sendEmail": True,
        "assignee": {"kind": "ALL_USERS", "userType": None, "role": None},
    }
    claim_ = instance["expenseClaim"]
    assert claim_["decision"] == "APPROVED"
    assert claim_["decidedBy"]["username"] == "manager.verkoop" and claim_["decidedAt"]
    assert [e["kind"] for e in instance["auditTrail"]][:2] == ["SUBMITTED", "STEP_STARTED"]
    assert "APPROVED" in [e["kind"] for e in instance["auditTrail"]]

    rejected = await graphql(DETAIL, {"id": made["wn006"]}, as_user="werkgever.hr")
    claim_ = rejected["data"]["node"]["expenseClaim"]
    assert claim_["decision"] == "REJECTED" and claim_["decidedBy"]["username"] == "werkgever.hr"
    assert rejected["data"]["node"]["steps"][0]["comment"] == "Geen bon"

    waiting = await graphql(DETAIL, {"id": made["address"]}, as_user="kantoor.salaris")
    notify, task = waiting["data"]["node"]["steps"]
    assert (notify["actionLabel"], notify["stateLabel"]) == ("geïnformeerd", "Afgerond")
    assert notify["handledBy"] == "Afdelingsmanagers van de afdeling"
    assert (task["actionLabel"], task["stateLabel"]) == ("wacht op actie", "Nog doen")
    assert task["handledBy"] == "Rol Salarisprofessional"
    assert task["configuration"]["assignee"]["role"] == {"name": "Salarisprofessional"}


async def test_a_first_approval_of_two_is_not_the_decision(graphql, db, ids):
    definition = to_global_id(
        "WorkflowDefinition", f"{from_global_id(await ids.employer())[1]}.EXPENSE_CLAIM"
    )
    quiet = {"kind": "APPROVAL", "sendEmail": False}
    steps = [
        {**quiet, "name": "Manager", "userType": "DEPARTMENT_MANAGER"},
        {**quiet, "name": "Directie", "roleId": await ids.role("Directie")},
    ]
    changed = await graphql(
        """mutation ($input: UpdateWorkflowStepsInput!) { updateWorkflowSteps(input: $input) {
        errors { code } } }""",
        {"input": {"definitionId": definition, "steps": steps}},
        as_user="werkgever.hr",
    )
    assert changed["data"]["updateWorkflowSteps"]["errors"] == []
    made = (await claim(graphql, db, "wn001", value="10"))["instance"]["id"]
    [task] = await task_ids(graphql, "manager.verkoop")
    await graphql(APPROVE, {"input": {"taskId": task}}, as_user="manager.verkoop")
    detail = await graphql(DETAIL, {"id": made}, as_user="werkgever.hr")
    node = detail["data"]["node"]
    assert node["status"] == "IN_PROGRESS"
    assert node["expenseClaim"]["decision"] is None and node["expenseClaim"]["decidedBy"] is None
    [task] = await task_ids(graphql, "werkgever.directie")
    await graphql(APPROVE, {"input": {"taskId": task}}, as_user="werkgever.directie")
    detail = await graphql(DETAIL, {"id": made}, as_user="werkgever.hr")
    claim_ = detail["data"]["node"]["expenseClaim"]
    assert (claim_["decision"], claim_["decidedBy"]["username"]) == (
        "APPROVED",
        "werkgever.directie",
    )


async def test_date_filters_mean_the_dutch_day(graphql, db, overview):
    made = await scenario(graphql, db)
    late = dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC)  # 3 November, 00:30 in Amsterdam
    async with db.writer() as s:
        await s.execute(
            update(m.WorkflowInstance)
            .where(m.WorkflowInstance.id == int(from_global_id(made["wn005"])[1]))
            .values(submitted_at=late)
        )
    day = {"submittedFrom": "2026-11-03", "submittedTo": "2026-11-03"}
    on_the_3rd = await overview("werkgever.hr", filter=day)
    assert [r["id"] for r in rows(on_the_3rd)] == [made["wn005"]]
    day = {"submittedFrom": "2026-11-02", "submittedTo": "2026-11-02"}
    assert rows(await overview("werkgever.hr", filter=day)) == []


async def test_forged_and_extreme_arguments_are_refused_cleanly(graphql, db, overview):
    await scenario(graphql, db)
    huge = to_global_id("Employee", 999_999_999_999_999_999)
    big_int = base64.urlsafe_b64encode(
        json.dumps(["SUBMITTED_AT:desc", "2026-11-01T00:00:00+00:00", 10**30]).encode()
    ).decode()
    far_date = base64.urlsafe_b64encode(
        json.dumps(["SUBMITTED_AT:desc", "9999-12-31T23:59:59-05:00", 1]).encode()
    ).decode()
    naive = base64.urlsafe_b64encode(
        json.dumps(["SUBMITTED_AT:desc", "2026-11-01T00:00:00", 1]).encode()
    ).decode()
    nul = base64.urlsafe_b64encode(json.dumps(["EMPLOYEE:asc", "a\u0000b", 1]).encode()).decode()
    cases = [
        {"filter": {"employeeIds": [huge]}},
        {"filter": {"types": ["EXPENSE_CLAIM"], "valueMin": "1e-100000"}},
        {"filter": {"types": ["EXPENSE_CLAIM"], "valueMax": "1e400"}},
        # Beyond the decimal context: abs() of it overflows (found by tests/api/test_bad_input).
        {"filter": {"types": ["EXPENSE_CLAIM"], "valueMin": "1E+999999999"}},
        {"filter": {"types": ["EXPENSE_CLAIM"], "valueMax": "-1E+999999999"}},
        {"filter": {"employeeSearch": "x\u0000y"}},
        {"after": big_int},
        {"after": far_date},
        {"after": naive},
        {"after": nul, "sort": {"by": "EMPLOYEE", "direction": "ASC"}},
    ]
    for variables in cases:
        result = await overview("werkgever.hr", **variables)
        # The client's error, or an answer; never an internal error from the database driver.
        if "errors" in result:
            assert errors_of(result) == ["BAD_USER_INPUT"], (variables, result)
        else:
            assert result["data"]["processOverview"]["totalCount"] >= 0


async def test_an_employee_sees_no_one_behind_its_open_step(graphql, db):
    made = await scenario(graphql, db)
    detail = await graphql(
        """query ($id: ID!) { node(id: $id) { ... on WorkflowInstance {
        steps { state handledBy } } } }""",
        {"id": made["wn003"]},
        as_user="wn003",
    )
    [step] = detail["data"]["node"]["steps"]
    assert step == {"state": "OPEN", "handledBy": None}  # not "Afwijkende goedkeurder ..."
    forbidden = await graphql(
        "query ($id: ID!) { node(id: $id) { ... on WorkflowInstance { nextActionBy } } }",
        {"id": made["wn003"]},
        as_user="wn003",
    )
    assert errors_of(forbidden) == ["FORBIDDEN"]


async def test_the_period_column_is_the_booked_else_the_asked_period(graphql, db, overview):
    made = await scenario(graphql, db)
    booked = await graphql(
        PROCESS,
        {"input": {"instanceIds": [made["wn001"]], "payrollPeriod": "2026-12"}},
        as_user="werkgever.hr",
    )
    assert booked["data"]["processExpenseClaims"]["processedCount"] == 1
    claims = {"types": ["EXPENSE_CLAIM"], "payrollPeriods": ["2026-12"]}
    result = await graphql(
        """query ($e: ID!, $f: ProcessOverviewFilter) { processOverview(employerId: $e,
        tab: HISTORICAL, filter: $f) { edges { node { id expenseClaim {
        payrollPeriod processedPeriod effectivePayrollPeriod } } } } }""",
        {"e": await _employer(db), "f": claims},
        as_user="werkgever.hr",
    )
    [row] = [e["node"] for e in result["data"]["processOverview"]["edges"]]
    assert row["id"] == made["wn001"]
    assert row["expenseClaim"] == {
        "payrollPeriod": "2026-11",
        "processedPeriod": "2026-12",
        "effectivePayrollPeriod": "2026-12",
    }


async def _employer(db) -> str:
    async with db.reader() as s:
        return to_global_id("Employer", await s.scalar(select(m.Employer.id)))
