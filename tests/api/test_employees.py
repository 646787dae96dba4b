"""Employees: department scope, field-level rights, search and keyset pagination."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from tests.conftest import errors_of

EMPLOYEES = """
query ($first: Int, $after: String, $search: String) {
  employers { edges { node {
    employees(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id employeeNumber name department { name } } }
    }
  } } }
}
"""

EMPLOYEE = """
query ($id: ID!) {
  node(id: $id) {
    __typename
    ... on Employee { id name department { name } iban bsn mijnLoketEmail privateEmail }
  }
}
"""


def _employees(result):
    return result["data"]["employers"]["edges"][0]["node"]["employees"]


async def _department_of(db, name: str) -> set[int]:
    async with db.reader() as s:
        return set(
            await s.scalars(
                select(m.Employee.employee_number)
                .join(m.Department, m.Department.id == m.Employee.department_id)
                .where(m.Department.name == name)
            )
        )


async def test_department_manager_lists_only_its_departments_employees(graphql, db):
    result = await graphql(EMPLOYEES, {"first": 100}, as_user="manager.verkoop")
    employees = _employees(result)
    numbers = {e["node"]["employeeNumber"] for e in employees["edges"]}
    assert numbers == await _department_of(db, "Verkoop")
    assert {1, 3} <= numbers
    assert {e["node"]["department"]["name"] for e in employees["edges"]} == {"Verkoop"}
    assert employees["totalCount"] == len(numbers)


async def test_department_manager_cannot_open_another_departments_employee(graphql, ids):
    other = await ids.employee(2)  # wn002 works in Administratie
    result = await graphql(EMPLOYEE, {"id": other}, as_user="manager.verkoop")
    assert result["data"]["node"] is None
    assert errors_of(result) == ["NOT_FOUND"]


async def test_department_manager_never_sees_iban_bsn_or_mijnloket_email(graphql, ids):
    result = await graphql(EMPLOYEE, {"id": await ids.employee(1)}, as_user="manager.verkoop")
    node = result["data"]["node"]
    assert node["name"] and node["department"] == {"name": "Verkoop"}
    assert node["privateEmail"]  # contact details are not restricted
    assert (node["iban"], node["bsn"], node["mijnLoketEmail"]) == (None, None, None)
    assert sorted(errors_of(result)) == ["FORBIDDEN"] * 3
    assert sorted(e["path"][-1] for e in result["errors"]) == ["bsn", "iban", "mijnLoketEmail"]


async def test_mijnloket_email_needs_its_own_right(graphql, ids, db):
    wn001 = await ids.employee(1)
    before = await graphql(EMPLOYEE, {"id": wn001}, as_user="werkgever.hr")
    assert before["data"]["node"]["mijnLoketEmail"] is None
    assert before["data"]["node"]["iban"].startswith("NL")  # the rest is readable
    assert errors_of(before) == ["FORBIDDEN"]
    assert before["errors"][0]["path"] == ["node", "mijnLoketEmail"]

    grant = await graphql(
        """mutation ($input: GrantRightInput!) { grantRight(input: $input) {
             user { username } errors { code } } }""",
        {
            "input": {
                "userId": await ids.user("werkgever.hr"),
                "right": "VIEW_MIJNLOKET_EMAIL",
                "employerId": await ids.employer(),
            }
        },
        as_user="kantoor.admin",
    )
    assert grant["data"]["grantRight"] == {"user": {"username": "werkgever.hr"}, "errors": []}

    after = await graphql(EMPLOYEE, {"id": wn001}, as_user="werkgever.hr")
    async with db.reader() as s:
        address = await s.scalar(
            select(m.Employee.mijnloket_email).where(m.Employee.employee_number == 1)
        )
    assert "errors" not in after
    assert after["data"]["node"]["mijnLoketEmail"] == address


async def test_employee_sees_its_own_record_and_nobody_elses(graphql, ids):
    own = await graphql(EMPLOYEE, {"id": await ids.employee(1)}, as_user="wn001")
    assert "errors" not in own
    assert own["data"]["node"]["mijnLoketEmail"] and own["data"]["node"]["iban"]
    other = await graphql(EMPLOYEE, {"id": await ids.employee(3)}, as_user="wn001")
    assert other["data"]["node"] is None and errors_of(other) == ["NOT_FOUND"]
    # A MijnLoket account lists no employers (its own are under viewer.employments), and
    # reaching the employer by id does not open its employee list either.
    listing = await graphql(EMPLOYEES, as_user="wn001")
    assert listing["data"]["employers"]["edges"] == []
    employer = await ids.employer()
    direct = await graphql(
        "query ($id: ID!) { node(id: $id) { ... on Employer { employees { totalCount } } } }",
        {"id": employer},
        as_user="wn001",
    )
    assert errors_of(direct) == ["FORBIDDEN"]


async def test_employee_list_needs_view_employees(graphql):
    # kantoor.salaris has PROCESS_MANAGEMENT and VIEW_WORKFLOW_EDITOR, not VIEW_EMPLOYEES.
    result = await graphql(EMPLOYEES, as_user="kantoor.salaris")
    assert errors_of(result) == ["FORBIDDEN"]
    assert result["errors"][0]["path"][-1] == "employees"


async def test_keyset_pagination_walks_every_employee_once_in_name_order(graphql, db):
    seen, after = [], None
    while True:
        page = _employees(
            await graphql(EMPLOYEES, {"first": 7, "after": after}, as_user="werkgever.hr")
        )
        seen += [e["node"]["name"] for e in page["edges"]]
        assert page["totalCount"] == 50
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    async with db.reader() as s:
        expected = list(
            await s.scalars(select(m.Employee.name).order_by(m.Employee.name, m.Employee.id))
        )
    assert seen == expected and len(seen) == 50


async def test_search_by_name_fragment_and_employee_number(graphql, db):
    async with db.reader() as s:
        name = await s.scalar(select(m.Employee.name).where(m.Employee.employee_number == 17))
    surname = name.split()[-1]
    by_name = _employees(
        await graphql(EMPLOYEES, {"search": surname.upper()}, as_user="werkgever.hr")
    )
    assert name in [e["node"]["name"] for e in by_name["edges"]]
    assert all(surname.lower() in e["node"]["name"].lower() for e in by_name["edges"])
    by_number = _employees(await graphql(EMPLOYEES, {"search": "17"}, as_user="werkgever.hr"))
    assert 17 in [e["node"]["employeeNumber"] for e in by_number["edges"]]
    nothing = _employees(await graphql(EMPLOYEES, {"search": "%_"}, as_user="werkgever.hr"))
    assert nothing["totalCount"] == 0  # wildcards are literal characters


async def test_bad_paging_arguments_are_refused(graphql):
    import base64

    forged = [
        base64.urlsafe_b64encode(text.encode()).decode()
        for text in ("[1,2]", '["a","b"]', '["a",true]', '["a",1,2]', "{}", '["a",1.5]')
    ]
    bad = [{"first": 0}, {"first": 101}, {"after": "bm9wZQ"}, {"after": "!!"}]
    for variables in bad + [{"after": c} for c in forged]:
        result = await graphql(EMPLOYEES, variables, as_user="werkgever.hr")
        assert errors_of(result) == ["BAD_USER_INPUT"], (variables, result)
