"""Use cases called as functions, without HTTP or GraphQL: a session, a principal, a command.

`use_case("kantoor.admin", create_role, CreateRole(name="X"))` runs it in one write transaction
as that demo user, as the mutation runner does; a refusal raises its `DomainError` (and nothing
of the transaction is kept)."""

from __future__ import annotations

import pytest

from app.db.principals import load_principal
from app.db.transaction import in_transaction


@pytest.fixture
def use_case(db):
    async def run(username: str, handler, command):
        async def work(session):
            principal = await load_principal(session, username)
            assert principal is not None, username
            return await handler(session, principal, command)

        return await in_transaction(db, work)

    return run
