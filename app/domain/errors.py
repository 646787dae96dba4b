"""Stable error codes for expected business failures, and the exception that carries them.

A `DomainError` is raised by the domain or a resolver and turned into a `UserError` in the
mutation's payload; the transaction it happened in is rolled back, so nothing is half-written.
`message` is Dutch and meant for the end user; `code` is for programs and never changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    INVALID_VALUE = "INVALID_VALUE"
    ADDENDUM_REQUIRED = "ADDENDUM_REQUIRED"
    PRODUCT_REQUIRED = "PRODUCT_REQUIRED"
    PRODUCT_IN_USE = "PRODUCT_IN_USE"
    NAME_TAKEN = "NAME_TAKEN"
    ROLE_IN_USE = "ROLE_IN_USE"
    USER_NOT_AT_EMPLOYER = "USER_NOT_AT_EMPLOYER"
    NOT_A_DEPARTMENT_MANAGER = "NOT_A_DEPARTMENT_MANAGER"
    LAST_DEPARTMENT = "LAST_DEPARTMENT"
    RIGHT_NOT_GRANTABLE = "RIGHT_NOT_GRANTABLE"
    SELF_APPROVAL = "SELF_APPROVAL"
    LAST_ADMINISTRATOR = "LAST_ADMINISTRATOR"
    CONFLICT = "CONFLICT"
    TOO_MANY_STEPS = "TOO_MANY_STEPS"
    INVALID_ASSIGNEE = "INVALID_ASSIGNEE"
    INVALID_IBAN = "INVALID_IBAN"
    INVALID_POSTCODE = "INVALID_POSTCODE"
    INVALID_PAYROLL_PERIOD = "INVALID_PAYROLL_PERIOD"
    PERIOD_CLOSED = "PERIOD_CLOSED"
    INVALID_EXPENSE_VALUE = "INVALID_EXPENSE_VALUE"
    INVALID_DATE_ORDER = "INVALID_DATE_ORDER"
    TASK_ALREADY_DONE = "TASK_ALREADY_DONE"
    WRONG_TASK_ACTION = "WRONG_TASK_ACTION"
    NOT_ASSIGNED = "NOT_ASSIGNED"
    COMMENT_REQUIRED = "COMMENT_REQUIRED"
    NOT_ALLOWED = "NOT_ALLOWED"
    REQUEST_CLOSED = "REQUEST_CLOSED"
    NOT_PROCESSABLE = "NOT_PROCESSABLE"
    COMPONENT_NOT_DECLARABLE = "COMPONENT_NOT_DECLARABLE"
    WORKFLOW_NOT_ACTIVE = "WORKFLOW_NOT_ACTIVE"
    CHANGE_OUTDATED = "CHANGE_OUTDATED"
    EXPORT_FAILED = "EXPORT_FAILED"
    TOO_MANY_EXPORTS = "TOO_MANY_EXPORTS"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    TOKEN_USED = "TOKEN_USED"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"
    PASSWORD_REQUIRED = "PASSWORD_REQUIRED"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_FILE = "INVALID_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"
    DUPLICATE_ROW = "DUPLICATE_ROW"


class DomainError(Exception):
    def __init__(self, code: ErrorCode, message: str, field: Sequence[str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field else None


class AccessError(Exception):
    """Not a business failure but a refusal: becomes a GraphQL error with `extensions.code`."""

    code = "FORBIDDEN"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, str]:
        # graphql-core copies an original error's `extensions` onto the GraphQL error.
        return {"code": self.code}


class Unauthenticated(AccessError):
    code = "UNAUTHENTICATED"


class Forbidden(AccessError):
    code = "FORBIDDEN"


class NotFound(AccessError):
    """Also used for objects that exist but lie outside the caller's scope: no existence leak."""

    code = "NOT_FOUND"


class InvalidArgument(AccessError):
    """A malformed query argument (a cursor, `first` out of range): the client's programming
    error, not a business failure, so a GraphQL error rather than a UserError."""

    code = "BAD_USER_INPUT"


# What each kind of object is called in a message ("Rol niet gevonden.").
THING = {
    "Employer": "werkgever",
    "Employee": "werknemer",
    "User": "gebruiker",
    "Role": "rol",
    "RoleLink": "rolkoppeling",
    "Department": "afdeling",
    "WorkflowInstance": "aanvraag",
    "InstanceStep": "taak",
    "Task": "taak",
    "Component": "component",
    "ComponentSet": "componentenset",
}


def not_found(type_name: str, field: str | Sequence[str]) -> DomainError:
    """NOT_FOUND on `field` (a name or a whole path): the object is not there for this user."""
    return DomainError(
        ErrorCode.NOT_FOUND,
        f"{THING[type_name].capitalize()} niet gevonden.",
        [field] if isinstance(field, str) else list(field),
    )


def invalid_id(type_name: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_ID, f"Dit is geen geldig {THING[type_name]}-ID.", [field])
