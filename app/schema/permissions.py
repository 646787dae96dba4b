"""Permissions declared on fields and mutations (the rules live in `app/domain/authz.py`).

Use `secured(...)` as a field's `extensions`; it checks before the resolver runs and raises a
GraphQL error with `extensions.code` UNAUTHENTICATED, FORBIDDEN or NOT_FOUND. `requires(...)`
gives the matching sentence for the field's description, so GraphiQL shows what a field needs.

Where the right applies (which employer) comes from an `at` function:
- `PROVIDER_LEVEL`: the right must be held at provider level;
- `SOURCE_EMPLOYER`: the employer of the object the field sits on (sync);
- `input_employer(...)` / `input_object(...)`: from the mutation input, loaded under scoping (async,
  for mutations only). An object the caller cannot see is NOT_FOUND, never FORBIDDEN, so that
  probing ids reveals nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from strawberry.permission import BasePermission, PermissionExtension

from app.db import models as m
from app.db.scoping import restrict
from app.domain.authz import Principal, Right, UserType, refusal
from app.domain.errors import Forbidden, NotFound
from app.schema.ids import decode_id

At = Callable[[Any, Any, dict[str, Any]], Any]


def PROVIDER_LEVEL(info, source, kwargs) -> None:
    return None


def SOURCE_EMPLOYER(info, source, kwargs) -> int:
    return source.id if isinstance(source, m.Employer) else source.employer_id


def _missing(what: str) -> NotFound:
    return NotFound(f"{what} niet gevonden.")


def _reachable_employer(info, value: str | None) -> int:
    pk = decode_id(value or "", "Employer")
    if pk is None or pk not in info.context.require_principal().reachable_employer_ids:
        raise _missing("Werkgever")
    return pk


def input_employer(field: str = "employer_id") -> Callable[..., Awaitable[int]]:
    """The employer named by `input.<field>`, which the caller must be able to reach."""

    async def at(info, source, kwargs) -> int:
        return _reachable_employer(info, getattr(kwargs["input"], field))

    return at


def argument_employer(name: str = "employer_id") -> At:
    """The employer named by a query argument, which the caller must be able to reach (sync)."""

    def at(info, source, kwargs) -> int:
        return _reachable_employer(info, kwargs.get(name))

    return at


def input_employer_or_provider(field: str = "employer_id") -> Callable[..., Awaitable[int | None]]:
    """Like `input_employer`, but an absent employer means the right is asked at provider level."""
    at_employer = input_employer(field)

    async def at(info, source, kwargs) -> int | None:
        if getattr(kwargs["input"], field) is None:
            return None
        return await at_employer(info, source, kwargs)

    return at


def input_definition_employer(field: str = "definition_id") -> Callable[..., Awaitable[int]]:
    """The employer of the workflow definition named by `input.<field>`."""
    from app.db.queries.definitions import parse_definition_key
    from app.schema.ids import decode_key

    async def at(info, source, kwargs) -> int:
        parsed = parse_definition_key(
            decode_key(getattr(kwargs["input"], field), "WorkflowDefinition") or ""
        )
        if parsed is None or parsed[0] not in info.context.principal.reachable_employer_ids:
            raise _missing("Workflow")
        return parsed[0]

    return at


def input_object(
    model: type,
    type_name: str,
    field: str,
    what: str,
    right: Right | tuple[Right, ...] | None = None,
):
    """The employer of the object named by `input.<field>`, read under scoping. Make sure that
    `right` lets everyone see the object who can see it elsewhere: a visible object must give
    FORBIDDEN, not NOT_FOUND."""

    async def at(info, source, kwargs) -> int:
        pk = decode_id(getattr(kwargs["input"], field), type_name)
        if pk is None:
            raise _missing(what)
        stmt = restrict(
            select(model.employer_id).where(model.id == pk),
            info.context.principal,
            model,
            right=right,
        )
        employer_id = await info.context.scalar(stmt)
        if employer_id is None:
            raise _missing(what)
        return employer_id

    return at


def _refusal(rights: tuple[Right, ...], employer_id: int | None) -> Forbidden:
    return Forbidden(refusal(*rights, where="provider" if employer_id is None else "employer"))


class SignedIn(BasePermission):
    def has_permission(self, source, info, **kwargs) -> bool:
        info.context.require_principal()
        return True


class Staff(BasePermission):
    """Provider and employer users; MijnLoket accounts (employees) are refused."""

    def has_permission(self, source, info, **kwargs) -> bool:
        if info.context.require_principal().user_type is UserType.EMPLOYEE:
            raise Forbidden("Dit is alleen beschikbaar voor gebruikers van kantoor of werkgever.")
        return True


class EmployeeAccount(BasePermission):
    """MijnLoket accounts (employees) only: self-service requests are the employee's own."""

    def has_permission(self, source, info, **kwargs) -> bool:
        if info.context.require_principal().user_type is not UserType.EMPLOYEE:
            raise Forbidden("Dit dient een medewerker zelf in via MijnLoket.")
        return True


class HasRight(BasePermission):
    """One of `rights` at the employer the object belongs to, or at provider level."""

    def __init__(self, rights: tuple[Right, ...], at: At):
        self.rights, self.at = rights, at

    def has_permission(self, source, info, **kwargs) -> bool:
        principal: Principal = info.context.require_principal()
        employer_id = self.at(info, source, kwargs)
        if any(principal.has_right(r, employer_id) for r in self.rights):
            return True
        raise _refusal(self.rights, employer_id)


class HasRightAt(BasePermission):
    """Like `HasRight`, with the employer loaded from a mutation's input (async)."""

    def __init__(self, rights: tuple[Right, ...], at: At):
        self.rights, self.at = rights, at

    async def has_permission(self, source, info, **kwargs) -> bool:
        principal: Principal = info.context.require_principal()
        employer_id = await self.at(info, source, kwargs)
        if any(principal.has_right(r, employer_id) for r in self.rights):
            return True
        raise _refusal(self.rights, employer_id)


class NotDepartmentManager(BasePermission):
    """Department managers never change configuration, whatever rights they hold."""

    def __init__(self, refusal: str):
        self.refusal = refusal

    def has_permission(self, source, info, **kwargs) -> bool:
        if info.context.require_principal().is_department_manager:
            raise Forbidden(self.refusal)
        return True


class Predicate(BasePermission):
    """A field-level rule on the source object: `check(principal, source) -> bool`."""

    def __init__(self, check: Callable[[Principal, Any], bool], refusal: str):
        self.check, self.refusal = check, refusal

    def has_permission(self, source, info, **kwargs) -> bool:
        if self.check(info.context.require_principal(), source):
            return True
        raise Forbidden(self.refusal)


def secured(*permissions: BasePermission) -> list[PermissionExtension]:
    return [PermissionExtension(permissions=list(permissions), use_directives=False)]


def right(*rights: Right, at: At = SOURCE_EMPLOYER) -> list[PermissionExtension]:
    """Shorthand: the field needs one of `rights` where `at` says (sync `at` only)."""
    return secured(HasRight(tuple(rights), at))


def mutation_right(
    *rights: Right, at: At, also: tuple[BasePermission, ...] = ()
) -> list[PermissionExtension]:
    """For mutations: `at` may load from the input (async); `also` are checked first."""
    if at is PROVIDER_LEVEL:
        return secured(*also, HasRight(tuple(rights), at))
    return secured(*also, HasRightAt(tuple(rights), at))


def requires(*rights: Right, level: str = "employer") -> str:
    names = " or ".join(r.value for r in rights)
    where = {"provider": "at provider level", "employer": "at the employer"}.get(
        level, "at the employer, or at provider level when no employer is given"
    )
    return f"Requires the right {names} {where}."


@dataclass(frozen=True)
class RightAtEachItem:
    """A batch mutation's right, checked per item at that item's employer (each item gets its
    own result, so this is no field permission): the mutation's description and the check in
    its resolver are this one object, and cannot disagree."""

    right: Right
    item: str  # what the batch holds, for the description: "claim"

    def allows(self, principal: Principal, employer_id: int) -> bool:
        return not principal.is_department_manager and principal.has_right(self.right, employer_id)

    @property
    def refusal(self) -> str:
        return refusal(self.right)

    @property
    def description(self) -> str:
        return (
            f"Requires the right {self.right.value} at each {self.item}'s employer; never "
            "department managers."
        )


# processExpenseClaims: booking into the payroll is the office's or the employer's work.
PROCESS_EACH_CLAIM = RightAtEachItem(Right.PROCESS_MANAGEMENT, "claim")


class RightHereOrOfficeWide(BasePermission):
    """`right` at the employer `employer_of(kwargs)` names (NOT_FOUND if unreachable); with no
    employer named, an office-wide view: provider users holding `right` at one employer or
    more, who then see those employers."""

    def __init__(self, right: Right, employer_of: Callable[[dict[str, Any]], str | None]):
        self.right, self.employer_of = right, employer_of

    def has_permission(self, source, info, **kwargs) -> bool:
        principal: Principal = info.context.require_principal()
        value = self.employer_of(kwargs)
        if value is not None:
            employer_id = _reachable_employer(info, value)
            if principal.has_right(self.right, employer_id):
                return True
            raise _refusal((self.right,), employer_id)
        if principal.user_type is not UserType.PROVIDER:
            raise Forbidden("Het overzicht over alle werkgevers is er voor kantoorgebruikers.")
        if principal.employers_with(self.right):
            return True
        raise Forbidden(refusal(self.right, where="anywhere"))
