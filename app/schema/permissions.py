"""Permissions declared on fields and mutations (the rules live in `app/domain/authz.py`).

Use `secured(...)` as a field's `extensions`; it checks before the resolver runs and raises a
GraphQL error with `extensions.code` UNAUTHENTICATED, FORBIDDEN or NOT_FOUND. Each permission
carries its own `sentence`, and `described(...)` writes a field's description from the
permissions it is secured with, so GraphiQL shows what a field needs and the description cannot
disagree with the check.

Where the right applies (which employer) comes from an `at` function (app/schema/employer_at.py,
named here too): `PROVIDER_LEVEL`, `SOURCE_EMPLOYER`, `argument_employer(...)`,
`input_employer(...)`, `input_object(...)`, ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from strawberry.permission import BasePermission, PermissionExtension

from app.domain.authz import Principal, Right, UserType, refusal
from app.domain.errors import Forbidden
from app.schema.employer_at import PROVIDER_LEVEL as PROVIDER_LEVEL
from app.schema.employer_at import SOURCE_EMPLOYER, At, level_of, reachable_from
from app.schema.employer_at import argument_employer as argument_employer
from app.schema.employer_at import input_definition_employer as input_definition_employer
from app.schema.employer_at import input_employer as input_employer
from app.schema.employer_at import input_employer_or_provider as input_employer_or_provider
from app.schema.employer_at import input_object as input_object
from app.schema.employer_at import reachable_employer as reachable_employer


def _refusal(rights: tuple[Right, ...], employer_id: int | None) -> Forbidden:
    return Forbidden(refusal(*rights, where="provider" if employer_id is None else "employer"))


class SignedIn(BasePermission):
    sentence = ""  # any signed-in user: the resolver's own rule says who, in its note

    def has_permission(self, source, info, **kwargs) -> bool:
        info.context.require_principal()
        return True


class Staff(BasePermission):
    """Provider and employer users; MijnLoket accounts (employees) are refused."""

    sentence = ""  # who among the staff: the resolver's own rule, in its note

    def __init__(
        self, refusal: str = "Dit is alleen beschikbaar voor gebruikers van kantoor of werkgever."
    ):
        self.refusal = refusal

    def has_permission(self, source, info, **kwargs) -> bool:
        self.enforce(info.context.require_principal(), None)
        return True

    def enforce(self, principal: Principal, employer_id: int | None) -> None:
        if principal.user_type is UserType.EMPLOYEE:
            raise Forbidden(self.refusal)


class EmployeeAccount(BasePermission):
    """MijnLoket accounts (employees) only: self-service requests are the employee's own."""

    sentence = "For MijnLoket accounts (employees), for their own employment."

    def has_permission(self, source, info, **kwargs) -> bool:
        if info.context.require_principal().user_type is not UserType.EMPLOYEE:
            raise Forbidden("Dit dient een medewerker zelf in via MijnLoket.")
        return True


class HasRight(BasePermission):
    """One of `rights` at the employer the object belongs to, or at provider level."""

    def __init__(self, rights: tuple[Right, ...], at: At):
        self.rights, self.at = rights, at

    @property
    def sentence(self) -> str:
        return requires(*self.rights, level=level_of(self.at))

    def has_permission(self, source, info, **kwargs) -> bool:
        principal: Principal = info.context.require_principal()
        self.enforce(principal, self.at(info, source, kwargs))
        return True

    def enforce(self, principal: Principal, employer_id: int | None) -> None:
        if not any(principal.has_right(r, employer_id) for r in self.rights):
            raise _refusal(self.rights, employer_id)


class HasRightAt(BasePermission):
    """Like `HasRight`, with the employer loaded from a mutation's input (async)."""

    def __init__(self, rights: tuple[Right, ...], at: At):
        self.rights, self.at = rights, at

    @property
    def sentence(self) -> str:
        return requires(*self.rights, level=level_of(self.at))

    async def has_permission(self, source, info, **kwargs) -> bool:
        principal: Principal = info.context.require_principal()
        employer_id = await self.at(info, source, kwargs)
        if any(principal.has_right(r, employer_id) for r in self.rights):
            return True
        raise _refusal(self.rights, employer_id)


class NotDepartmentManager(BasePermission):
    """Department managers never change configuration, whatever rights they hold."""

    sentence = "Never department managers."

    def __init__(self, refusal: str):
        self.refusal = refusal

    def has_permission(self, source, info, **kwargs) -> bool:
        self.enforce(info.context.require_principal(), None)
        return True

    def enforce(self, principal: Principal, employer_id: int | None) -> None:
        if principal.is_department_manager:
            raise Forbidden(self.refusal)


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


def right_field(text: str, *rights: Right, at: At = SOURCE_EMPLOYER) -> dict[str, Any]:
    """`strawberry.field(**right_field("What it is. ", R.X))`: the field needs one of `rights`
    where `at` says, and its description ends in that permission's own sentence."""
    check = HasRight(tuple(rights), at)
    return {"extensions": secured(check), "description": f"{text}{check.sentence}"}


def mutation_right(
    *rights: Right, at: At, also: tuple[BasePermission, ...] = ()
) -> tuple[BasePermission, ...]:
    """For mutations: `at` may load from the input (async); `also` are checked first."""
    check = HasRight(tuple(rights), at) if at is PROVIDER_LEVEL else HasRightAt(tuple(rights), at)
    return (*also, check)


def described(
    doc: str | None, permissions: Sequence[Any], note: str = "", *, joined: bool = False
) -> str:
    """A field's description: the resolver's docstring, then what its permissions demand in
    their own sentences (the right first), then `note` for what the resolver itself decides.
    `joined`: "never department managers" as a clause of the right's sentence (query fields)."""
    ordered = sorted(permissions, key=lambda p: not isinstance(p, (HasRight, HasRightAt)))
    sentences = [s for p in ordered if (s := getattr(p, "sentence", ""))]
    if joined and len(sentences) == 2 and sentences[1] == NotDepartmentManager.sentence:
        sentences = [f"{sentences[0].rstrip('.')}; never department managers."]
    return f"{(doc or '').strip()}\n\n{' '.join(sentences)}{note}"


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

    @property
    def sentence(self) -> str:
        return (
            f"Requires the right {self.right.value} at the employer; without `employerId`, a "
            "provider user with it at one employer or more."
        )

    def has_permission(self, source, info, **kwargs) -> bool:
        principal: Principal = info.context.require_principal()
        value = self.employer_of(kwargs)
        employer_id = reachable_from(info, value) if value is not None else None
        self.enforce(principal, employer_id)
        return True

    def enforce(self, principal: Principal, employer_id: int | None) -> None:
        """With an employer (reachable): `right` there; without: the office-wide view."""
        if employer_id is not None:
            if principal.has_right(self.right, employer_id):
                return
            raise _refusal((self.right,), employer_id)
        if principal.user_type is not UserType.PROVIDER:
            raise Forbidden("Het overzicht over alle werkgevers is er voor kantoorgebruikers.")
        if principal.employers_with(self.right):
            return
        raise Forbidden(refusal(self.right, where="anywhere"))


class Enforced(Protocol):
    """A permission that can also be checked without a GraphQL request: against a principal
    and the employer already resolved (a live subscription, again when the rights change)."""

    def enforce(self, principal: Principal, employer_id: int | None) -> None: ...


def enforce(permissions: Sequence[Enforced], principal: Principal, employer_id: int | None) -> None:
    """Each permission in turn, as `secured(*permissions)` checks them on a field: raises the
    first refusal."""
    for permission in permissions:
        permission.enforce(principal, employer_id)


# The same objects guard a query field and its live counterpart (app/resolvers/subscriptions.py
# checks them when a subscription starts and again whenever the subscriber's rights change).
PROCESS_OVERVIEW = RightHereOrOfficeWide(
    Right.PROCESS_MANAGEMENT, lambda kwargs: kwargs.get("employer_id")
)
COLLECTIVE = (
    NotDepartmentManager("Collectieve acties zijn er niet voor afdelingsmanagers."),
    HasRight((Right.COLLECTIVE_ACTIONS,), argument_employer()),
)
# The task centre lists nothing for MijnLoket accounts; its live updates refuse them.
TASK_CENTRE_LIVE = Staff("Het takencentrum is er voor gebruikers van kantoor of werkgever.")
