"""Who may see and do what: pure predicates over a signed-in `Principal`.

Nothing here touches the database. `app/db/scoping.py` turns a `Scope` into SQL so that every
read is narrowed the same way, and `app/schema/permissions.py` declares these predicates on fields
and mutations.

Rules (DOMAIN.md section 1):
- A right is granted at provider level (provider users only; it then holds at every employer of
  that provider) or at employer level (at that one employer).
- Employee users (MijnLoket accounts) hold no rights; they see their own employments.
- A department manager is an employer user limited to its departments: it sees only employees of
  those departments, and never an IBAN, BSN or MijnLoket e-mail address.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from app.domain.errors import Forbidden
from app.domain.mijnloket import same_address


class Right(StrEnum):
    VIEW_WORKFLOW_EDITOR = "VIEW_WORKFLOW_EDITOR"
    MANAGE_WORKFLOW_EDITOR = "MANAGE_WORKFLOW_EDITOR"
    PROCESS_MANAGEMENT = "PROCESS_MANAGEMENT"
    VIEW_MIJNLOKET_EMAIL = "VIEW_MIJNLOKET_EMAIL"
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_ROLES = "MANAGE_ROLES"
    MANAGE_PRODUCTS = "MANAGE_PRODUCTS"
    COLLECTIVE_ACTIONS = "COLLECTIVE_ACTIONS"
    VIEW_EMPLOYEES = "VIEW_EMPLOYEES"
    # Decisions of issue 16 (onboarding an office): the office's employers, their departments
    # and department managers, and the signed MijnLoket addendum (provider level only) ...
    MANAGE_EMPLOYERS = "MANAGE_EMPLOYERS"
    # ... and an employer's employees: create and update them, one by one or from Excel.
    MANAGE_EMPLOYEES = "MANAGE_EMPLOYEES"


RIGHT_NAMES: dict[Right, str] = {
    Right.VIEW_WORKFLOW_EDITOR: "Raadplegen Workflow Editor",
    Right.MANAGE_WORKFLOW_EDITOR: "Beheer Workflow Editor",
    Right.PROCESS_MANAGEMENT: "Procesbeheer workflows",
    Right.VIEW_MIJNLOKET_EMAIL: "Raadplegen MijnLoket e-mailadres",
    Right.MANAGE_USERS: "Beheer gebruikers",
    Right.MANAGE_ROLES: "Beheer rollen",
    Right.MANAGE_PRODUCTS: "Beheer producten",
    Right.COLLECTIVE_ACTIONS: "Collectieve acties",
    Right.VIEW_EMPLOYEES: "Raadplegen werknemers",
    Right.MANAGE_EMPLOYERS: "Beheer werkgevers",
    Right.MANAGE_EMPLOYEES: "Beheer werknemers",
}

# Rights that only make sense for the whole office: roles are defined once per provider.
PROVIDER_ONLY_RIGHTS: frozenset[Right] = frozenset({Right.MANAGE_ROLES, Right.MANAGE_EMPLOYERS})


class UserType(StrEnum):
    PROVIDER = "PROVIDER"
    EMPLOYER = "EMPLOYER"
    DEPARTMENT_MANAGER = "DEPARTMENT_MANAGER"
    EMPLOYEE = "EMPLOYEE"


USER_TYPE_NAMES: dict[UserType, str] = {
    UserType.PROVIDER: "Providergebruiker",
    UserType.EMPLOYER: "Werkgevergebruiker",
    UserType.DEPARTMENT_MANAGER: "Afdelingsmanager",
    UserType.EMPLOYEE: "Medewerker (MijnLoket)",
}


@dataclass(frozen=True)
class Grant:
    right: Right
    employer_id: int | None  # None: provider level


def rights_in(
    grants: Collection[Grant], *, provider_user: bool, employer_id: int | None, own_office: bool
) -> frozenset[Right]:
    """The rights `grants` give at `employer_id` (None: at provider level): those granted
    there, and a provider user's provider-level rights at the employers of its own office
    (`own_office`). The one rule, for the signed-in user and for the users it administers."""
    provider_level: frozenset[Right] = frozenset()
    if provider_user:
        provider_level = frozenset(g.right for g in grants if g.employer_id is None)
    if employer_id is None:
        return provider_level
    here = frozenset(g.right for g in grants if g.employer_id == employer_id)
    return here | provider_level if own_office else here


Where = Literal["employer", "provider", "anywhere"]
_WHERE = {"employer": " bij deze werkgever", "provider": " op kantoorniveau", "anywhere": ""}


def refusal(*rights: Right, where: Where = "employer") -> str:
    """The one Dutch sentence for a missing right: "Hiervoor is het recht 'Procesbeheer
    workflows' bij deze werkgever nodig." (several rights: any one of them)."""
    names = " of ".join(f"'{RIGHT_NAMES[r]}'" for r in rights)
    return f"Hiervoor is het recht {names}{_WHERE[where]} nodig."


def require_right(principal: Principal, right: Right, employer_id: int) -> None:
    """Refuse (FORBIDDEN, with the one sentence) unless `right` holds at the employer."""
    if not principal.has_right(right, employer_id):
        raise Forbidden(refusal(right))


@dataclass(frozen=True)
class Principal:
    """The signed-in user with everything authorization needs, loaded once per request."""

    user_id: int
    username: str
    user_type: UserType
    provider_id: int | None  # the office: its own (provider user) or its employer's
    employer_id: int | None  # employer users and department managers
    person_id: int | None
    reachable_employer_ids: frozenset[int]
    department_ids: frozenset[int] = frozenset()  # department managers only
    grants: frozenset[Grant] = frozenset()
    role_links: frozenset[tuple[int, int]] = field(default=frozenset())  # (role id, employer id)

    @property
    def is_department_manager(self) -> bool:
        return self.user_type is UserType.DEPARTMENT_MANAGER

    @property
    def is_provider_user(self) -> bool:
        return self.user_type is UserType.PROVIDER

    def provider_rights(self) -> frozenset[Right]:
        return rights_in(
            self.grants, provider_user=self.is_provider_user, employer_id=None, own_office=True
        )

    def rights_at(self, employer_id: int) -> frozenset[Right]:
        """The rights that hold at this employer, from both levels."""
        if employer_id not in self.reachable_employer_ids:
            return frozenset()
        return rights_in(
            self.grants,
            provider_user=self.is_provider_user,
            employer_id=employer_id,
            own_office=True,  # reachable: an employer of its own office
        )

    def has_right(self, right: Right, employer_id: int | None) -> bool:
        """`employer_id=None` asks for the right at provider level."""
        if employer_id is None:
            return right in self.provider_rights()
        return right in self.rights_at(employer_id)

    def employers_with(self, right: Right) -> frozenset[int]:
        return frozenset(e for e in self.reachable_employer_ids if right in self.rights_at(e))


@dataclass(frozen=True)
class EmployeeScope:
    """Which employees a principal may see for one purpose (the right it reads them under)."""

    employer_ids: frozenset[int]  # employers where the right holds
    department_ids: frozenset[int] | None  # None: every department of those employers
    own_person_id: int | None  # a person always sees its own employments


def employee_scope(principal: Principal, right: Right) -> EmployeeScope:
    return EmployeeScope(
        employer_ids=principal.employers_with(right),
        department_ids=principal.department_ids if principal.is_department_manager else None,
        own_person_id=principal.person_id,
    )


def is_own_employment(principal: Principal, person_id: int) -> bool:
    return principal.person_id is not None and principal.person_id == person_id


def may_see_financial_identity(principal: Principal, employer_id: int, person_id: int) -> bool:
    """IBAN and BSN: the person itself, or a non-manager user who may view employees there."""
    if is_own_employment(principal, person_id):
        return True
    if principal.is_department_manager:
        return False
    return principal.has_right(Right.VIEW_EMPLOYEES, employer_id)


def may_see_mijnloket_email(principal: Principal, employer_id: int, person_id: int) -> bool:
    """A field-level right (seed 003 §5); department managers never see it (DOMAIN.md §1)."""
    if is_own_employment(principal, person_id):
        return True
    if principal.is_department_manager:
        return False
    return principal.has_right(Right.VIEW_MIJNLOKET_EMAIL, employer_id)


def may_see_private_email(
    principal: Principal,
    employer_id: int,
    person_id: int,
    private_email: str | None,
    mijnloket_email: str | None,
) -> bool:
    """The private e-mail address is contact data, readable wherever the employee is (DOMAIN.md
    section 1: "everything else about the employee is"). But the MijnLoket invitation is
    prefilled from it and activation keeps that address (section 7), so it is often also the
    address the person signs in to MijnLoket with. Then it is the MijnLoket e-mail address,
    and reading it needs what `mijnLoketEmail` needs (decision, issue 13.4): otherwise one
    field would show freely what the other guards."""
    if not same_address(private_email, mijnloket_email):
        return True
    return may_see_mijnloket_email(principal, employer_id, person_id)


def may_see_mijnloket_recipients(principal: Principal, employer_id: int) -> bool:
    """The recipient of an e-mail about MijnLoket (invitation, reminder, confirmation) is the
    person's MijnLoket address: for holders of VIEW_MIJNLOKET_EMAIL there, and for whoever runs
    the migration there (COLLECTIVE_ACTIONS: they chose where the invitations went, DOMAIN.md
    section 7). Never department managers."""
    if principal.is_department_manager:
        return False
    return principal.has_right(Right.VIEW_MIJNLOKET_EMAIL, employer_id) or principal.has_right(
        Right.COLLECTIVE_ACTIONS, employer_id
    )


def may_administer_at(principal: Principal, employer_id: int) -> bool:
    """Whether the principal is staff (not an employee) who can act at this employer."""
    return (
        principal.user_type is not UserType.EMPLOYEE
        and employer_id in principal.reachable_employer_ids
    )


@dataclass(frozen=True)
class UserRef:
    """Just enough of a user to decide where it can work."""

    user_type: UserType
    provider_id: int | None
    employer_id: int | None


def user_works_at(user: UserRef, employer_id: int, employer_provider_id: int) -> bool:
    """Whether a staff user can act at an employer: a provider user of its office, or one of its
    own employer users and department managers. Employees never are."""
    if user.user_type is UserType.PROVIDER:
        return user.provider_id == employer_provider_id
    if user.user_type in (UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER):
        return user.employer_id == employer_id
    return False


def holds_here_or_office_wide(principal: Principal, right: Right, employer_id: int | None) -> bool:
    """`right` at the employer; with no employer, an office-wide view: a provider user holding
    `right` at one employer or more (who then sees those employers only)."""
    if employer_id is not None:
        return principal.has_right(right, employer_id)
    return principal.user_type is UserType.PROVIDER and bool(principal.employers_with(right))
