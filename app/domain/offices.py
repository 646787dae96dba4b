"""The rules of setting up an office (issue 16): its first administrator, its employers and
departments, who manages a department, and the signed MijnLoket addendum. Pure: the rows are
read in app/db, today's date is handed in.

Decisions (DOMAIN.md style):
- Names of employers (per office) and of departments (per employer) are unique regardless of
  case and spacing, like role names: "Verkoop" and " verkoop " are one department.
- The first administrator of an office (`loketflow office create`) is a provider user holding
  every right at provider level, as the demo's kantoor.admin does.
- A department's managers are department-manager users of its employer. An active manager
  always manages one department or more (as createUser demands): taking its last department
  away is refused (LAST_DEPARTMENT); deactivate the user instead, or give it another
  department first. A manager may manage several departments.
- The MijnLoket addendum, when signed, names who signed it for the office and on which day (not
  in the future, not before 2000). Withdrawing it clears both, and is refused while MijnLoket
  is active at an employer of the office (that activation needed the addendum).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from app.domain import validation
from app.domain.authz import Right, UserType
from app.domain.errors import DomainError, ErrorCode

NAME_MAX = 200  # employer and department names (the columns hold 200)
MAX_MANAGERS = 50  # department managers of one department, set at once
EARLIEST_SIGNING = dt.date(2000, 1, 1)
# Every right, at provider level: the office's first user administrator.
ADMINISTRATOR_RIGHTS: tuple[Right, ...] = tuple(Right)


def employer_name_taken(name: str) -> DomainError:
    return DomainError(
        ErrorCode.NAME_TAKEN, f"Dit kantoor heeft al een werkgever '{name}'.", ["name"]
    )


def department_name_taken(name: str) -> DomainError:
    return DomainError(
        ErrorCode.NAME_TAKEN, f"Deze werkgever heeft al een afdeling '{name}'.", ["name"]
    )


def manager_count(count: int) -> None:
    if count > MAX_MANAGERS:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            f"Kies hoogstens {MAX_MANAGERS} afdelingsmanagers.",
            ["userIds"],
        )


@dataclass(frozen=True)
class Candidate:
    """A user named as manager of a department, as far as the rules need it."""

    user_type: UserType
    employer_id: int | None
    active: bool
    already_manager: bool  # of this department


def check_manager(candidate: Candidate, employer_id: int, field: list[str]) -> None:
    """Only department managers of the department's employer; an inactive one may stay where it
    is, not be added."""
    if candidate.user_type is not UserType.DEPARTMENT_MANAGER:
        raise DomainError(
            ErrorCode.NOT_A_DEPARTMENT_MANAGER,
            "Alleen gebruikers van het type afdelingsmanager kunnen een afdeling beheren.",
            field,
        )
    if candidate.employer_id != employer_id or not (candidate.active or candidate.already_manager):
        raise DomainError(
            ErrorCode.USER_NOT_AT_EMPLOYER,
            "Deze afdelingsmanager werkt niet (meer) bij de werkgever van deze afdeling.",
            field,
        )


def check_keeps_a_department(display_name: str, other_departments: Collection[int]) -> None:
    """An active manager taken off this department must still manage another one."""
    if not other_departments:
        raise DomainError(
            ErrorCode.LAST_DEPARTMENT,
            f"{display_name} beheert dan geen afdeling meer. Geef eerst een andere afdeling, "
            "of deactiveer de gebruiker.",
            ["userIds"],
        )


@dataclass(frozen=True)
class Addendum:
    signed: bool
    signatory: str | None
    signed_on: dt.date | None


def addendum(
    signed: bool, signatory: str | None, signed_on: dt.date | None, today: dt.date
) -> Addendum:
    """What to store: signed with who and when (both required, the day not in the future), or
    not signed, which clears both (whatever was sent with it)."""
    if not signed:
        return Addendum(False, None, None)
    if signatory is None:
        raise DomainError(
            ErrorCode.INVALID_VALUE, "Vul in wie het addendum heeft ondertekend.", ["signatory"]
        )
    who = validation.name(signatory, "signatory", max_length=NAME_MAX)
    if signed_on is None:
        raise DomainError(
            ErrorCode.INVALID_VALUE, "Vul de datum van ondertekening in.", ["signedOn"]
        )
    if signed_on > today:
        raise DomainError(
            ErrorCode.INVALID_VALUE, "De datum van ondertekening ligt in de toekomst.", ["signedOn"]
        )
    if signed_on < EARLIEST_SIGNING:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Deze datum van ondertekening kan niet kloppen (vóór 2000).",
            ["signedOn"],
        )
    return Addendum(True, who, signed_on)


def addendum_in_use(employers: Collection[str]) -> DomainError:
    names = ", ".join(sorted(employers)[:5]) + (" ..." if len(employers) > 5 else "")
    return DomainError(
        ErrorCode.PRODUCT_IN_USE,
        f"MijnLoket is nog actief bij {len(employers)} werkgever(s) ({names}). Zet MijnLoket "
        "daar eerst uit.",
        ["signed"],
    )


class SetupRefused(Exception):
    """`loketflow office create` cannot do what was asked: the message is for the terminal."""
