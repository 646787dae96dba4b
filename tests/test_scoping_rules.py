"""The table of visibility rules (app/db/scoping.py `RULES`): one row per readable model.

What each rule lets through is tested against the data elsewhere (tests/test_request_visibility.py,
tests/api/test_authorization*.py); this checks the table itself: no principal reads nothing, a
model without a row cannot be read at all, and every row is a mapped model whose rule builds a
condition for every kind of principal and every `right` a caller passes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.db import models as m
from app.db.scoping import REQUEST_SUBJECTS, RULES, restrict, visibility
from app.domain.authz import Grant, Principal, Right, UserType

RIGHTS = (
    None,
    Right.PROCESS_MANAGEMENT,
    (Right.VIEW_EMPLOYEES, Right.COLLECTIVE_ACTIONS),
    REQUEST_SUBJECTS,
)


def _principal(user_type: UserType, grants: frozenset[Grant]) -> Principal:
    return Principal(
        user_id=5,
        username="someone",
        user_type=user_type,
        provider_id=9,
        employer_id=None if user_type is UserType.PROVIDER else 1,
        person_id=7,
        reachable_employer_ids=frozenset({1, 2}),
        department_ids=frozenset({3}) if user_type is UserType.DEPARTMENT_MANAGER else frozenset(),
        grants=grants,
        role_links=frozenset({(1, 1)}),
    )


PRINCIPALS = [
    _principal(user_type, grants)
    for user_type in UserType
    for grants in (
        frozenset(),
        frozenset(Grant(r, 1) for r in Right),
        frozenset(Grant(r, None) for r in Right),
    )
]


def test_nobody_reads_nothing() -> None:
    for model in RULES:
        assert str(visibility(model, None)) == "false"


def test_a_model_without_a_rule_cannot_be_read() -> None:
    assert m.Person not in RULES  # read only through its employee or user
    with pytest.raises(LookupError, match="no visibility rule for Person"):
        restrict(select(m.Person), PRINCIPALS[0], m.Person)


def test_every_row_is_a_mapped_model() -> None:
    mapped = {mapper.class_ for mapper in m.Base.registry.mappers}
    assert set(RULES) <= mapped


@pytest.mark.parametrize("model", list(RULES), ids=lambda model: model.__name__)
def test_every_rule_compiles_for_every_principal_and_right(model: type) -> None:
    for principal in PRINCIPALS:
        for right in RIGHTS:
            stmt = restrict(select(model), principal, model, right=right)
            for dialect in (sqlite.dialect(), postgresql.dialect()):
                stmt.compile(dialect=dialect)
