"""The role-link use cases without HTTP: linkRole and unlinkRole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.link_role import LinkRole, link_role
from app.resolvers.unlink_role import UnlinkRole, unlink_role
from app.schema.ids import decode_id, to_global_id


async def links_of(db, username: str) -> int:
    async with db.reader() as session:
        return await session.scalar(
            select(func.count())
            .select_from(m.RoleLink)
            .join(m.User, m.User.id == m.RoleLink.user_id)
            .where(m.User.username == username)
        )


async def test_link_link_again_and_unlink(use_case, db, ids):
    command = LinkRole(
        role_id=await ids.role("Directie"),
        user_id=await ids.user("werkgever.hr"),
        employer_id=await ids.employer(),
    )
    before = await links_of(db, "werkgever.hr")
    link = await use_case("kantoor.admin", link_role, command)
    assert (link.role_id, link.user_id, link.employer_id, link.created_by_id) == (
        decode_id(command.role_id, "Role"),
        decode_id(command.user_id, "User"),
        decode_id(command.employer_id, "Employer"),
        decode_id(await ids.user("kantoor.admin"), "User"),
    )
    assert await links_of(db, "werkgever.hr") == before + 1

    again = await use_case("kantoor.admin", link_role, command)
    assert again.id == link.id
    assert await links_of(db, "werkgever.hr") == before + 1

    link_id = to_global_id("RoleLink", link.id)
    assert await use_case("kantoor.admin", unlink_role, UnlinkRole(link_id)) == link_id
    assert await links_of(db, "werkgever.hr") == before


async def test_an_employee_account_is_not_at_the_employer(use_case, db, ids):
    command = LinkRole(
        role_id=await ids.role("Directie"),
        user_id=await ids.user("wn001"),
        employer_id=await ids.employer(),
    )
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", link_role, command)
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.USER_NOT_AT_EMPLOYER,
        ["userId"],
    )
    assert await links_of(db, "wn001") == 0


async def test_unlinking_a_bad_id_is_invalid_id(use_case):
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", unlink_role, UnlinkRole("nope"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ID, ["roleLinkId"])
