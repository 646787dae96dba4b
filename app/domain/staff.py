"""What a staff user may be given where: the rules of linking roles, granting rights and
choosing deviating approvers. Pure: the rows are read in app/db."""

from __future__ import annotations

from app.domain.authz import PROVIDER_ONLY_RIGHTS, RIGHT_NAMES, Right, UserRef, UserType
from app.domain.errors import DomainError, ErrorCode


def not_at_employer(field: str) -> DomainError:
    return DomainError(
        ErrorCode.USER_NOT_AT_EMPLOYER,
        "Deze gebruiker werkt niet bij deze werkgever of zijn kantoor.",
        [field],
    )


def _not_grantable(message: str) -> DomainError:
    return DomainError(ErrorCode.RIGHT_NOT_GRANTABLE, message, ["userId"])


def check_grantee(user: UserRef, office_id: int | None, *, provider_level: bool) -> None:
    """Rights are for staff users; at provider level only for the office's provider users."""
    if user.user_type is UserType.EMPLOYEE:
        raise _not_grantable("Medewerkers (MijnLoket-accounts) krijgen geen rechten.")
    if provider_level and (
        user.user_type is not UserType.PROVIDER or user.provider_id != office_id
    ):
        raise _not_grantable("Rechten op kantoorniveau zijn alleen voor providergebruikers.")


def check_right_at_employer(right: Right) -> None:
    """Some rights exist at provider level only."""
    if right in PROVIDER_ONLY_RIGHTS:
        raise DomainError(
            ErrorCode.RIGHT_NOT_GRANTABLE,
            f"Het recht '{RIGHT_NAMES[right]}' bestaat alleen op kantoorniveau.",
            ["right"],
        )
