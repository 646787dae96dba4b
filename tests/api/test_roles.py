"""Roles (rollen) and role links through HTTP: createRole, renameRole, deleteRole, linkRole,
unlinkRole. Roles are defined once per office (MANAGE_ROLES at provider level) and linked to users
per employer (MANAGE_USERS at that employer); a link at employer A gives nothing at employer B."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import models as m
from app.domain.authz import UserType
from app.schema.ids import decode_id, to_global_id
from tests import factories
from tests.conftest import errors_of

CREATE = """
mutation ($name: String!) {
  createRole(input: {name: $name}) {
    role { id name createdAt }
    errors { code message field }
  }
}
"""

RENAME = """
mutation ($roleId: ID!, $name: String!) {
  renameRole(input: {roleId: $roleId, name: $name}) {
    role { id name }
    errors { code message field }
  }
}
"""

DELETE = """
mutation ($roleId: ID!) {
  deleteRole(input: {roleId: $roleId}) {
    deletedRoleId
    errors { code message field }
  }
}
"""

LINK = """
mutation ($roleId: ID!, $userId: ID!, $employerId: ID!) {
  linkRole(input: {roleId: $roleId, userId: $userId, employerId: $employerId}) {
    roleLink { id role { name } user { username } employer { name } }
    errors { code message field }
  }
}
"""

UNLINK = """
mutation ($roleLinkId: ID!) {
  unlinkRole(input: {roleLinkId: $roleLinkId}) {
    unlinkedRoleLinkId
    errors { code message field }
  }
}
"""

ACCESS = "{ viewer { access { employer { name } roles { name } } } }"

EMPLOYER_ROLE_LINKS = """
query ($id: ID!) {
  node(id: $id) { ... on Employer { roleLinks { id role { name } user { username } } } }
}
"""


# --- helpers -------------------------------------------------------------------------------


async def role_names(db) -> list[str]:
    async with db.reader() as s:
        return sorted(await s.scalars(select(m.Role.name)))


async def role_count(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.Role))


async def links_of(db, username: str) -> list[tuple[str, str]]:
    """(role name, employer name) of every role link of a user."""
    async with db.reader() as s:
        rows = await s.execute(
            select(m.Role.name, m.Employer.name)
            .join(m.RoleLink, m.RoleLink.role_id == m.Role.id)
            .join(m.Employer, m.Employer.id == m.RoleLink.employer_id)
            .join(m.User, m.User.id == m.RoleLink.user_id)
            .where(m.User.username == username)
            .order_by(m.Role.name, m.Employer.name)
        )
        return [tuple(r) for r in rows]


async def link_count(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.RoleLink))


async def pk_of(db, model, **key) -> int:
    async with db.reader() as s:
        pk = await s.scalar(select(model.id).filter_by(**key))
    assert pk is not None, key
    return pk


async def other_office_role(db) -> str:
    """A role of a second office ("Kantoor Y"), as a global ID."""
    provider_id = await factories.provider(db, "Kantoor Y")
    async with db.writer() as s:
        role = m.Role(provider_id=provider_id, name="Vreemde rol")
        s.add(role)
        await s.flush()
        return to_global_id("Role", role.id)


def payload(result: dict, name: str) -> dict:
    assert "errors" not in result, result
    return result["data"][name]


def assert_user_error(data: dict, code: str, field: list[str] | None) -> None:
    assert len(data["errors"]) == 1, data
    error = data["errors"][0]
    assert error["code"] == code
    assert error["field"] == field
    assert isinstance(error["message"], str) and error["message"].strip()


# --- createRole / renameRole / deleteRole -----------------------------------------------------


async def test_admin_creates_renames_and_deletes_a_role(graphql, db):
    """kantoor.admin (MANAGE_ROLES at provider level) manages the office's roles; names are
    trimmed, and every step is visible in the database."""
    created = payload(
        await graphql(CREATE, {"name": "  Loonadministratie  "}, as_user="kantoor.admin"),
        "createRole",
    )
    assert created["errors"] == []
    role = created["role"]
    assert role["name"] == "Loonadministratie"
    assert role["createdAt"]
    pk = decode_id(role["id"], "Role")
    async with db.reader() as s:
        row = await s.get(m.Role, pk)
        assert row is not None
        assert row.name == "Loonadministratie"
        assert row.provider_id == await factories.demo_provider_id(db)

    renamed = payload(
        await graphql(RENAME, {"roleId": role["id"], "name": " Payroll "}, as_user="kantoor.admin"),
        "renameRole",
    )
    assert renamed == {"role": {"id": role["id"], "name": "Payroll"}, "errors": []}
    async with db.reader() as s:
        assert (await s.get(m.Role, pk)).name == "Payroll"

    deleted = payload(
        await graphql(DELETE, {"roleId": role["id"]}, as_user="kantoor.admin"), "deleteRole"
    )
    assert deleted == {"deletedRoleId": role["id"], "errors": []}
    async with db.reader() as s:
        assert await s.get(m.Role, pk) is None
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]


async def test_duplicate_role_name_is_name_taken_case_insensitively(graphql, db):
    """A role name is unique per office regardless of case; nothing is written."""
    for name in ("HR", "hr", "  directie "):
        data = payload(await graphql(CREATE, {"name": name}, as_user="kantoor.admin"), "createRole")
        assert data["role"] is None
        assert_user_error(data, "NAME_TAKEN", ["name"])
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]


async def test_rename_to_another_roles_name_is_name_taken(graphql, db, ids):
    data = payload(
        await graphql(
            RENAME, {"roleId": await ids.role("HR"), "name": "DIRECTIE"}, as_user="kantoor.admin"
        ),
        "renameRole",
    )
    assert data["role"] is None
    assert_user_error(data, "NAME_TAKEN", ["name"])
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]


async def test_rename_may_change_only_the_case_of_its_own_name(graphql, db, ids):
    """The uniqueness check ignores the role being renamed itself."""
    data = payload(
        await graphql(
            RENAME,
            {"roleId": await ids.role("Directie"), "name": "DIRECTIE"},
            as_user="kantoor.admin",
        ),
        "renameRole",
    )
    assert data["errors"] == []
    assert data["role"]["name"] == "DIRECTIE"
    assert await role_names(db) == ["DIRECTIE", "HR", "Salarisprofessional"]


async def test_empty_blank_and_too_long_names_are_invalid(graphql, db, ids):
    """A name is 1..100 visible characters after trimming; anything else is INVALID_VALUE on
    "name" (a NUL byte was a 500 on PostgreSQL, which refuses it in text)."""
    for name in ("", "   ", "\t\n", "x" * 101, "a\x00b", "HR\x07"):
        data = payload(await graphql(CREATE, {"name": name}, as_user="kantoor.admin"), "createRole")
        assert data["role"] is None
        assert_user_error(data, "INVALID_VALUE", ["name"])
        data = payload(
            await graphql(
                RENAME, {"roleId": await ids.role("HR"), "name": name}, as_user="kantoor.admin"
            ),
            "renameRole",
        )
        assert data["role"] is None
        assert_user_error(data, "INVALID_VALUE", ["name"])
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]

    # Exactly 100 characters is still fine.
    data = payload(
        await graphql(CREATE, {"name": "y" * 100}, as_user="kantoor.admin"), "createRole"
    )
    assert data["errors"] == []
    assert data["role"]["name"] == "y" * 100
    assert await role_count(db) == 4


async def test_deleting_a_linked_role_is_role_in_use(graphql, db, ids):
    """ "HR" is linked to werkgever.hr: it cannot be removed until it is unlinked."""
    hr = await ids.role("HR")
    data = payload(await graphql(DELETE, {"roleId": hr}, as_user="kantoor.admin"), "deleteRole")
    assert data["deletedRoleId"] is None
    assert_user_error(data, "ROLE_IN_USE", ["roleId"])
    async with db.reader() as s:
        assert await s.get(m.Role, decode_id(hr, "Role")) is not None
    assert await links_of(db, "werkgever.hr") == [("HR", "De Ideale Klant B.V.")]


async def test_employer_user_may_not_manage_roles(graphql, db, ids):
    """MANAGE_ROLES exists only at provider level: an employer user is FORBIDDEN, nothing is
    written."""
    for query, variables, name in (
        (CREATE, {"name": "Nieuwe rol"}, "createRole"),
        (RENAME, {"roleId": await ids.role("HR"), "name": "Personeelszaken"}, "renameRole"),
        (DELETE, {"roleId": await ids.role("Directie")}, "deleteRole"),
    ):
        result = await graphql(query, variables, as_user="werkgever.hr")
        assert errors_of(result) == ["FORBIDDEN"], (name, result)
        assert result["data"] is None
    # A provider user without MANAGE_ROLES is refused as well.
    result = await graphql(CREATE, {"name": "Nieuwe rol"}, as_user="kantoor.salaris")
    assert errors_of(result) == ["FORBIDDEN"]
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]


async def test_anonymous_role_mutations_are_unauthenticated(graphql, db, ids):
    for query, variables in (
        (CREATE, {"name": "Nieuwe rol"}),
        (RENAME, {"roleId": await ids.role("HR"), "name": "X"}),
        (DELETE, {"roleId": await ids.role("Directie")}),
    ):
        result = await graphql(query, variables)
        assert errors_of(result) == ["UNAUTHENTICATED"], result
        assert result["data"] is None
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]


async def test_a_role_of_another_office_is_not_found(graphql, db):
    """Another office's roles do not exist for you: NOT_FOUND on "roleId", untouched."""
    foreign = await other_office_role(db)
    data = payload(
        await graphql(RENAME, {"roleId": foreign, "name": "Overgenomen"}, as_user="kantoor.admin"),
        "renameRole",
    )
    assert data["role"] is None
    assert_user_error(data, "NOT_FOUND", ["roleId"])
    data = payload(
        await graphql(DELETE, {"roleId": foreign}, as_user="kantoor.admin"), "deleteRole"
    )
    assert data["deletedRoleId"] is None
    assert_user_error(data, "NOT_FOUND", ["roleId"])
    async with db.reader() as s:
        assert (await s.get(m.Role, decode_id(foreign, "Role"))).name == "Vreemde rol"


async def test_an_invalid_role_id_is_invalid_id(graphql, db, ids):
    """Garbage, or an ID of another type, is INVALID_ID on "roleId"."""
    for bad in ("not-an-id", "", await ids.employer(), await ids.user("werkgever.hr")):
        data = payload(
            await graphql(RENAME, {"roleId": bad, "name": "X"}, as_user="kantoor.admin"),
            "renameRole",
        )
        assert_user_error(data, "INVALID_ID", ["roleId"])
        data = payload(
            await graphql(DELETE, {"roleId": bad}, as_user="kantoor.admin"), "deleteRole"
        )
        assert_user_error(data, "INVALID_ID", ["roleId"])
    assert await role_names(db) == ["Directie", "HR", "Salarisprofessional"]


# --- linkRole / unlinkRole --------------------------------------------------------------------


async def test_admin_links_a_role_and_linking_again_is_a_no_op(graphql, db, ids):
    variables = {
        "roleId": await ids.role("Directie"),
        "userId": await ids.user("werkgever.hr"),
        "employerId": await ids.employer(),
    }
    before = await link_count(db)
    first = payload(await graphql(LINK, variables, as_user="kantoor.admin"), "linkRole")
    assert first["errors"] == []
    link = first["roleLink"]
    assert link["role"] == {"name": "Directie"}
    assert link["user"] == {"username": "werkgever.hr"}
    assert link["employer"] == {"name": "De Ideale Klant B.V."}
    async with db.reader() as s:
        row = await s.get(m.RoleLink, decode_id(link["id"], "RoleLink"))
        assert row is not None
        assert row.created_by_id == await pk_of(db, m.User, username="kantoor.admin")
    assert await links_of(db, "werkgever.hr") == [
        ("Directie", "De Ideale Klant B.V."),
        ("HR", "De Ideale Klant B.V."),
    ]

    again = payload(await graphql(LINK, variables, as_user="kantoor.admin"), "linkRole")
    assert again["errors"] == []
    assert again["roleLink"]["id"] == link["id"]
    assert await link_count(db) == before + 1


async def test_a_new_link_shows_in_employer_role_links_and_in_the_viewer(graphql, ids):
    employer = await ids.employer()
    result = await graphql(
        LINK,
        {
            "roleId": await ids.role("Directie"),
            "userId": await ids.user("werkgever.hr"),
            "employerId": employer,
        },
        as_user="kantoor.admin",
    )
    link_id = payload(result, "linkRole")["roleLink"]["id"]

    result = await graphql(EMPLOYER_ROLE_LINKS, {"id": employer}, as_user="kantoor.admin")
    links = payload(result, "node")["roleLinks"]
    assert {
        "id": link_id,
        "role": {"name": "Directie"},
        "user": {"username": "werkgever.hr"},
    } in links

    # A fresh request by werkgever.hr sees the role among its own.
    access = payload(await graphql(ACCESS, as_user="werkgever.hr"), "viewer")["access"]
    assert access == [
        {
            "employer": {"name": "De Ideale Klant B.V."},
            "roles": [{"name": "Directie"}, {"name": "HR"}],
        }
    ]


async def test_a_role_link_at_one_employer_gives_nothing_at_another(graphql, db, ids):
    """kantoor.salaris reaches both employers of the office; "Directie" linked at A shows at A
    only."""
    employer_b = await factories.employer(db, "Werkgever B")
    result = await graphql(
        LINK,
        {
            "roleId": await ids.role("Directie"),
            "userId": await ids.user("kantoor.salaris"),
            "employerId": await ids.employer(),
        },
        as_user="kantoor.admin",
    )
    assert payload(result, "linkRole")["errors"] == []

    access = payload(await graphql(ACCESS, as_user="kantoor.salaris"), "viewer")["access"]
    assert access == [
        {
            "employer": {"name": "De Ideale Klant B.V."},
            "roles": [{"name": "Directie"}, {"name": "Salarisprofessional"}],
        },
        {"employer": {"name": "Werkgever B"}, "roles": []},
    ]
    assert await links_of(db, "kantoor.salaris") == [
        ("Directie", "De Ideale Klant B.V."),
        ("Salarisprofessional", "De Ideale Klant B.V."),
    ]
    # Employer B's role links stay empty.
    result = await graphql(EMPLOYER_ROLE_LINKS, {"id": employer_b}, as_user="kantoor.admin")
    assert payload(result, "node")["roleLinks"] == []


async def test_linking_a_user_of_another_employer_is_user_not_at_employer(graphql, db, ids):
    employer_b = await factories.employer(db, "Werkgever B")
    user_b = await factories.user(
        db, "werkgever.b", UserType.EMPLOYER, employer_id=decode_id(employer_b, "Employer")
    )
    before = await link_count(db)
    data = payload(
        await graphql(
            LINK,
            {"roleId": await ids.role("HR"), "userId": user_b, "employerId": await ids.employer()},
            as_user="kantoor.admin",
        ),
        "linkRole",
    )
    assert data["roleLink"] is None
    assert_user_error(data, "USER_NOT_AT_EMPLOYER", ["userId"])
    assert await link_count(db) == before


async def test_linking_an_employee_account_is_user_not_at_employer(graphql, db, ids):
    """A MijnLoket account (wn001) is no staff: roles cannot be linked to it."""
    before = await link_count(db)
    data = payload(
        await graphql(
            LINK,
            {
                "roleId": await ids.role("HR"),
                "userId": await ids.user("wn001"),
                "employerId": await ids.employer(),
            },
            as_user="kantoor.admin",
        ),
        "linkRole",
    )
    assert data["roleLink"] is None
    assert_user_error(data, "USER_NOT_AT_EMPLOYER", ["userId"])
    assert await link_count(db) == before


async def test_a_role_of_another_office_cannot_be_linked(graphql, db, ids):
    before = await link_count(db)
    data = payload(
        await graphql(
            LINK,
            {
                "roleId": await other_office_role(db),
                "userId": await ids.user("werkgever.hr"),
                "employerId": await ids.employer(),
            },
            as_user="kantoor.admin",
        ),
        "linkRole",
    )
    assert data["roleLink"] is None
    assert_user_error(data, "NOT_FOUND", ["roleId"])
    assert await link_count(db) == before


async def test_unlink_role_removes_the_link(graphql, db, ids):
    link_pk = await pk_of(
        db,
        m.RoleLink,
        role_id=decode_id(await ids.role("HR"), "Role"),
        user_id=decode_id(await ids.user("werkgever.hr"), "User"),
    )
    link_id = to_global_id("RoleLink", link_pk)
    data = payload(
        await graphql(UNLINK, {"roleLinkId": link_id}, as_user="kantoor.admin"), "unlinkRole"
    )
    assert data == {"unlinkedRoleLinkId": link_id, "errors": []}
    async with db.reader() as s:
        assert await s.get(m.RoleLink, link_pk) is None
    assert await links_of(db, "werkgever.hr") == []
    access = payload(await graphql(ACCESS, as_user="werkgever.hr"), "viewer")["access"]
    assert access[0]["roles"] == []

    # Now "HR" is unused and may be removed.
    data = payload(
        await graphql(DELETE, {"roleId": await ids.role("HR")}, as_user="kantoor.admin"),
        "deleteRole",
    )
    assert data["errors"] == []
    assert await role_names(db) == ["Directie", "Salarisprofessional"]


async def test_employer_user_without_manage_users_may_not_link_or_unlink(graphql, db, ids):
    """werkgever.hr may see role links (it manages workflows) but not change them."""
    before = await link_count(db)
    result = await graphql(
        LINK,
        {
            "roleId": await ids.role("Directie"),
            "userId": await ids.user("werkgever.hr"),
            "employerId": await ids.employer(),
        },
        as_user="werkgever.hr",
    )
    assert errors_of(result) == ["FORBIDDEN"], result
    assert result["data"] is None

    link_pk = await pk_of(
        db, m.RoleLink, user_id=decode_id(await ids.user("werkgever.directie"), "User")
    )
    result = await graphql(
        UNLINK, {"roleLinkId": to_global_id("RoleLink", link_pk)}, as_user="werkgever.hr"
    )
    assert errors_of(result) == ["FORBIDDEN"], result
    assert await link_count(db) == before


async def test_linking_at_an_employer_of_another_office_is_not_found(graphql, db, ids):
    """An employer you cannot reach is NOT_FOUND (a GraphQL error), never FORBIDDEN."""
    other_provider = await factories.provider(db, "Kantoor Y")
    foreign_employer = await factories.employer(db, "Klant van Y", provider_id=other_provider)
    before = await link_count(db)
    for employer_id in (foreign_employer, "not-an-id"):
        result = await graphql(
            LINK,
            {
                "roleId": await ids.role("HR"),
                "userId": await ids.user("werkgever.hr"),
                "employerId": employer_id,
            },
            as_user="kantoor.admin",
        )
        assert errors_of(result) == ["NOT_FOUND"], result
        assert result["data"] is None
    assert await link_count(db) == before


async def test_anonymous_link_is_unauthenticated(graphql, db, ids):
    before = await link_count(db)
    result = await graphql(
        LINK,
        {
            "roleId": await ids.role("HR"),
            "userId": await ids.user("werkgever.directie"),
            "employerId": await ids.employer(),
        },
    )
    assert errors_of(result) == ["UNAUTHENTICATED"], result
    assert await link_count(db) == before
