"""Staff users through HTTP: createUser, updateUser (departments, further employers) and the
`User` fields `active` and `employers`.

An employer user given access to a further employer of its office reaches it (`employers`),
but rights and role links stay per employer: what it holds at A gives nothing at B."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.domain.authz import Right, UserType
from app.schema.ids import decode_id, to_global_id
from tests import factories
from tests.conftest import errors_of

CREATE = """
mutation ($i: CreateUserInput!) {
  createUser(input: $i) {
    user { id username displayName userType active employer { name }
           departments { name } employers { name } }
    errors { code message field }
  }
}
"""

UPDATE = """
mutation ($i: UpdateUserInput!) {
  updateUser(input: $i) {
    user { username displayName active employers { name } departments { name } }
    errors { code message field }
  }
}
"""

REACH = """
query ($a: ID!, $b: ID!) {
  employers(first: 10) { edges { node { name } } }
  viewer { employers { name } atA: rights(employerId: $a) atB: rights(employerId: $b) }
}
"""

OVERVIEW = """
query ($e: ID!) { processOverview(employerId: $e, tab: OPEN, first: 1) { totalCount } }
"""


async def department(db, name: str) -> str:
    async with db.reader() as s:
        pk = await s.scalar(select(m.Department.id).where(m.Department.name == name))
    return to_global_id("Department", pk)


async def test_create_users_of_each_staff_type(graphql, db, ids):
    employer = await ids.employer()
    verkoop = await department(db, "Verkoop")
    inputs = {
        "kantoor.nieuw": {"userType": "PROVIDER"},
        "werkgever.nieuw": {"userType": "EMPLOYER", "employerId": employer},
        "manager.nieuw": {"userType": "DEPARTMENT_MANAGER", "employerId": employer,
                          "departmentIds": [verkoop]},
    }  # fmt: skip
    for username, given in inputs.items():
        variables = {"i": {**given, "username": username, "displayName": "Nieuwe Collega",
                           "email": f"{username}@example.nl"}}  # fmt: skip
        result = await graphql(CREATE, variables, as_user="kantoor.admin")
        payload = result["data"]["createUser"]
        assert payload["errors"] == [], payload
        user = payload["user"]
        assert (user["username"], user["userType"], user["active"]) == (
            username, given["userType"], True
        )  # fmt: skip
        staff = given["userType"] != "PROVIDER"
        assert user["employer"] == ({"name": "De Ideale Klant B.V."} if staff else None)
        assert user["employers"] == ([{"name": "De Ideale Klant B.V."}] if staff else [])
        assert user["departments"] == ([{"name": "Verkoop"}] if "departmentIds" in given else [])
    async with db.reader() as s:
        rows = {
            u.username: u
            for u in await s.scalars(select(m.User).where(m.User.username.like("%.nieuw")))
        }
        log = list(
            await s.scalars(
                select(m.AdministrationEntry).where(m.AdministrationEntry.action == "createUser")
            )
        )
    assert set(rows) == set(inputs)
    assert {entry.subject_id for entry in log} == {u.id for u in rows.values()}
    assert rows["manager.nieuw"].email == "manager.nieuw@example.nl"
    # The new user signs in with a token for its username: no password, no e-mail.
    viewer = await graphql("{ viewer { username } }", as_user="werkgever.nieuw")
    assert viewer["data"]["viewer"]["username"] == "werkgever.nieuw"


async def test_refusals_come_as_codes(graphql, ids):
    employer = await ids.employer()
    base = {"displayName": "X", "email": "x@example.nl", "employerId": employer}
    cases = [
        ({**base, "userType": "EMPLOYEE", "username": "wn.nieuw"}, "NOT_ALLOWED", ["userType"]),
        ({**base, "userType": "EMPLOYER", "username": "werkgever.hr"}, "NAME_TAKEN", ["username"]),
        ({**base, "userType": "EMPLOYER", "username": "x"}, "INVALID_VALUE", ["username"]),
        ({**base, "userType": "DEPARTMENT_MANAGER", "username": "manager.x"}, "INVALID_VALUE",
         ["departmentIds"]),
    ]  # fmt: skip
    for given, code, field in cases:
        result = await graphql(CREATE, {"i": given}, as_user="kantoor.admin")
        assert result["data"]["createUser"]["user"] is None
        [error] = result["data"]["createUser"]["errors"]
        assert (error["code"], error["field"]) == (code, field), given


async def test_who_may_create_where(graphql, db, ids):
    """A provider user needs MANAGE_USERS at provider level; an employer user MANAGE_USERS at
    its employer."""
    employer = await ids.employer()
    employer_pk = decode_id(employer, "Employer")
    await factories.user(
        db, "werkgever.beheer", UserType.EMPLOYER, employer_id=employer_pk,
        rights=(Right.MANAGE_USERS,), rights_at=employer_pk,
    )  # fmt: skip
    given = {"displayName": "X", "email": "x@example.nl"}
    at_employer = {"i": {**given, "userType": "EMPLOYER", "username": "werkgever.x",
                         "employerId": employer}}  # fmt: skip
    office = {"i": {**given, "userType": "PROVIDER", "username": "kantoor.x"}}
    done = await graphql(CREATE, at_employer, as_user="werkgever.beheer")
    assert done["data"]["createUser"]["errors"] == []
    assert errors_of(await graphql(CREATE, office, as_user="werkgever.beheer")) == ["FORBIDDEN"]
    assert errors_of(await graphql(CREATE, at_employer, as_user="werkgever.hr")) == ["FORBIDDEN"]


async def test_an_employer_user_at_two_employers(graphql, db, ids):
    a = await ids.employer()
    b = await factories.employer(db, "Tweede Klant B.V.")
    hr = await ids.user("werkgever.hr")
    variables = {"a": a, "b": b}
    before = await graphql(REACH, variables, as_user="werkgever.hr")
    names = [e["node"]["name"] for e in before["data"]["employers"]["edges"]]
    assert names == ["De Ideale Klant B.V."]

    result = await graphql(
        UPDATE, {"i": {"userId": hr, "employerIds": [b]}}, as_user="kantoor.admin"
    )
    payload = result["data"]["updateUser"]
    assert payload["errors"] == []
    assert [e["name"] for e in payload["user"]["employers"]] == [
        "De Ideale Klant B.V.", "Tweede Klant B.V."
    ]  # fmt: skip

    after = await graphql(REACH, variables, as_user="werkgever.hr")
    names = sorted(e["node"]["name"] for e in after["data"]["employers"]["edges"])
    assert names == ["De Ideale Klant B.V.", "Tweede Klant B.V."]
    assert sorted(e["name"] for e in after["data"]["viewer"]["employers"]) == names
    # Its rights at A do not hold at B.
    assert "PROCESS_MANAGEMENT" in after["data"]["viewer"]["atA"]
    assert after["data"]["viewer"]["atB"] == []
    at_a = await graphql(OVERVIEW, {"e": a}, as_user="werkgever.hr")
    assert "errors" not in at_a
    assert errors_of(await graphql(OVERVIEW, {"e": b}, as_user="werkgever.hr")) == ["FORBIDDEN"]
    async with db.reader() as s:
        access = list(await s.scalars(select(m.UserEmployer)))
        [entry] = await s.scalars(
            select(m.AdministrationEntry).where(m.AdministrationEntry.action == "updateUser")
        )
    assert [(r.user_id, r.employer_id) for r in access] == [
        (decode_id(hr, "User"), decode_id(b, "Employer"))
    ]
    assert entry.details["employersAdded"] == [decode_id(b, "Employer")]


GRANT_AND_LINK = """
mutation ($u: ID!, $e: ID!, $r: ID!) {
  grantRight(input: {userId: $u, right: PROCESS_MANAGEMENT, employerId: $e}) {
    errors { code field }
  }
  linkRole(input: {roleId: $r, userId: $u, employerId: $e}) { errors { code field } }
}
"""


async def test_rights_and_roles_at_a_further_employer(graphql, db, ids):
    """Given access to B, an employer user can be given rights and role links at B, and is
    then staff there: B's overview opens and B's role links name it."""
    a, b = await ids.employer(), await factories.employer(db, "Tweede Klant B.V.")
    hr, role = await ids.user("werkgever.hr"), await ids.role("HR")
    variables = {"u": hr, "e": b, "r": role}
    refused = (await graphql(GRANT_AND_LINK, variables, as_user="kantoor.admin"))["data"]
    assert refused["grantRight"]["errors"][0]["code"] == "USER_NOT_AT_EMPLOYER"
    assert refused["linkRole"]["errors"][0]["code"] == "USER_NOT_AT_EMPLOYER"

    result = await graphql(
        UPDATE, {"i": {"userId": hr, "employerIds": [b]}}, as_user="kantoor.admin"
    )
    assert result["data"]["updateUser"]["errors"] == []
    done = (await graphql(GRANT_AND_LINK, variables, as_user="kantoor.admin"))["data"]
    assert done["grantRight"]["errors"] == [] and done["linkRole"]["errors"] == []

    at_b = await graphql(OVERVIEW, {"e": b}, as_user="werkgever.hr")
    assert "errors" not in at_b, at_b
    reach = await graphql(REACH, {"a": a, "b": b}, as_user="werkgever.hr")
    assert reach["data"]["viewer"]["atB"] == ["PROCESS_MANAGEMENT"]
    async with db.reader() as s:
        link = await s.scalar(
            select(m.RoleLink).where(m.RoleLink.employer_id == decode_id(b, "Employer"))
        )
    assert link is not None and link.user_id == decode_id(hr, "User")


async def test_update_a_manager(graphql, db, ids):
    manager = await ids.user("manager.verkoop")
    departments = [await department(db, "Verkoop"), await department(db, "Magazijn")]
    variables = {"i": {"userId": manager, "displayName": "Karin W.", "departmentIds": departments}}
    result = await graphql(UPDATE, variables, as_user="kantoor.admin")
    user = result["data"]["updateUser"]["user"]
    assert user["displayName"] == "Karin W."
    assert sorted(d["name"] for d in user["departments"]) == ["Magazijn", "Verkoop"]
    # No manager without a department; an employer user without MANAGE_USERS may not.
    empty = {"i": {"userId": manager, "departmentIds": []}}
    [error] = (await graphql(UPDATE, empty, as_user="kantoor.admin"))["data"]["updateUser"][
        "errors"
    ]
    assert error["code"] == "INVALID_VALUE"
    assert errors_of(await graphql(UPDATE, variables, as_user="werkgever.hr")) == ["FORBIDDEN"]
    async with db.reader() as s:
        count = len(
            list(await s.scalars(select(m.UserDepartment).where(
                m.UserDepartment.user_id == decode_id(manager, "User"))))
        )  # fmt: skip
    assert count == 2
