"""The right use cases without HTTP: grantRight and revokeRight."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.db import models as m
from app.domain.authz import Right
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.grant_right import GrantRight, grant_right
from app.resolvers.revoke_right import RevokeRight, revoke_right


async def levels(db, username: str, right: Right) -> list[int | None]:
    """The levels (employer ids, None: provider) at which the user holds `right`."""
    async with db.reader() as session:
        rows = await session.scalars(
            select(m.RightGrant.employer_id)
            .join(m.User, m.User.id == m.RightGrant.user_id)
            .where(m.User.username == username, m.RightGrant.right == right)
        )
        return list(rows)


async def test_grant_grant_again_and_revoke(use_case, db, ids):
    user, employer = await ids.user("werkgever.hr"), await ids.employer()
    granted = await use_case(
        "kantoor.admin", grant_right, GrantRight(user, Right.MANAGE_PRODUCTS, employer)
    )
    assert granted.username == "werkgever.hr"
    [level] = await levels(db, "werkgever.hr", Right.MANAGE_PRODUCTS)
    assert level is not None

    await use_case("kantoor.admin", grant_right, GrantRight(user, Right.MANAGE_PRODUCTS, employer))
    assert await levels(db, "werkgever.hr", Right.MANAGE_PRODUCTS) == [level]

    revoked = await use_case(
        "kantoor.admin", revoke_right, RevokeRight(user, Right.MANAGE_PRODUCTS, employer)
    )
    assert revoked.username == "werkgever.hr"
    assert await levels(db, "werkgever.hr", Right.MANAGE_PRODUCTS) == []


async def test_a_provider_only_right_is_not_granted_at_an_employer(use_case, db, ids):
    command = GrantRight(
        await ids.user("kantoor.salaris"), Right.MANAGE_ROLES, await ids.employer()
    )
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", grant_right, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.RIGHT_NOT_GRANTABLE, ["right"])
    assert await levels(db, "kantoor.salaris", Right.MANAGE_ROLES) == []


async def test_the_user_is_checked_before_the_employer_id(use_case, ids):
    """An employee account is refused as such, even with a malformed employer ID."""
    command = GrantRight(await ids.user("wn001"), Right.VIEW_EMPLOYEES, "rubbish")
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", grant_right, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.RIGHT_NOT_GRANTABLE, ["userId"])

    command = GrantRight(await ids.user("werkgever.hr"), Right.VIEW_EMPLOYEES, "rubbish")
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", grant_right, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ID, ["employerId"])


async def test_provider_level_rights_are_for_provider_users(use_case, db, ids):
    command = GrantRight(await ids.user("werkgever.hr"), Right.VIEW_EMPLOYEES)
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", grant_right, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.RIGHT_NOT_GRANTABLE, ["userId"])


async def test_the_last_office_administrator_keeps_manage_users(use_case, db, ids):
    command = RevokeRight(await ids.user("kantoor.admin"), Right.MANAGE_USERS)
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", revoke_right, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.LAST_ADMINISTRATOR, ["userId"])
    assert await levels(db, "kantoor.admin", Right.MANAGE_USERS) == [None]
