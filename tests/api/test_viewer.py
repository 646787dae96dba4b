"""`viewer` and sign-in through HTTP."""

from __future__ import annotations

import datetime as dt

import jwt

from tests.conftest import errors_of

VIEWER = """
query ($employerId: ID) {
  viewer {
    id username userType displayName
    providerRights: rights
    employerRights: rights(employerId: $employerId)
    employers { id name }
    access { employer { name } rights roles { name } }
    employments { employeeNumber name }
    departments { name }
  }
}
"""


async def test_employer_user_sees_its_rights_roles_and_employer(graphql, ids):
    employer = await ids.employer()
    result = await graphql(VIEWER, {"employerId": employer}, as_user="werkgever.hr")
    assert "errors" not in result, result
    viewer = result["data"]["viewer"]
    assert viewer["id"] == await ids.user("werkgever.hr")
    assert viewer["userType"] == "EMPLOYER"
    assert viewer["providerRights"] == []
    assert viewer["employerRights"] == [
        "VIEW_WORKFLOW_EDITOR",
        "MANAGE_WORKFLOW_EDITOR",
        "PROCESS_MANAGEMENT",
        "VIEW_EMPLOYEES",
    ]
    assert viewer["employers"] == [{"id": employer, "name": "De Ideale Klant B.V."}]
    assert viewer["access"] == [
        {
            "employer": {"name": "De Ideale Klant B.V."},
            "rights": viewer["employerRights"],
            "roles": [{"name": "HR"}],
        }
    ]
    # The person behind werkgever.hr is also employee wn002.
    assert [e["employeeNumber"] for e in viewer["employments"]] == [2]


async def test_provider_user_has_provider_level_rights_at_every_employer(graphql, ids):
    result = await graphql(VIEWER, {"employerId": await ids.employer()}, as_user="kantoor.salaris")
    viewer = result["data"]["viewer"]
    assert viewer["userType"] == "PROVIDER"
    assert viewer["providerRights"] == ["VIEW_WORKFLOW_EDITOR", "PROCESS_MANAGEMENT"]
    assert viewer["employerRights"] == ["VIEW_WORKFLOW_EDITOR", "PROCESS_MANAGEMENT"]
    assert viewer["access"][0]["roles"] == [{"name": "Salarisprofessional"}]


async def test_department_manager_and_employee(graphql):
    manager = (await graphql(VIEWER, as_user="manager.verkoop"))["data"]["viewer"]
    assert manager["userType"] == "DEPARTMENT_MANAGER"
    assert manager["departments"] == [{"name": "Verkoop"}]
    employee = (await graphql(VIEWER, as_user="wn001"))["data"]["viewer"]
    assert employee["userType"] == "EMPLOYEE"
    assert employee["access"][0]["rights"] == []
    assert [e["employeeNumber"] for e in employee["employments"]] == [1]


async def test_anonymous_and_bad_tokens_are_unauthenticated(graphql, settings):
    assert errors_of(await graphql("{ viewer { id } }")) == ["UNAUTHENTICATED"]
    for header in (
        "Bearer not-a-jwt",
        "Basic d2VyazpnZXZlcg==",
        "Bearer " + jwt.encode({"sub": "werkgever.hr", "exp": 4102444800}, "wrong-secret-" * 4),
        "Bearer "
        + jwt.encode(
            {"sub": "werkgever.hr", "exp": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
            settings.jwt_secret,
        ),
        "Bearer " + jwt.encode({"sub": "nobody", "exp": 4102444800}, settings.jwt_secret),
        "Bearer " + jwt.encode({"sub": "werkgever.hr"}, settings.jwt_secret),  # no expiry
    ):
        result = await graphql("{ viewer { id } }", headers={"Authorization": header})
        assert errors_of(result) == ["UNAUTHENTICATED"], (header, result)
        assert result["data"] is None


async def test_an_employment_at_another_office_is_shown_with_its_employer(graphql, db):
    """A person may work at employers of two offices; its own employments show both, but no
    rights follow it to the other office."""
    from sqlalchemy import select

    from app.db import models as m
    from app.schema.ids import decode_id
    from tests import factories

    office = await factories.provider(db, "Kantoor Z")
    elsewhere = decode_id(
        await factories.employer(db, "Bijbaan B.V.", provider_id=office), "Employer"
    )
    async with db.writer() as s:
        hr = await s.scalar(select(m.User).where(m.User.username == "werkgever.hr"))
        department = await s.scalar(
            select(m.Department.id).where(m.Department.employer_id == elsewhere)
        )
        s.add(
            m.Employee(
                employer_id=elsewhere,
                person_id=hr.person_id,
                department_id=department,
                employee_number=7,
                name="Daan de Boer",
                employment_start=__import__("datetime").date(2025, 1, 1),
            )
        )
    result = await graphql(
        "{ viewer { employments { employeeNumber employer { name } department { name } } "
        "employers { name } } }",
        as_user="werkgever.hr",
    )
    assert "errors" not in result, result
    viewer = result["data"]["viewer"]
    assert {(e["employer"]["name"], e["employeeNumber"]) for e in viewer["employments"]} == {
        ("De Ideale Klant B.V.", 2),
        ("Bijbaan B.V.", 7),
    }
    assert viewer["employers"] == [{"name": "De Ideale Klant B.V."}]  # where it works as staff
