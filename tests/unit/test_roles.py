"""The role use cases without HTTP: what they return, what they refuse, what the database holds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.create_role import CreateRole, create_role
from app.resolvers.delete_role import DeleteRole, delete_role
from app.resolvers.rename_role import RenameRole, rename_role
from app.schema.ids import to_global_id


async def roles_named(db, name: str) -> int:
    async with db.reader() as session:
        return await session.scalar(
            select(func.count()).select_from(m.Role).where(m.Role.name == name)
        )


async def test_create_rename_delete(use_case, db):
    role = await use_case("kantoor.admin", create_role, CreateRole(name="  Loon   team "))
    assert role.name == "Loon team"
    role_id = to_global_id("Role", role.id)

    renamed = await use_case("kantoor.admin", rename_role, RenameRole(role_id, "Payroll"))
    assert (renamed.id, renamed.name) == (role.id, "Payroll")
    assert await roles_named(db, "Payroll") == 1

    assert await use_case("kantoor.admin", delete_role, DeleteRole(role_id)) == role_id
    assert await roles_named(db, "Payroll") == 0


async def test_a_taken_name_is_refused_and_nothing_is_written(use_case, db):
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", create_role, CreateRole(name="hr"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.NAME_TAKEN, ["name"])
    assert await roles_named(db, "hr") == 0


async def test_a_role_in_use_is_not_deleted(use_case, db):
    async with db.reader() as session:
        hr = await session.scalar(select(m.Role.id).where(m.Role.name == "HR"))
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", delete_role, DeleteRole(to_global_id("Role", hr)))
    assert refused.value.code is ErrorCode.ROLE_IN_USE
    assert await roles_named(db, "HR") == 1


async def test_a_bad_id_is_invalid_id(use_case):
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", rename_role, RenameRole("nope", "X"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ID, ["roleId"])
