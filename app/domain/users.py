"""The rules of administering staff users (issue 16): which user types are created where, what
a username looks like, and whom a deactivation may not hit. Pure: the rows are read in app/db.

Decisions (DOMAIN.md style):
- Staff usernames are chosen by the administrator, like the demo's "werkgever.hr": trimmed and
  lowercased, then 3 to 150 characters of lowercase letters, digits, dots and dashes, starting
  and ending with a letter or digit, unique across the service. The prefix "ml-" is kept for
  the MijnLoket accounts the invitation makes (`mijnloket.new_username`).
- MijnLoket accounts (EMPLOYEE) are never created by an administrator: they come from the
  invitation (DOMAIN.md section 7).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from app.domain.authz import UserType
from app.domain.errors import DomainError, ErrorCode
from app.domain.mijnloket import USERNAME_PREFIX

USERNAME_MIN = 3
USERNAME_MAX = 150
_USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")


def username(value: str, field: str = "username") -> str:
    """The username to create, or why not (INVALID_VALUE)."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not USERNAME_MIN <= len(text) <= USERNAME_MAX or not _USERNAME.fullmatch(text):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            f"Kies een gebruikersnaam van {USERNAME_MIN} tot {USERNAME_MAX} tekens: kleine "
            "letters, cijfers, punten en streepjes, beginnend en eindigend met een letter of "
            "cijfer.",
            [field],
        )
    if text.startswith(USERNAME_PREFIX):
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            f"Gebruikersnamen die met '{USERNAME_PREFIX}' beginnen zijn voor MijnLoket-accounts.",
            [field],
        )
    return text


def username_taken(name: str, field: str = "username") -> DomainError:
    return DomainError(ErrorCode.NAME_TAKEN, f"De gebruikersnaam '{name}' bestaat al.", [field])


def check_creatable(user_type: UserType, has_employer: bool) -> None:
    """Provider users belong to the office (no employer); employer users and department
    managers to one employer; MijnLoket accounts come from the invitation only."""
    if user_type is UserType.EMPLOYEE:
        raise DomainError(
            ErrorCode.NOT_ALLOWED,
            "MijnLoket-accounts ontstaan via de uitnodiging voor MijnLoket, niet hier.",
            ["userType"],
        )
    if user_type is UserType.PROVIDER and has_employer:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Een providergebruiker hoort bij het kantoor: laat de werkgever leeg.",
            ["employerId"],
        )
    if user_type is not UserType.PROVIDER and not has_employer:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Kies de werkgever van deze gebruiker.",
            ["employerId"],
        )


def check_departments(user_type: UserType, department_ids: Collection[int] | None) -> None:
    """Department managers manage one department or more; nobody else has departments."""
    if user_type is UserType.DEPARTMENT_MANAGER:
        if department_ids is not None and not department_ids:
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                "Een afdelingsmanager beheert minstens één afdeling.",
                ["departmentIds"],
            )
        return
    if department_ids:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Alleen afdelingsmanagers hebben afdelingen.",
            ["departmentIds"],
        )


def check_further_employers(user_type: UserType) -> None:
    """Only employer users are given access to further employers (DOMAIN.md section 9)."""
    if user_type is not UserType.EMPLOYER:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Alleen werkgevergebruikers krijgen toegang tot meer werkgevers.",
            ["employerIds"],
        )


def check_administrable(user_type: UserType) -> None:
    """updateUser and deactivateUser are for staff; MijnLoket accounts are the person's own."""
    if user_type is UserType.EMPLOYEE:
        raise DomainError(
            ErrorCode.NOT_ALLOWED,
            "MijnLoket-accounts beheert de medewerker zelf.",
            ["userId"],
        )


def check_not_self(actor_id: int, user_id: int) -> None:
    if actor_id == user_id:
        raise DomainError(ErrorCode.NOT_ALLOWED, "U kunt uzelf niet deactiveren.", ["userId"])


def last_administrator() -> DomainError:
    return DomainError(
        ErrorCode.LAST_ADMINISTRATOR,
        "Dit is de laatste actieve gebruiker die rechten mag beheren op kantoorniveau; "
        "ken het recht eerst aan een ander toe.",
        ["userId"],
    )
