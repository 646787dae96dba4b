"""The deviating approver (afwijkende goedkeurder, DOMAIN.md section 4) through HTTP:
setDeviatingApprover needs MANAGE_WORKFLOW_EDITOR at the employee's employer; the approver must
work at that employer and must not be the employee's own person (no self-approval)."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.domain.authz import UserType
from app.schema.ids import decode_id
from tests import factories
from tests.conftest import errors_of

SET = """
mutation ($employeeId: ID!, $userId: ID) {
  setDeviatingApprover(input: {employeeId: $employeeId, userId: $userId}) {
    employee { id employeeNumber deviatingApprover { username } }
    errors { code message field }
  }
}
"""

EMPLOYEE = """
query ($id: ID!) {
  node(id: $id) { ... on Employee { employeeNumber deviatingApprover { username } } }
}
"""


# --- helpers -------------------------------------------------------------------------------


async def approver_of(db, number: int) -> str | None:
    """The username of the deviating approver of demo employee `number`, or None."""
    async with db.reader() as s:
        return await s.scalar(
            select(m.User.username)
            .join(m.Employee, m.Employee.deviating_approver_id == m.User.id)
            .where(m.Employee.employee_number == number)
        )


def payload(result: dict) -> dict:
    assert "errors" not in result, result
    return result["data"]["setDeviatingApprover"]


def assert_user_error(data: dict, code: str, field: list[str] | None) -> None:
    assert data["employee"] is None, data
    assert len(data["errors"]) == 1, data
    error = data["errors"][0]
    assert error["code"] == code
    assert error["field"] == field
    assert isinstance(error["message"], str) and error["message"].strip()


async def user_of_employer_b(db) -> str:
    employer_b = await factories.employer(db, "Werkgever B")
    return await factories.user(
        db, "werkgever.b", UserType.EMPLOYER, employer_id=decode_id(employer_b, "Employer")
    )


# --- setting and removing ------------------------------------------------------------------


async def test_workflow_manager_sets_a_deviating_approver(graphql, db, ids):
    employee = await ids.employee(1)
    assert await approver_of(db, 1) is None
    data = payload(
        await graphql(
            SET,
            {"employeeId": employee, "userId": await ids.user("werkgever.directie")},
            as_user="werkgever.hr",
        )
    )
    assert data == {
        "employee": {
            "id": employee,
            "employeeNumber": 1,
            "deviatingApprover": {"username": "werkgever.directie"},
        },
        "errors": [],
    }
    assert await approver_of(db, 1) == "werkgever.directie"

    # A fresh read shows it as well.
    result = await graphql(EMPLOYEE, {"id": employee}, as_user="werkgever.hr")
    assert result["data"]["node"]["deviatingApprover"] == {"username": "werkgever.directie"}


async def test_a_provider_user_of_the_office_may_be_the_deviating_approver(graphql, db, ids):
    data = payload(
        await graphql(
            SET,
            {"employeeId": await ids.employee(1), "userId": await ids.user("kantoor.salaris")},
            as_user="kantoor.admin",
        )
    )
    assert data["errors"] == []
    assert data["employee"]["deviatingApprover"] == {"username": "kantoor.salaris"}
    assert await approver_of(db, 1) == "kantoor.salaris"


async def test_replacing_and_removing_the_deviating_approver(graphql, db, ids):
    """Employee 3 has werkgever.directie (demo); it can be replaced, and `userId: null` removes
    it."""
    employee = await ids.employee(3)
    assert await approver_of(db, 3) == "werkgever.directie"

    data = payload(
        await graphql(
            SET,
            {"employeeId": employee, "userId": await ids.user("werkgever.hr")},
            as_user="werkgever.hr",
        )
    )
    assert data["errors"] == []
    assert data["employee"]["deviatingApprover"] == {"username": "werkgever.hr"}
    assert await approver_of(db, 3) == "werkgever.hr"

    data = payload(
        await graphql(SET, {"employeeId": employee, "userId": None}, as_user="werkgever.hr")
    )
    assert data == {
        "employee": {"id": employee, "employeeNumber": 3, "deviatingApprover": None},
        "errors": [],
    }
    assert await approver_of(db, 3) is None

    # Leaving userId out altogether also removes (it defaults to null); a no-op now.
    data = payload(
        await graphql(
            "mutation ($e: ID!) { setDeviatingApprover(input: {employeeId: $e}) "
            "{ employee { deviatingApprover { username } } errors { code } } }",
            {"e": employee},
            as_user="werkgever.hr",
        )
    )
    assert data == {"employee": {"deviatingApprover": None}, "errors": []}
    assert await approver_of(db, 3) is None


# --- refused approvers ---------------------------------------------------------------------


async def test_an_employee_cannot_be_its_own_deviating_approver(graphql, db, ids):
    """werkgever.hr is the person behind employee 2: SELF_APPROVAL on "userId", nothing
    changes."""
    data = payload(
        await graphql(
            SET,
            {"employeeId": await ids.employee(2), "userId": await ids.user("werkgever.hr")},
            as_user="werkgever.hr",
        )
    )
    assert_user_error(data, "SELF_APPROVAL", ["userId"])
    assert await approver_of(db, 2) is None

    # Also when someone else asks for it.
    data = payload(
        await graphql(
            SET,
            {"employeeId": await ids.employee(2), "userId": await ids.user("werkgever.hr")},
            as_user="kantoor.admin",
        )
    )
    assert_user_error(data, "SELF_APPROVAL", ["userId"])
    assert await approver_of(db, 2) is None


async def test_a_user_of_another_employer_is_user_not_at_employer(graphql, db, ids):
    """kantoor.admin can see the user of employer B, but that user does not work at the
    employee's employer."""
    user_b = await user_of_employer_b(db)
    data = payload(
        await graphql(
            SET, {"employeeId": await ids.employee(3), "userId": user_b}, as_user="kantoor.admin"
        )
    )
    assert_user_error(data, "USER_NOT_AT_EMPLOYER", ["userId"])
    assert await approver_of(db, 3) == "werkgever.directie"


async def test_a_user_outside_the_callers_scope_is_not_found(graphql, db, ids):
    """werkgever.hr cannot see users of employer B at all: NOT_FOUND on "userId" (a user it
    cannot see is indistinguishable from one that does not exist)."""
    user_b = await user_of_employer_b(db)
    data = payload(
        await graphql(
            SET, {"employeeId": await ids.employee(3), "userId": user_b}, as_user="werkgever.hr"
        )
    )
    assert_user_error(data, "NOT_FOUND", ["userId"])
    assert await approver_of(db, 3) == "werkgever.directie"


async def test_an_employee_account_cannot_be_a_deviating_approver(graphql, db, ids):
    """wn003 is a MijnLoket account, not staff of the employer: USER_NOT_AT_EMPLOYER."""
    data = payload(
        await graphql(
            SET,
            {"employeeId": await ids.employee(1), "userId": await ids.user("wn003")},
            as_user="kantoor.admin",
        )
    )
    assert_user_error(data, "USER_NOT_AT_EMPLOYER", ["userId"])
    assert await approver_of(db, 1) is None


async def test_an_invalid_user_id_is_invalid_id(graphql, db, ids):
    for bad in ("not-an-id", await ids.employee(5)):
        data = payload(
            await graphql(
                SET, {"employeeId": await ids.employee(3), "userId": bad}, as_user="werkgever.hr"
            )
        )
        assert_user_error(data, "INVALID_ID", ["userId"])
    assert await approver_of(db, 3) == "werkgever.directie"


# --- who may set it ------------------------------------------------------------------------


async def test_without_manage_workflow_editor_it_is_forbidden(graphql, db, ids):
    """manager.verkoop and werkgever.directie can see employee 1 (Verkoop) but lack
    MANAGE_WORKFLOW_EDITOR: FORBIDDEN, nothing changes."""
    for user in ("manager.verkoop", "werkgever.directie"):
        result = await graphql(
            SET,
            {"employeeId": await ids.employee(1), "userId": await ids.user("werkgever.directie")},
            as_user=user,
        )
        assert errors_of(result) == ["FORBIDDEN"], (user, result)
        assert result["data"] is None
    assert await approver_of(db, 1) is None


async def test_an_employee_of_another_office_is_not_found(graphql, db, ids):
    other_provider = await factories.provider(db, "Kantoor Y")
    foreign_employer = await factories.employer(db, "Klant van Y", provider_id=other_provider)
    foreign_employee = await factories.employee(
        db, decode_id(foreign_employer, "Employer"), 1, "Vreemde Werknemer"
    )
    for user in ("werkgever.hr", "kantoor.admin"):
        result = await graphql(
            SET,
            {"employeeId": foreign_employee, "userId": await ids.user("werkgever.directie")},
            as_user=user,
        )
        assert errors_of(result) == ["NOT_FOUND"], (user, result)
        assert result["data"] is None
    async with db.reader() as s:
        row = await s.get(m.Employee, decode_id(foreign_employee, "Employee"))
        assert row.deviating_approver_id is None


async def test_an_invalid_employee_id_is_not_found(graphql, ids):
    for bad in ("not-an-id", await ids.user("werkgever.hr")):
        result = await graphql(
            SET,
            {"employeeId": bad, "userId": await ids.user("werkgever.directie")},
            as_user="werkgever.hr",
        )
        assert errors_of(result) == ["NOT_FOUND"], result
        assert result["data"] is None


async def test_anonymous_is_unauthenticated(graphql, db, ids):
    result = await graphql(
        SET, {"employeeId": await ids.employee(1), "userId": await ids.user("werkgever.directie")}
    )
    assert errors_of(result) == ["UNAUTHENTICATED"], result
    assert result["data"] is None
    assert await approver_of(db, 1) is None


async def test_the_payload_shows_the_employee_only_to_who_may_view_it(graphql, db, ids):
    """MANAGE_WORKFLOW_EDITOR lets a user set the approver, not read the employee's data."""
    from app.db import models as m
    from app.domain.authz import Right, UserType
    from app.schema.ids import decode_id
    from tests import factories

    employer = decode_id(await ids.employer(), "Employer")
    await factories.user(
        db,
        "editor.only",
        UserType.EMPLOYER,
        employer_id=employer,
        rights=(Right.MANAGE_WORKFLOW_EDITOR,),
        rights_at=employer,
    )
    result = await graphql(
        """mutation ($input: SetDeviatingApproverInput!) { setDeviatingApprover(input: $input) {
             employee { name street privateEmail } errors { code } } }""",
        {
            "input": {
                "employeeId": await ids.employee(1),
                "userId": await ids.user("werkgever.directie"),
            }
        },
        as_user="editor.only",
    )
    assert result["data"]["setDeviatingApprover"] == {"employee": None, "errors": []}
    async with db.reader() as s:
        from sqlalchemy import select

        approver = await s.scalar(
            select(m.Employee.deviating_approver_id).where(m.Employee.employee_number == 1)
        )
    assert approver == decode_id(await ids.user("werkgever.directie"), "User")


async def test_a_manager_of_another_department_cannot_be_the_deviating_approver(graphql, ids):
    # Employee 2 works in Administratie; manager.verkoop manages Verkoop only.
    result = await graphql(
        """mutation ($e: ID!, $u: ID!) { setDeviatingApprover(input: {employeeId: $e,
        userId: $u}) { errors { code field } } }""",
        {"e": await ids.employee(2), "u": await ids.user("manager.verkoop")},
        as_user="werkgever.hr",
    )
    assert result["data"]["setDeviatingApprover"]["errors"] == [
        {"code": "USER_NOT_AT_EMPLOYER", "field": ["userId"]}
    ]
