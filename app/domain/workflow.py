"""The step engine: the only place that decides how a workflow instance changes.

Pure: (definition version's steps, instance state, action, actor) -> (new state, effects).
Resolvers load the instance (locked), ask `start` or `act`, write the new state and carry out the
effects (tasks, e-mails in the outbox, audit entries, the change to apply) in the same
transaction. Nothing here knows about databases or GraphQL.

Rules (DOMAIN.md sections 4 and 5):
- Steps run in order; the next starts only when the current one is finished.
- A notification e-mails its recipients and is done at once. A task waits to be completed, an
  approval to be approved or rejected; a rejection (comment required) ends the request.
- With every step done, update workflows apply their change and become PROCESSED; expense claims
  become COMPLETED and are later processed into a payroll period (PROCESSED).
- The submitter may withdraw a request while it is in progress (WITHDRAWN, decision).
- The first eligible action wins: acting on a step that is no longer open is refused, never
  applied twice. Who is eligible is decided by `app/domain/assignment.py` at the time of acting.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from app.domain.catalogue import WorkflowType
from app.domain.definitions import StepConfig, StepKind
from app.domain.errors import DomainError, ErrorCode
from app.domain.workflow_state import (
    OPEN_STATUSES,
    STATUS_LABELS,
    Action,
    ApplyChange,
    Approve,
    Audit,
    AuditKind,
    Comment,
    Complete,
    Effect,
    Instance,
    InstanceStatus,
    Process,
    Reject,
    SendNotification,
    SendTaskEmail,
    StepAction,
    StepProgress,
    StepState,
    Transition,
    Withdraw,
)

# The engine, and its vocabulary (app/domain/workflow_state.py) re-exported: callers import both
# from here.
__all__ = [
    "OPEN_STATUSES",
    "STATUS_LABELS",
    "Action",
    "ApplyChange",
    "Approve",
    "Audit",
    "AuditKind",
    "Comment",
    "Complete",
    "Effect",
    "Instance",
    "InstanceStatus",
    "Process",
    "Reject",
    "SendNotification",
    "SendTaskEmail",
    "StepAction",
    "StepProgress",
    "StepState",
    "Transition",
    "Withdraw",
    "act",
    "start",
]


def _refuse(code: ErrorCode, message: str, field: str | None = None) -> DomainError:
    return DomainError(code, message, [field] if field else None)


def _finish(instance: Instance, effects: list[Effect]) -> Instance:
    effects.append(Audit(AuditKind.FINISHED))
    if instance.workflow is WorkflowType.EXPENSE_CLAIM:
        return replace(instance, status=InstanceStatus.COMPLETED)
    effects += [ApplyChange(), Audit(AuditKind.CHANGE_APPLIED)]
    return replace(instance, status=InstanceStatus.PROCESSED)


def _advance(instance: Instance, config: Sequence[StepConfig], effects: list[Effect]) -> Instance:
    """Run from the first pending step: notifications pass, a task or approval stops the run."""
    steps = list(instance.steps)
    for i, progress in enumerate(steps):
        if progress.state is not StepState.PENDING:
            continue
        step = config[i]
        if step.kind is StepKind.NOTIFICATION:
            steps[i] = replace(progress, state=StepState.DONE, action=StepAction.NOTIFIED)
            effects += [
                SendNotification(progress.position),
                Audit(AuditKind.NOTIFIED, progress.position),
            ]
            continue
        steps[i] = replace(progress, state=StepState.OPEN)
        effects += [
            Audit(AuditKind.STEP_STARTED, progress.position),
            SendTaskEmail(progress.position),
        ]
        return replace(instance, steps=tuple(steps))
    return _finish(replace(instance, steps=tuple(steps)), effects)


def start(workflow: WorkflowType, config: Sequence[StepConfig], submitter_id: int) -> Transition:
    """A new request: with 0 steps it is finished (and applied) at once."""
    instance = Instance(
        workflow=workflow,
        submitter_id=submitter_id,
        status=InstanceStatus.IN_PROGRESS,
        steps=tuple(StepProgress(position=p) for p in range(1, len(config) + 1)),
    )
    effects: list[Effect] = [Audit(AuditKind.SUBMITTED, actor_id=submitter_id)]
    return Transition(_advance(instance, config, effects), tuple(effects))


def _open_step(
    instance: Instance, position: int, kinds: Collection[StepKind], config: Sequence[StepConfig]
) -> int:
    """The index of the open step at `position`, or why it cannot be acted on."""
    index = position - 1
    if instance.status not in OPEN_STATUSES or not 0 <= index < len(instance.steps):
        raise _refuse(ErrorCode.TASK_ALREADY_DONE, "Deze aanvraag is al afgehandeld.")
    if instance.steps[index].state is not StepState.OPEN:
        raise _refuse(ErrorCode.TASK_ALREADY_DONE, "Deze taak is al afgehandeld.")
    if config[index].kind not in kinds:
        expected = (
            "goedkeuren of afwijzen" if config[index].kind is StepKind.APPROVAL else "afronden"
        )
        raise _refuse(ErrorCode.WRONG_TASK_ACTION, f"Deze stap kunt u alleen {expected}.")
    return index


def _close(
    instance: Instance,
    index: int,
    action: StepAction,
    actor_id: int | None,
    comment: str | None,
) -> Instance:
    steps = list(instance.steps)
    steps[index] = replace(
        steps[index], state=StepState.DONE, action=action, actor_id=actor_id, comment=comment
    )
    return replace(instance, steps=tuple(steps))


def _cancel_rest(instance: Instance) -> tuple[StepProgress, ...]:
    return tuple(
        replace(s, state=StepState.CANCELLED)
        if s.state in (StepState.PENDING, StepState.OPEN)
        else s
        for s in instance.steps
    )


def _clean(comment: str | None) -> str | None:
    text = (comment or "").strip()
    return text or None


def act(
    instance: Instance,
    config: Sequence[StepConfig],
    action: Action,
    *,
    eligible: Collection[int] = (),
) -> Transition:
    """Apply one action. `eligible`: who may act on the open step right now (assignment)."""
    effects: list[Effect] = []
    if isinstance(action, Withdraw):
        if action.actor_id != instance.submitter_id:
            raise _refuse(ErrorCode.NOT_ALLOWED, "Alleen de indiener kan een aanvraag intrekken.")
        if instance.status not in OPEN_STATUSES:
            raise _refuse(ErrorCode.REQUEST_CLOSED, "Deze aanvraag is al afgehandeld.")
        withdrawn = replace(instance, status=InstanceStatus.WITHDRAWN, steps=_cancel_rest(instance))
        return Transition(withdrawn, (Audit(AuditKind.WITHDRAWN, actor_id=action.actor_id),))

    if isinstance(action, Process):
        if instance.workflow is not WorkflowType.EXPENSE_CLAIM:
            raise _refuse(
                ErrorCode.NOT_ALLOWED, "Alleen declaraties worden verwerkt in een periode."
            )
        if instance.status is not InstanceStatus.COMPLETED:
            raise _refuse(
                ErrorCode.NOT_PROCESSABLE,
                "Alleen afgeronde (goedgekeurde) declaraties kunnen worden verwerkt.",
            )
        processed = replace(instance, status=InstanceStatus.PROCESSED)
        audit = Audit(AuditKind.PROCESSED, actor_id=action.actor_id, comment=action.payroll_period)
        return Transition(processed, (audit,))

    kinds = {
        Complete: (StepKind.TASK,),
        Approve: (StepKind.APPROVAL,),
        Reject: (StepKind.APPROVAL,),
        Comment: (StepKind.TASK, StepKind.APPROVAL),
    }[type(action)]
    index = _open_step(instance, action.position, kinds, config)
    if action.actor_id not in eligible:
        raise _refuse(ErrorCode.NOT_ASSIGNED, "Deze taak staat niet op uw naam.")
    comment = _clean(action.comment)

    if isinstance(action, Comment):
        if comment is None:
            raise _refuse(ErrorCode.COMMENT_REQUIRED, "Schrijf een opmerking.", "comment")
        return Transition(
            instance, (Audit(AuditKind.COMMENTED, action.position, action.actor_id, comment),)
        )
    if isinstance(action, Reject):
        if comment is None:
            raise _refuse(
                ErrorCode.COMMENT_REQUIRED, "Geef bij afwijzen een toelichting.", "comment"
            )
        closed = _close(instance, index, StepAction.REJECTED, action.actor_id, comment)
        rejected = replace(closed, status=InstanceStatus.REJECTED, steps=_cancel_rest(closed))
        audit = Audit(AuditKind.REJECTED, action.position, action.actor_id, comment)
        return Transition(rejected, (audit,))

    step_action, kind = (
        (StepAction.APPROVED, AuditKind.APPROVED)
        if isinstance(action, Approve)
        else (StepAction.COMPLETED, AuditKind.COMPLETED)
    )
    closed = _close(instance, index, step_action, action.actor_id, comment)
    effects.append(Audit(kind, action.position, action.actor_id, comment))
    return Transition(_advance(closed, config, effects), tuple(effects))
