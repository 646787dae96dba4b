"""Everything a workflow transition writes, decided in one place (DOMAIN.md sections 3-5).

The engine (app/domain/workflow.py) decides the request's new state and its effects; here they
become what the database layer writes, with nothing left to decide there: the audit entries in
order, who each step e-mail goes to, whether the change reaches the employee record, and the
event for live views (who could act on the step that closed and on the one that opened). Who
may act on a step is resolved once per step and transition (`Assignments`), from the users and
role links of that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.assignment import Assignment, EmployerStaff, RequestSubject, resolve
from app.domain.definitions import StepConfig, approval_mode
from app.domain.events import EventKind, InstanceChange
from app.domain.workflow import (
    ApplyChange,
    Audit,
    Instance,
    SendNotification,
    SendTaskEmail,
    Transition,
)


@dataclass
class Assignments:
    """Who may act on (or is told of) each step of one request, resolved on first use."""

    instance: Instance
    config: Sequence[StepConfig]
    staff: EmployerStaff | None  # None: not read, because `needs_assignees` said nobody is asked
    subject: RequestSubject
    _resolved: dict[int, Assignment] = field(default_factory=dict)

    def __call__(self, position: int) -> Assignment:
        if position not in self._resolved:
            if self.staff is None:
                raise RuntimeError("who may act was asked of a transition said to ask nobody")
            mode = approval_mode(self.instance.workflow, self.config)
            step = self.config[position - 1]
            self._resolved[position] = resolve(step, self.staff, self.subject, mode=mode)
        return self._resolved[position]


@dataclass(frozen=True)
class StepEmail:
    """E-mail the users of `who` (those with an address) about step `position`."""

    position: int
    step: StepConfig
    who: Assignment


Write = Audit | StepEmail | ApplyChange


@dataclass(frozen=True)
class Outcome:
    instance: Instance  # the request's new state
    moved: bool  # False: a comment only (the audit trail grows; nothing else changes)
    writes: tuple[Write, ...]  # in the order they happen
    event: tuple[EventKind, InstanceChange] | None  # None when the request did not move


def needs_assignees(before: Instance | None, transition: Transition) -> bool:
    """Whether the outcome of `transition` asks who may act on a step: a step open before or
    after (the event names both sides), or a step e-mail. Booking a finished claim into the
    payroll asks nobody, so its staff need not be read."""
    return (
        _open_position(before) is not None
        or _open_position(transition.instance) is not None
        or any(isinstance(e, SendNotification | SendTaskEmail) for e in transition.effects)
    )


def outcome(before: Instance | None, transition: Transition, who: Assignments) -> Outcome:
    """What `transition` of a request that was `before` (None: just submitted) writes."""
    new = transition.instance
    if before is not None and new == before:
        audits = tuple(e for e in transition.effects if isinstance(e, Audit))
        return Outcome(new, moved=False, writes=audits, event=None)
    writes: list[Write] = []
    for effect in transition.effects:
        if isinstance(effect, SendNotification | SendTaskEmail):
            step = who.config[effect.position - 1]
            writes.append(StepEmail(effect.position, step, who(effect.position)))
        else:
            writes.append(effect)
    return Outcome(new, moved=True, writes=tuple(writes), event=_event(before, new, who))


def _open_position(instance: Instance | None) -> int | None:
    step = instance.open_step if instance is not None else None
    return step.position if step is not None else None


def _event(
    before: Instance | None, new: Instance, who: Assignments
) -> tuple[EventKind, InstanceChange]:
    if before is None:
        kind = EventKind.INSTANCE_SUBMITTED
    elif new.status is not before.status:
        kind = EventKind.STATUS_CHANGED
    else:
        kind = EventKind.STEP_MOVED
    open_before, open_now = _open_position(before), _open_position(new)
    closed_for: tuple[int, ...] = ()
    opened_for: tuple[int, ...] = ()
    closed_by = None
    if open_before is not None and open_before != open_now:
        closed_for = tuple(sorted(who(open_before).actors))
        closed_by = new.steps[open_before - 1].actor_id
    if open_now is not None and open_now != open_before:
        opened_for = tuple(sorted(who(open_now).actors))
    change = InstanceChange(
        type=new.workflow.value,
        status=new.status.value,
        previous_status=before.status.value if before is not None else None,
        open_position=open_now,
        previous_open_position=open_before,
        opened_for=opened_for,
        closed_for=closed_for,
        closed_by=closed_by,
    )
    return kind, change
