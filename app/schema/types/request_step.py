"""The steps of a request as process management's detail shows them (seed 001): progress,
labels, the configuration from the pinned version, and whom a step waits on."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db.instances import subject_of
from app.db.queries.definitions import StepView
from app.domain.authz import Right
from app.domain.definitions import StepConfig, approval_mode
from app.domain.overview import STEP_STATE_LABELS, action_label, assignee_label, next_action_by
from app.schema.enums import StepAction, StepKind, StepState
from app.schema.types.lazy import LazyUser
from app.schema.types.workflow import WorkflowStep


async def _user(info, user_id: int | None):
    return None if user_id is None else await info.context.loaders.user.load(user_id)


async def _names(info, step: StepConfig, *user_ids: int | None):
    """Role and user names a label of `step` needs, as far as the viewer may see them."""
    loaders = info.context.loaders
    role_names: dict[int, str] = {}
    if step.assignee.role_id is not None:
        role = await loaders.role.load(step.assignee.role_id)
        if role is not None:
            role_names[role.id] = role.name
    wanted = [*step.assignee.user_ids, *(u for u in user_ids if u is not None)]
    users = await loaders.user.load_many(wanted)
    return role_names, {u.id: u.display_name for u in users if u is not None}


async def next_action(info, root: m.WorkflowInstance) -> str | None:
    """Whom the request waits on now (the overview's "next action by")."""
    if root.open_position is None:
        return None
    loaders = info.context.loaders
    by_position = await loaders.instance_config.load(root.id)
    employee = await loaders.request_subject.load(root.employee_id)
    config = [by_position[p] for p in sorted(by_position)]
    if employee is None or len(config) < root.open_position:
        return None
    staff = await loaders.staff.load(root.employer_id)
    step = config[root.open_position - 1]
    role_names, user_names = await _names(info, step, employee.deviating_approver_id)
    return next_action_by(
        step,
        staff,
        subject_of(employee, root),
        mode=approval_mode(root.type, config),
        role_names=role_names,
        user_names=user_names,
    )


@strawberry.type(
    description="The progress of one step of a request, with the step's configuration as it "
    "was in the definition version the request follows (seed 001: the detail per workflow)."
)
class RequestStep:
    position: int
    kind: StepKind
    name: str
    state: StepState
    action: StepAction | None
    comment: str | None
    opened_at: dt.datetime | None
    done_at: dt.datetime | None = strawberry.field(description="When the step was executed.")
    _actor_id: strawberry.Private[int | None]
    _config: strawberry.Private[StepConfig | None]
    _instance: strawberry.Private[m.WorkflowInstance]

    @strawberry.field(description="Who acted on the step; null while open or if you may not see.")
    async def actor(self, info: strawberry.Info) -> LazyUser | None:
        return await _user(info, self._actor_id)

    @strawberry.field(description="Nog doen (to do), Afgerond (done) or Vervallen (cancelled).")
    def state_label(self) -> str:
        return STEP_STATE_LABELS[self.state]

    @strawberry.field(
        description="goedgekeurd, geweigerd, afgerond, geïnformeerd, or 'wacht op actie' while "
        "the step is open; null before the step is reached."
    )
    def action_label(self) -> str | None:
        return action_label(self.state, self.action)

    @strawberry.field(description="The step as configured in the request's definition version.")
    def configuration(self) -> WorkflowStep | None:
        if self._config is None:
            return None
        return WorkflowStep.of(StepView(self.position, self._config))

    @strawberry.field(
        description="The user who acted; for an open step whom it waits on; otherwise the role "
        "or group the step is configured for."
    )
    async def handled_by(self, info: strawberry.Info) -> str | None:
        if self._actor_id is not None:
            user = await _user(info, self._actor_id)
            return user.display_name if user is not None else None
        if self.state is StepState.OPEN and self._instance.open_position == self.position:
            # Whom it waits on right now (a deviating approver, nobody eligible) is process
            # management's to know, as `nextActionBy`; others see nothing for an open step.
            principal = info.context.require_principal()
            if not principal.has_right(Right.PROCESS_MANAGEMENT, self._instance.employer_id):
                return None
            return await next_action(info, self._instance)
        if self._config is None:
            return None
        role_names, user_names = await _names(info, self._config)
        return assignee_label(self._config, role_names=role_names, user_names=user_names)
