"""Rights (rechten) through HTTP: grantRight, revokeRight and `User.rights`.

A right is granted at provider level (provider users only) or at one employer; MANAGE_USERS is
needed where the grant applies. Rights are read per request, so a grant holds from the next request
on. The office's last user administrator cannot lose MANAGE_USERS."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.domain.authz import Right, UserType
from app.schema.ids import decode_id
from tests import factories
from tests.conftest import errors_of

GRANT = """
mutation ($userId: ID!, $right: Right!, $employerId: ID) {
  grantRight(input: {userId: $userId, right: $right, employerId: $employerId}) {
    user { username rights(employerId: $employerId) }
    errors { code message field }
  }
}
"""

REVOKE = """
mutation ($userId: ID!, $right: Right!, $employerId: ID) {
  revokeRight(input: {userId: $userId, right: $right, employerId: $employerId}) {
    user { username rights(employerId: $employerId) }
    errors { code message field }
  }
}
"""

USER_RIGHTS = """
query ($id: ID!, $employerId: ID) {
  node(id: $id) { ... on User { username rights(employerId: $employerId) } }
}
"""

VIEWER_RIGHTS = """
query ($employerId: ID) {
  viewer { providerRights: rights employerRights: rights(employerId: $employerId) }
}
"""

MIJNLOKET_EMAIL = """
query ($id: ID!) { node(id: $id) { ... on Employee { name mijnLoketEmail } } }
"""

HR_RIGHTS = [
    "VIEW_WORKFLOW_EDITOR",
    "MANAGE_WORKFLOW_EDITOR",
    "PROCESS_MANAGEMENT",
    "VIEW_EMPLOYEES",
]
HR_RIGHTS_WITH_EMAIL = [
    "VIEW_WORKFLOW_EDITOR",
    "MANAGE_WORKFLOW_EDITOR",
    "PROCESS_MANAGEMENT",
    "VIEW_MIJNLOKET_EMAIL",
    "VIEW_EMPLOYEES",
]


# --- helpers -------------------------------------------------------------------------------


async def user_pk(db, username: str) -> int:
    async with db.reader() as s:
        pk = await s.scalar(select(m.User.id).where(m.User.username == username))
    assert pk is not None, username
    return pk


async def grants_of(db, username: str, right: Right | None = None) -> list[m.RightGrant]:
    """The grant rows of a user (of one right, if given), oldest first."""
    async with db.reader() as s:
        stmt = (
            select(m.RightGrant)
            .join(m.User, m.User.id == m.RightGrant.user_id)
            .where(m.User.username == username)
            .order_by(m.RightGrant.id)
        )
        if right is not None:
            stmt = stmt.where(m.RightGrant.right == right)
        return list(await s.scalars(stmt))


async def levels(db, username: str, right: Right) -> list[int | None]:
    """The employer ids (None: provider level) at which a user holds a right."""
    return [g.employer_id for g in await grants_of(db, username, right)]


def payload(result: dict, name: str) -> dict:
    assert "errors" not in result, result
    return result["data"][name]


def assert_user_error(data: dict, code: str, field: list[str] | None) -> None:
    assert len(data["errors"]) == 1, data
    error = data["errors"][0]
    assert error["code"] == code
    assert error["field"] == field
    assert isinstance(error["message"], str) and error["message"].strip()


async def employer_admin(db, ids) -> str:
    """An employer user with MANAGE_USERS at the demo employer only; returns its username."""
    employer_pk = decode_id(await ids.employer(), "Employer")
    await factories.user(
        db,
        "werkgever.beheer",
        UserType.EMPLOYER,
        employer_id=employer_pk,
        rights=(Right.MANAGE_USERS,),
        rights_at=employer_pk,
    )
    return "werkgever.beheer"


# --- grantRight / revokeRight at an employer -------------------------------------------------


async def test_admin_grants_a_right_at_the_employer(graphql, db, ids):
    """The grant is stored at the employer, with who granted it, and the payload shows it."""
    employer = await ids.employer()
    variables = {
        "userId": await ids.user("werkgever.hr"),
        "right": "VIEW_MIJNLOKET_EMAIL",
        "employerId": employer,
    }
    data = payload(await graphql(GRANT, variables, as_user="kantoor.admin"), "grantRight")
    assert data == {
        "user": {"username": "werkgever.hr", "rights": HR_RIGHTS_WITH_EMAIL},
        "errors": [],
    }
    [grant] = await grants_of(db, "werkgever.hr", Right.VIEW_MIJNLOKET_EMAIL)
    assert grant.employer_id == decode_id(employer, "Employer")
    assert grant.granted_by_id == await user_pk(db, "kantoor.admin")
    assert grant.granted_at is not None

    # Granting again is a no-op: still exactly one row.
    data = payload(await graphql(GRANT, variables, as_user="kantoor.admin"), "grantRight")
    assert data["errors"] == []
    assert data["user"]["rights"] == HR_RIGHTS_WITH_EMAIL
    assert len(await grants_of(db, "werkgever.hr", Right.VIEW_MIJNLOKET_EMAIL)) == 1


async def test_a_grant_holds_from_the_next_request_on(graphql, ids):
    """Rights are read per request: werkgever.hr sees the new right, and can use it, at once."""
    employer = await ids.employer()
    employee = await ids.employee(1)

    viewer = payload(
        await graphql(VIEWER_RIGHTS, {"employerId": employer}, as_user="werkgever.hr"), "viewer"
    )
    assert viewer == {"providerRights": [], "employerRights": HR_RIGHTS}
    result = await graphql(MIJNLOKET_EMAIL, {"id": employee}, as_user="werkgever.hr")
    assert errors_of(result) == ["FORBIDDEN"]

    result = await graphql(
        GRANT,
        {
            "userId": await ids.user("werkgever.hr"),
            "right": "VIEW_MIJNLOKET_EMAIL",
            "employerId": employer,
        },
        as_user="kantoor.admin",
    )
    assert payload(result, "grantRight")["errors"] == []

    viewer = payload(
        await graphql(VIEWER_RIGHTS, {"employerId": employer}, as_user="werkgever.hr"), "viewer"
    )
    assert viewer == {"providerRights": [], "employerRights": HR_RIGHTS_WITH_EMAIL}
    node = payload(await graphql(MIJNLOKET_EMAIL, {"id": employee}, as_user="werkgever.hr"), "node")
    assert node["mijnLoketEmail"] and "@" in node["mijnLoketEmail"]


async def test_revoke_removes_the_grant_and_revoking_again_is_a_no_op(graphql, db, ids):
    employer = await ids.employer()
    variables = {
        "userId": await ids.user("werkgever.hr"),
        "right": "MANAGE_WORKFLOW_EDITOR",
        "employerId": employer,
    }
    data = payload(await graphql(REVOKE, variables, as_user="kantoor.admin"), "revokeRight")
    assert data == {
        "user": {
            "username": "werkgever.hr",
            "rights": ["VIEW_WORKFLOW_EDITOR", "PROCESS_MANAGEMENT", "VIEW_EMPLOYEES"],
        },
        "errors": [],
    }
    assert await grants_of(db, "werkgever.hr", Right.MANAGE_WORKFLOW_EDITOR) == []
    assert len(await grants_of(db, "werkgever.hr")) == 3

    data = payload(await graphql(REVOKE, variables, as_user="kantoor.admin"), "revokeRight")
    assert data["errors"] == []
    assert len(await grants_of(db, "werkgever.hr")) == 3

    viewer = payload(
        await graphql(VIEWER_RIGHTS, {"employerId": employer}, as_user="werkgever.hr"), "viewer"
    )
    assert "MANAGE_WORKFLOW_EDITOR" not in viewer["employerRights"]


async def test_revoke_at_an_employer_leaves_a_provider_level_grant_alone(graphql, db, ids):
    """kantoor.salaris holds PROCESS_MANAGEMENT at provider level; revoking it at the employer is
    a no-op, not a removal of the office-wide grant."""
    data = payload(
        await graphql(
            REVOKE,
            {
                "userId": await ids.user("kantoor.salaris"),
                "right": "PROCESS_MANAGEMENT",
                "employerId": await ids.employer(),
            },
            as_user="kantoor.admin",
        ),
        "revokeRight",
    )
    assert data["errors"] == []
    assert await levels(db, "kantoor.salaris", Right.PROCESS_MANAGEMENT) == [None]


async def test_provider_level_grant_and_revoke_for_a_provider_user(graphql, db, ids):
    variables = {"userId": await ids.user("kantoor.salaris"), "right": "MANAGE_PRODUCTS"}
    data = payload(await graphql(GRANT, variables, as_user="kantoor.admin"), "grantRight")
    assert data == {
        "user": {
            "username": "kantoor.salaris",
            "rights": ["VIEW_WORKFLOW_EDITOR", "PROCESS_MANAGEMENT", "MANAGE_PRODUCTS"],
        },
        "errors": [],
    }
    [grant] = await grants_of(db, "kantoor.salaris", Right.MANAGE_PRODUCTS)
    assert grant.employer_id is None
    assert grant.granted_by_id == await user_pk(db, "kantoor.admin")

    data = payload(await graphql(REVOKE, variables, as_user="kantoor.admin"), "revokeRight")
    assert data["errors"] == []
    assert await grants_of(db, "kantoor.salaris", Right.MANAGE_PRODUCTS) == []


# --- User.rights ---------------------------------------------------------------------------


async def test_user_rights_follow_grants_for_a_user_administrator(graphql, ids):
    employer = await ids.employer()
    hr = await ids.user("werkgever.hr")
    variables = {"id": hr, "employerId": employer}

    node = payload(await graphql(USER_RIGHTS, variables, as_user="kantoor.admin"), "node")
    assert node == {"username": "werkgever.hr", "rights": HR_RIGHTS}

    result = await graphql(
        GRANT,
        {"userId": hr, "right": "VIEW_MIJNLOKET_EMAIL", "employerId": employer},
        as_user="kantoor.admin",
    )
    assert payload(result, "grantRight")["errors"] == []
    node = payload(await graphql(USER_RIGHTS, variables, as_user="kantoor.admin"), "node")
    assert node["rights"] == HR_RIGHTS_WITH_EMAIL

    result = await graphql(
        REVOKE,
        {"userId": hr, "right": "VIEW_MIJNLOKET_EMAIL", "employerId": employer},
        as_user="kantoor.admin",
    )
    assert payload(result, "revokeRight")["errors"] == []
    node = payload(await graphql(USER_RIGHTS, variables, as_user="kantoor.admin"), "node")
    assert node["rights"] == HR_RIGHTS

    # At provider level werkgever.hr holds nothing.
    node = payload(await graphql(USER_RIGHTS, {"id": hr}, as_user="kantoor.admin"), "node")
    assert node["rights"] == []


async def test_user_rights_are_for_the_user_itself_or_a_user_administrator(graphql, ids):
    """werkgever.hr may read its own rights, not those of a colleague (no MANAGE_USERS)."""
    employer = await ids.employer()
    own = await graphql(
        USER_RIGHTS,
        {"id": await ids.user("werkgever.hr"), "employerId": employer},
        as_user="werkgever.hr",
    )
    assert payload(own, "node") == {"username": "werkgever.hr", "rights": HR_RIGHTS}

    other = await graphql(
        USER_RIGHTS,
        {"id": await ids.user("werkgever.directie"), "employerId": employer},
        as_user="werkgever.hr",
    )
    assert errors_of(other) == ["FORBIDDEN"], other


async def test_a_provider_users_rights_at_an_employer_include_its_provider_level_rights(
    graphql, db, ids
):
    """`User.rights(employerId)` is what holds at that employer, for whoever may read it: an
    employer user administrator sees kantoor.salaris's office-wide rights there too."""
    admin = await employer_admin(db, ids)
    result = await graphql(
        USER_RIGHTS,
        {"id": await ids.user("kantoor.salaris"), "employerId": await ids.employer()},
        as_user=admin,
    )
    assert payload(result, "node") == {
        "username": "kantoor.salaris",
        "rights": ["VIEW_WORKFLOW_EDITOR", "PROCESS_MANAGEMENT"],
    }


# --- what cannot be granted ------------------------------------------------------------------


async def test_provider_level_rights_are_for_provider_users_only(graphql, db, ids):
    data = payload(
        await graphql(
            GRANT,
            {"userId": await ids.user("werkgever.hr"), "right": "VIEW_MIJNLOKET_EMAIL"},
            as_user="kantoor.admin",
        ),
        "grantRight",
    )
    assert data["user"] is None
    assert_user_error(data, "RIGHT_NOT_GRANTABLE", ["userId"])
    assert await grants_of(db, "werkgever.hr", Right.VIEW_MIJNLOKET_EMAIL) == []


async def test_employee_accounts_get_no_rights(graphql, db, ids):
    """A MijnLoket account (wn001) holds no rights, at either level."""
    for employer_id in (await ids.employer(), None):
        data = payload(
            await graphql(
                GRANT,
                {
                    "userId": await ids.user("wn001"),
                    "right": "VIEW_EMPLOYEES",
                    "employerId": employer_id,
                },
                as_user="kantoor.admin",
            ),
            "grantRight",
        )
        assert data["user"] is None
        assert_user_error(data, "RIGHT_NOT_GRANTABLE", ["userId"])
    assert await grants_of(db, "wn001") == []


async def test_manage_roles_exists_only_at_provider_level(graphql, db, ids):
    data = payload(
        await graphql(
            GRANT,
            {
                "userId": await ids.user("werkgever.hr"),
                "right": "MANAGE_ROLES",
                "employerId": await ids.employer(),
            },
            as_user="kantoor.admin",
        ),
        "grantRight",
    )
    assert data["user"] is None
    assert_user_error(data, "RIGHT_NOT_GRANTABLE", ["right"])
    assert await grants_of(db, "werkgever.hr", Right.MANAGE_ROLES) == []


async def test_granting_to_a_user_of_another_employer_is_user_not_at_employer(graphql, db, ids):
    employer_b = await factories.employer(db, "Werkgever B")
    user_b = await factories.user(
        db, "werkgever.b", UserType.EMPLOYER, employer_id=decode_id(employer_b, "Employer")
    )
    data = payload(
        await graphql(
            GRANT,
            {"userId": user_b, "right": "VIEW_EMPLOYEES", "employerId": await ids.employer()},
            as_user="kantoor.admin",
        ),
        "grantRight",
    )
    assert data["user"] is None
    assert_user_error(data, "USER_NOT_AT_EMPLOYER", ["userId"])
    assert await grants_of(db, "werkgever.b") == []


# --- who may grant -----------------------------------------------------------------------------


async def test_an_employer_user_administrator_grants_at_its_employer_only(graphql, db, ids):
    """MANAGE_USERS at the employer allows grants there; a provider-level grant needs
    MANAGE_USERS at provider level (FORBIDDEN)."""
    admin = await employer_admin(db, ids)
    employer = await ids.employer()
    data = payload(
        await graphql(
            GRANT,
            {
                "userId": await ids.user("werkgever.directie"),
                "right": "PROCESS_MANAGEMENT",
                "employerId": employer,
            },
            as_user=admin,
        ),
        "grantRight",
    )
    assert data == {
        "user": {
            "username": "werkgever.directie",
            "rights": ["PROCESS_MANAGEMENT", "VIEW_EMPLOYEES"],
        },
        "errors": [],
    }
    [grant] = await grants_of(db, "werkgever.directie", Right.PROCESS_MANAGEMENT)
    assert grant.employer_id == decode_id(employer, "Employer")
    assert grant.granted_by_id == await user_pk(db, admin)

    result = await graphql(
        GRANT,
        {"userId": await ids.user("kantoor.salaris"), "right": "MANAGE_PRODUCTS"},
        as_user=admin,
    )
    assert errors_of(result) == ["FORBIDDEN"], result
    assert result["data"] is None
    assert await grants_of(db, "kantoor.salaris", Right.MANAGE_PRODUCTS) == []


async def test_staff_without_manage_users_may_not_grant_or_revoke(graphql, db, ids):
    employer = await ids.employer()
    before = len(await grants_of(db, "werkgever.directie"))
    for query, user in (
        (GRANT, "werkgever.hr"),
        (REVOKE, "werkgever.hr"),
        (GRANT, "kantoor.salaris"),
    ):
        result = await graphql(
            query,
            {
                "userId": await ids.user("werkgever.directie"),
                "right": "VIEW_EMPLOYEES",
                "employerId": employer,
            },
            as_user=user,
        )
        assert errors_of(result) == ["FORBIDDEN"], (user, result)
        assert result["data"] is None
    assert len(await grants_of(db, "werkgever.directie")) == before


async def test_anonymous_grant_is_unauthenticated(graphql, db, ids):
    result = await graphql(
        GRANT,
        {
            "userId": await ids.user("werkgever.hr"),
            "right": "VIEW_MIJNLOKET_EMAIL",
            "employerId": await ids.employer(),
        },
    )
    assert errors_of(result) == ["UNAUTHENTICATED"], result
    assert await grants_of(db, "werkgever.hr", Right.VIEW_MIJNLOKET_EMAIL) == []


async def test_granting_at_an_employer_of_another_office_is_not_found(graphql, db, ids):
    other_provider = await factories.provider(db, "Kantoor Y")
    foreign_employer = await factories.employer(db, "Klant van Y", provider_id=other_provider)
    result = await graphql(
        GRANT,
        {
            "userId": await ids.user("werkgever.hr"),
            "right": "VIEW_EMPLOYEES",
            "employerId": foreign_employer,
        },
        as_user="kantoor.admin",
    )
    assert errors_of(result) == ["NOT_FOUND"], result
    assert result["data"] is None
    assert len(await grants_of(db, "werkgever.hr")) == 4


# --- the last user administrator -----------------------------------------------------------


async def test_the_offices_last_user_administrator_keeps_manage_users(graphql, db, ids):
    """kantoor.admin is the only holder of MANAGE_USERS at provider level: revoking it is
    LAST_ADMINISTRATOR and the grant stays. Once kantoor.salaris holds it too, it may go."""
    revoke = {"userId": await ids.user("kantoor.admin"), "right": "MANAGE_USERS"}
    data = payload(await graphql(REVOKE, revoke, as_user="kantoor.admin"), "revokeRight")
    assert data["user"] is None
    assert_user_error(data, "LAST_ADMINISTRATOR", ["userId"])
    assert await levels(db, "kantoor.admin", Right.MANAGE_USERS) == [None]

    data = payload(
        await graphql(
            GRANT,
            {"userId": await ids.user("kantoor.salaris"), "right": "MANAGE_USERS"},
            as_user="kantoor.admin",
        ),
        "grantRight",
    )
    assert data["errors"] == []
    assert await levels(db, "kantoor.salaris", Right.MANAGE_USERS) == [None]

    data = payload(await graphql(REVOKE, revoke, as_user="kantoor.admin"), "revokeRight")
    assert data["errors"] == []
    assert "MANAGE_USERS" not in data["user"]["rights"]
    assert await levels(db, "kantoor.admin", Right.MANAGE_USERS) == []

    # From the next request on kantoor.admin no longer administers users...
    result = await graphql(
        GRANT,
        {"userId": await ids.user("kantoor.salaris"), "right": "MANAGE_PRODUCTS"},
        as_user="kantoor.admin",
    )
    assert errors_of(result) == ["FORBIDDEN"]
    # ...and kantoor.salaris, now the last one, cannot lose it either.
    data = payload(
        await graphql(
            REVOKE,
            {"userId": await ids.user("kantoor.salaris"), "right": "MANAGE_USERS"},
            as_user="kantoor.salaris",
        ),
        "revokeRight",
    )
    assert_user_error(data, "LAST_ADMINISTRATOR", ["userId"])
    assert await levels(db, "kantoor.salaris", Right.MANAGE_USERS) == [None]


async def test_employer_level_manage_users_does_not_count_as_office_administrator(graphql, db, ids):
    """Only provider-level MANAGE_USERS keeps the office administrable."""
    await employer_admin(db, ids)
    data = payload(
        await graphql(
            REVOKE,
            {"userId": await ids.user("kantoor.admin"), "right": "MANAGE_USERS"},
            as_user="kantoor.admin",
        ),
        "revokeRight",
    )
    assert_user_error(data, "LAST_ADMINISTRATOR", ["userId"])
    assert await levels(db, "kantoor.admin", Right.MANAGE_USERS) == [None]
