"""Rights, levels and department scope as pure predicates."""

from __future__ import annotations

from app.domain.authz import (
    Grant,
    Principal,
    Right,
    UserRef,
    UserType,
    employee_scope,
    may_see_financial_identity,
    may_see_mijnloket_email,
    user_works_at,
)


def principal(user_type, *, grants=(), reachable=(1, 2), person=None, departments=()):
    return Principal(
        user_id=1,
        username="u",
        user_type=user_type,
        provider_id=10,
        employer_id=None if user_type is UserType.PROVIDER else 1,
        person_id=person,
        reachable_employer_ids=frozenset(reachable),
        department_ids=frozenset(departments),
        grants=frozenset(grants),
    )


def test_provider_level_rights_hold_at_every_reachable_employer():
    p = principal(UserType.PROVIDER, grants=[Grant(Right.PROCESS_MANAGEMENT, None)])
    assert p.has_right(Right.PROCESS_MANAGEMENT, None)
    assert p.has_right(Right.PROCESS_MANAGEMENT, 1) and p.has_right(Right.PROCESS_MANAGEMENT, 2)
    assert not p.has_right(Right.PROCESS_MANAGEMENT, 3)  # another office's employer
    assert p.employers_with(Right.PROCESS_MANAGEMENT) == {1, 2}


def test_employer_level_rights_hold_at_that_employer_only():
    p = principal(UserType.PROVIDER, grants=[Grant(Right.VIEW_EMPLOYEES, 2)])
    assert p.has_right(Right.VIEW_EMPLOYEES, 2)
    assert not p.has_right(Right.VIEW_EMPLOYEES, 1)
    assert not p.has_right(Right.VIEW_EMPLOYEES, None)


def test_provider_level_grants_count_only_for_provider_users():
    p = principal(UserType.EMPLOYER, grants=[Grant(Right.MANAGE_USERS, None)], reachable=(1,))
    assert not p.has_right(Right.MANAGE_USERS, 1)
    assert p.provider_rights() == frozenset()


def test_department_manager_scope_and_sensitive_fields():
    dm = principal(
        UserType.DEPARTMENT_MANAGER,
        reachable=(1,),
        departments=(7,),
        grants=[Grant(Right.VIEW_EMPLOYEES, 1), Grant(Right.VIEW_MIJNLOKET_EMAIL, 1)],
    )
    scope = employee_scope(dm, Right.VIEW_EMPLOYEES)
    assert scope.employer_ids == {1} and scope.department_ids == {7}
    assert not may_see_financial_identity(dm, 1, person_id=99)
    assert not may_see_mijnloket_email(dm, 1, person_id=99)  # even with the right


def test_field_level_mijnloket_email_and_own_record():
    hr = principal(
        UserType.EMPLOYER, reachable=(1,), person=5, grants=[Grant(Right.VIEW_EMPLOYEES, 1)]
    )
    assert may_see_financial_identity(hr, 1, person_id=99)
    assert not may_see_mijnloket_email(hr, 1, person_id=99)
    assert may_see_mijnloket_email(hr, 1, person_id=5)  # its own employment
    granted = principal(
        UserType.EMPLOYER, reachable=(1,), grants=[Grant(Right.VIEW_MIJNLOKET_EMAIL, 1)]
    )
    assert may_see_mijnloket_email(granted, 1, person_id=99)
    assert not may_see_mijnloket_email(granted, 2, person_id=99)


def test_who_works_at_an_employer():
    assert user_works_at(UserRef(UserType.PROVIDER, 10, None), 1, employer_provider_id=10)
    assert not user_works_at(UserRef(UserType.PROVIDER, 11, None), 1, employer_provider_id=10)
    assert user_works_at(UserRef(UserType.DEPARTMENT_MANAGER, None, 1), 1, 10)
    assert not user_works_at(UserRef(UserType.EMPLOYER, None, 2), 1, 10)
    assert not user_works_at(UserRef(UserType.EMPLOYEE, None, None), 1, 10)


def test_one_sentence_for_every_missing_right():
    from app.domain.authz import refusal

    assert refusal(Right.PROCESS_MANAGEMENT) == (
        "Hiervoor is het recht 'Procesbeheer workflows' bij deze werkgever nodig."
    )
    assert refusal(Right.MANAGE_USERS, Right.MANAGE_ROLES, where="provider") == (
        "Hiervoor is het recht 'Beheer gebruikers' of 'Beheer rollen' op kantoorniveau nodig."
    )


def test_provider_level_rights_hold_only_at_the_own_office():
    """The rule the signed-in user and the user list (`User.rights`) share."""
    from app.domain.authz import Grant, rights_in

    grants = frozenset({Grant(Right.PROCESS_MANAGEMENT, None), Grant(Right.VIEW_EMPLOYEES, 3)})
    assert rights_in(grants, provider_user=True, employer_id=3, own_office=True) == {
        Right.PROCESS_MANAGEMENT,
        Right.VIEW_EMPLOYEES,
    }
    assert rights_in(grants, provider_user=True, employer_id=4, own_office=False) == frozenset()
    assert rights_in(grants, provider_user=True, employer_id=None, own_office=True) == {
        Right.PROCESS_MANAGEMENT
    }
    # An employer user's grants hold where they were given, never at provider level.
    assert rights_in(grants, provider_user=False, employer_id=3, own_office=True) == {
        Right.VIEW_EMPLOYEES
    }
