"""Workflow definitions as the editor builds them (DOMAIN.md section 4, seed 000 §4-§7).

A definition is per employer and workflow type; every saved change is a new immutable version of
0 to 6 steps. This module holds the step model, the checks on a proposed set of steps, and the
default configuration a workflow gets when it is first switched on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.errors import DomainError, ErrorCode

MAX_STEPS = 6
MAX_STEP_NAME = 100


class StepKind(StrEnum):
    NOTIFICATION = "NOTIFICATION"  # informs; always e-mails; the workflow moves on at once
    TASK = "TASK"  # someone must do something; waits in the task centre
    APPROVAL = "APPROVAL"  # explicit approval; a rejection ends the workflow


class AssigneeKind(StrEnum):
    ROLE = "ROLE"
    USER_TYPE = "USER_TYPE"
    USERS = "USERS"  # specific users: expense claims only, restricted mode
    ALL_USERS = "ALL_USERS"  # expense claims: managers of the department, else employer users


class ApprovalMode(StrEnum):
    """How expense claims are routed (seed 000 §7)."""

    ALL_USERS = "ALL_USERS"  # the default; the office keeps seeing every declaration
    RESTRICTED = "RESTRICTED"  # one or more specific users approve, nobody else


# User types a step can be assigned to; employees (MijnLoket accounts) never handle steps.
ASSIGNABLE_USER_TYPES = (UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER, UserType.PROVIDER)


@dataclass(frozen=True)
class Assignee:
    kind: AssigneeKind
    role_id: int | None = None
    user_type: UserType | None = None
    user_ids: tuple[int, ...] = ()

    @classmethod
    def role(cls, role_id: int) -> Assignee:
        return cls(AssigneeKind.ROLE, role_id=role_id)

    @classmethod
    def of_type(cls, user_type: UserType) -> Assignee:
        return cls(AssigneeKind.USER_TYPE, user_type=user_type)

    @classmethod
    def users(cls, *user_ids: int) -> Assignee:
        return cls(AssigneeKind.USERS, user_ids=tuple(sorted(set(user_ids))))

    @classmethod
    def all_users(cls) -> Assignee:
        return cls(AssigneeKind.ALL_USERS)


@dataclass(frozen=True)
class StepConfig:
    kind: StepKind
    name: str
    assignee: Assignee
    send_email: bool = field(default=False)


def approval_mode(workflow: WorkflowType, steps: Sequence[StepConfig]) -> ApprovalMode | None:
    """Restricted as soon as a step names specific users; only expense claims have a mode."""
    if workflow is not WorkflowType.EXPENSE_CLAIM:
        return None
    if any(s.assignee.kind is AssigneeKind.USERS for s in steps):
        return ApprovalMode.RESTRICTED
    return ApprovalMode.ALL_USERS


def default_steps(workflow: WorkflowType) -> tuple[StepConfig, ...]:
    """The configuration a workflow gets the moment it is first switched on (decision)."""
    if workflow is WorkflowType.EXPENSE_CLAIM:
        return (StepConfig(StepKind.APPROVAL, "Goedkeuren", Assignee.all_users(), True),)
    if workflow in (WorkflowType.CONTRACT_EXTENSION, WorkflowType.EMPLOYMENT_TERMINATION):
        return (
            StepConfig(StepKind.APPROVAL, "Goedkeuren", Assignee.of_type(UserType.EMPLOYER), True),
        )
    return (StepConfig(StepKind.TASK, "Controleren", Assignee.of_type(UserType.EMPLOYER), False),)


def _refuse(code: ErrorCode, message: str, *path: object) -> DomainError:
    return DomainError(code, message, ["steps", *(str(p) for p in path)])


def check_steps(workflow: WorkflowType, steps: Sequence[StepConfig]) -> tuple[StepConfig, ...]:
    """The steps as they will be stored (names tidied), or the first reason they cannot be
    saved, with the path of the offending input field.

    References (does the role belong to this office, does the user work here) need the database
    and are checked by the caller.
    """
    if len(steps) > MAX_STEPS:
        raise DomainError(
            ErrorCode.TOO_MANY_STEPS,
            f"Een workflow heeft hoogstens {MAX_STEPS} stappen; u gaf er {len(steps)}.",
            ["steps"],
        )
    checked = []
    for i, step in enumerate(steps):
        name = " ".join(step.name.split())
        if not name or len(name) > MAX_STEP_NAME:
            raise _refuse(
                ErrorCode.INVALID_VALUE,
                f"Geef stap {i + 1} een naam van 1 tot {MAX_STEP_NAME} tekens.",
                i,
                "name",
            )
        assignee = step.assignee
        if assignee.kind in (AssigneeKind.USERS, AssigneeKind.ALL_USERS) and (
            workflow is not WorkflowType.EXPENSE_CLAIM
        ):
            raise _refuse(
                ErrorCode.INVALID_ASSIGNEE,
                f"Stap {i + 1}: specifieke gebruikers of 'alle gebruikers' kunnen alleen bij "
                "declaraties worden gekozen; kies een rol of gebruikerstype.",
                i,
                "userIds" if assignee.kind is AssigneeKind.USERS else "allUsers",
            )
        if assignee.kind is AssigneeKind.USERS and not assignee.user_ids:
            raise _refuse(
                ErrorCode.INVALID_ASSIGNEE,
                f"Stap {i + 1}: kies minstens één gebruiker.",
                i,
                "userIds",
            )
        if assignee.kind is AssigneeKind.ROLE and assignee.role_id is None:
            raise _refuse(ErrorCode.INVALID_ASSIGNEE, f"Stap {i + 1}: kies een rol.", i, "roleId")
        if assignee.kind is AssigneeKind.USER_TYPE and assignee.user_type is None:
            raise _refuse(
                ErrorCode.INVALID_ASSIGNEE, f"Stap {i + 1}: kies een gebruikerstype.", i, "userType"
            )
        if assignee.kind is AssigneeKind.USER_TYPE and assignee.user_type not in (
            ASSIGNABLE_USER_TYPES
        ):
            raise _refuse(
                ErrorCode.INVALID_ASSIGNEE,
                f"Stap {i + 1}: medewerkers kunnen geen workflowstappen uitvoeren.",
                i,
                "userType",
            )
        if step.kind is StepKind.NOTIFICATION and not step.send_email:
            raise _refuse(
                ErrorCode.INVALID_VALUE,
                f"Stap {i + 1}: een notificatie verstuurt altijd een e-mail.",
                i,
                "sendEmail",
            )
        checked.append(StepConfig(step.kind, name, assignee, step.send_email))
    _check_restricted_mode(checked)
    return tuple(checked)


def _check_restricted_mode(steps: Sequence[StepConfig]) -> None:
    """Restricted mode (seed 000 §7): once specific users are chosen, "only those users approve,
    nobody else is involved", so every step of the workflow names specific users."""
    if not any(s.assignee.kind is AssigneeKind.USERS for s in steps):
        return
    for i, step in enumerate(steps):
        if step.assignee.kind is not AssigneeKind.USERS:
            raise _refuse(
                ErrorCode.INVALID_ASSIGNEE,
                f"Stap {i + 1}: in de beperkte modus (specifieke gebruikers) wijst u elke stap "
                "aan specifieke gebruikers toe.",
                i,
            )
