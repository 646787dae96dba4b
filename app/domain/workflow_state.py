"""The vocabulary of the step engine (`app/domain/workflow.py`): a request's state, the actions
taken on it and the effects a transition asks for. Plain values, nothing that decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.catalogue import WorkflowType


class InstanceStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    PROCESSED = "PROCESSED"
    WITHDRAWN = "WITHDRAWN"


STATUS_LABELS = {
    InstanceStatus.IN_PROGRESS: "In behandeling",
    InstanceStatus.COMPLETED: "Afgerond",
    InstanceStatus.REJECTED: "Geweigerd",
    InstanceStatus.PROCESSED: "Verwerkt",
    InstanceStatus.WITHDRAWN: "Ingetrokken",
}
OPEN_STATUSES = frozenset({InstanceStatus.IN_PROGRESS})


class StepState(StrEnum):
    PENDING = "PENDING"  # not reached yet
    OPEN = "OPEN"  # waiting for an action (tasks and approvals only)
    DONE = "DONE"
    CANCELLED = "CANCELLED"  # the request ended before this step was finished


class StepAction(StrEnum):
    NOTIFIED = "NOTIFIED"
    COMPLETED = "COMPLETED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class AuditKind(StrEnum):
    SUBMITTED = "SUBMITTED"
    STEP_STARTED = "STEP_STARTED"
    NOTIFIED = "NOTIFIED"
    EMAIL_QUEUED = "EMAIL_QUEUED"  # e-mails for a step written to the outbox (how many: comment)
    COMPLETED = "COMPLETED"  # a task step
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    COMMENTED = "COMMENTED"
    WITHDRAWN = "WITHDRAWN"
    CHANGE_APPLIED = "CHANGE_APPLIED"
    FINISHED = "FINISHED"  # all steps done (expense claims: ready to be processed)
    PROCESSED = "PROCESSED"  # an expense claim booked into a payroll period


@dataclass(frozen=True)
class StepProgress:
    position: int
    state: StepState = StepState.PENDING
    action: StepAction | None = None
    actor_id: int | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Instance:
    workflow: WorkflowType
    submitter_id: int
    status: InstanceStatus
    steps: tuple[StepProgress, ...]

    @property
    def open_step(self) -> StepProgress | None:
        return next((s for s in self.steps if s.state is StepState.OPEN), None)


# --- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Complete:
    position: int
    actor_id: int
    comment: str | None = None


@dataclass(frozen=True)
class Approve:
    position: int
    actor_id: int
    comment: str | None = None


@dataclass(frozen=True)
class Reject:
    position: int
    actor_id: int
    comment: str | None = None


@dataclass(frozen=True)
class Comment:
    position: int
    actor_id: int
    comment: str


@dataclass(frozen=True)
class Withdraw:
    actor_id: int


@dataclass(frozen=True)
class Process:
    actor_id: int
    payroll_period: str


Action = Complete | Approve | Reject | Comment | Withdraw | Process


# --- effects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audit:
    kind: AuditKind
    position: int | None = None
    actor_id: int | None = None
    comment: str | None = None


@dataclass(frozen=True)
class SendNotification:
    """E-mail the recipients of a notification step."""

    position: int


@dataclass(frozen=True)
class SendTaskEmail:
    """E-mail the actors of a task or approval that just opened, if its e-mail switch is on."""

    position: int


@dataclass(frozen=True)
class ApplyChange:
    """An update workflow finished: write the requested change to the employee record."""


Effect = Audit | SendNotification | SendTaskEmail | ApplyChange


@dataclass(frozen=True)
class Transition:
    instance: Instance
    effects: tuple[Effect, ...]
