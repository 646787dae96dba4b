"""What every submission decides the same way (DOMAIN.md section 5), without the database: who
a request is for, whether its workflow can start, and whether a retry asks the same as before.
The reads and writes around these decisions are in app/db/submission.py."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from app.domain.authz import Principal, is_own_employment
from app.domain.catalogue import (
    PRODUCT_NAMES,
    WORKFLOW_TYPES,
    Product,
    WorkflowType,
    missing_products,
)
from app.domain.errors import DomainError, ErrorCode

T = TypeVar("T")

# Started in Loket by an employer user for an employee they manage; every other workflow is
# self-service, submitted by the employee for their own employment.
MANAGEMENT_ACTIONS = frozenset(
    {WorkflowType.CONTRACT_EXTENSION, WorkflowType.EMPLOYMENT_TERMINATION}
)


@dataclass
class Request:
    """What a submission asks for, once its input is checked."""

    change: dict[str, Any] | None = None
    claim: dict[str, Any] | None = None  # ExpenseClaim columns


def fingerprint(workflow: WorkflowType, asked: Any) -> str:
    """What was asked (a dataclass of the submitted fields), without the idempotency key: a
    retry must ask the same. Stored with the request, so it must never change for equal input."""
    fields = {k: v for k, v in dataclasses.asdict(asked).items() if k != "idempotency_key"}
    text = json.dumps([workflow.value, fields], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def same_request(stored: str | None, fingerprint: str) -> None:
    """A key already used must be used for the same request."""
    if stored != fingerprint:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "Deze idempotentiesleutel is al gebruikt voor een andere aanvraag.",
            ["idempotencyKey"],
        )


def only_employment(found: Sequence[T]) -> T:
    """The employment a MijnLoket account submits for, of those it may submit for: the only
    one (several are narrowed down by naming one)."""
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND, "Dienstverband niet gevonden.", ["employeeId"])
    if len(found) > 1:
        raise DomainError(
            ErrorCode.INVALID_VALUE,
            "U heeft meerdere dienstverbanden; kies voor welk dienstverband dit is.",
            ["employeeId"],
        )
    return found[0]


def not_own_employment(principal: Principal, employee_person_id: int) -> None:
    """A management action is never started for one's own employment."""
    if is_own_employment(principal, employee_person_id):
        raise DomainError(
            ErrorCode.SELF_APPROVAL,
            "U kunt geen managementactie voor uw eigen dienstverband starten.",
            ["employeeId"],
        )


def products_present(workflow: WorkflowType, active: Iterable[Product]) -> None:
    """PRODUCT_REQUIRED unless the employer has every product the workflow needs."""
    if missing := missing_products(workflow, active):
        name = WORKFLOW_TYPES[workflow].display_name
        names = ", ".join(PRODUCT_NAMES[p] for p in missing)
        raise DomainError(
            ErrorCode.PRODUCT_REQUIRED,
            f"'{name}' is bij uw werkgever niet beschikbaar; nodig: {names}.",
        )


def workflow_off(workflow: WorkflowType) -> DomainError:
    """No version of the workflow is in force: it is switched off (or was never set up)."""
    name = WORKFLOW_TYPES[workflow].display_name
    return DomainError(
        ErrorCode.WORKFLOW_NOT_ACTIVE, f"De workflow '{name}' staat bij uw werkgever uit."
    )
