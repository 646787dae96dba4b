"""Requests (workflow instances), their steps, tasks, audit trail and declarations."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db.instances import assignment
from app.domain import authz
from app.domain.authz import Right
from app.domain.catalogue import WORKFLOW_TYPES
from app.domain.changes import describe
from app.domain.workflow import STATUS_LABELS
from app.schema.enums import AuditKind, StepKind, StepState, WorkflowStatus
from app.schema.enums import WorkflowType as WorkflowTypeEnum
from app.schema.permissions import right
from app.schema.types.declaration import ExpenseClaim
from app.schema.types.lazy import LazyEmployee, LazyEmployer, LazyUser
from app.schema.types.node import Node, global_id, rows_of
from app.schema.types.request_step import RequestStep, next_action


@strawberry.type(description="One requested change, labelled in Dutch.")
class ChangeDetail:
    label: str
    value: str


@strawberry.type(description="Who did what, when, at which step: the immutable audit trail.")
class AuditEntry:
    kind: AuditKind
    at: dt.datetime
    position: int | None = strawberry.field(description="The step, if the entry is about one.")
    comment: str | None
    _actor_id: strawberry.Private[int | None]

    @strawberry.field(description="Null for the system, or a user you may not see.")
    async def actor(self, info: strawberry.Info) -> LazyUser | None:
        return await _user(info, self._actor_id)


async def _user(info, user_id: int | None):
    return None if user_id is None else await info.context.loaders.user.load(user_id)


@strawberry.type(
    description="A request (workflow instance), following the definition version "
    "in force when it was submitted."
)
class WorkflowInstance(Node):
    id: strawberry.ID = global_id("WorkflowInstance")
    submitted_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    is_type_of = rows_of(m.WorkflowInstance)

    @strawberry.field
    def type(root) -> WorkflowTypeEnum:
        return root.type

    @strawberry.field(description="The Dutch name of the process.")
    def display_name(root) -> str:
        return WORKFLOW_TYPES[root.type].display_name

    @strawberry.field
    def status(root) -> WorkflowStatus:
        return root.status

    @strawberry.field(description="The status in Dutch, as screens show it.")
    def status_label(root) -> str:
        return STATUS_LABELS[root.status]

    @strawberry.field
    async def employer(root, info: strawberry.Info) -> LazyEmployer | None:
        return await info.context.loaders.employer.load(root.employer_id)

    @strawberry.field(
        extensions=right(Right.PROCESS_MANAGEMENT),
        description="Whom the open step waits on, as process management shows it: the role or "
        "group it is configured for, the deviating approver who takes it over, or nobody "
        "eligible. Null when nothing is open. Requires the right PROCESS_MANAGEMENT at the "
        "employer.",
    )
    async def next_action_by(root, info: strawberry.Info) -> str | None:
        return await next_action(info, root)

    @strawberry.field(description="The employee the request is about.")
    async def employee(root, info: strawberry.Info) -> LazyEmployee:
        return await info.context.loaders.request_subject.load(root.employee_id)

    @strawberry.field(description="Who submitted it; null if you may not see that user.")
    async def submitter(root, info: strawberry.Info) -> LazyUser | None:
        return await _user(info, root.submitter_id)

    @strawberry.field(description="The declaration; null for other request types.")
    async def expense_claim(root, info: strawberry.Info) -> ExpenseClaim | None:
        row = await info.context.loaders.expense_claim.load(root.id)
        return ExpenseClaim.of(row) if row else None

    @strawberry.field(
        description="What the request changes, in Dutch labels (update workflows). A new IBAN "
        "is masked unless you may see the employee's IBAN (never for department managers); a "
        "new private e-mail address that is also the employee's MijnLoket address shows as "
        "'(afgeschermd)' unless you may see that address."
    )
    async def requested_change(root, info: strawberry.Info) -> list[ChangeDetail]:
        show_iban = show_private_email = True
        change = root.change or {}
        if "iban" in change or change.get("private_email"):
            principal = info.context.principal
            employee = await info.context.loaders.request_subject.load(root.employee_id)
            if employee is None:
                show_iban = show_private_email = False
            else:
                show_iban = authz.may_see_financial_identity(
                    principal, root.employer_id, employee.person_id
                )
                show_private_email = authz.may_see_private_email(
                    principal,
                    root.employer_id,
                    employee.person_id,
                    change.get("private_email"),
                    employee.mijnloket_email,
                )
        pairs = describe(change, show_iban=show_iban, show_private_email=show_private_email)
        return [ChangeDetail(label=k, value=v) for k, v in pairs]

    @strawberry.field(description="Every step, in order, with its progress.")
    async def steps(root, info: strawberry.Info) -> list[RequestStep]:
        rows = await info.context.loaders.instance_steps.load(root.id)
        config = await info.context.loaders.instance_config.load(root.id)
        return [
            RequestStep(
                position=r.position,
                kind=r.kind,
                name=config[r.position].name if r.position in config else "",
                state=r.state,
                action=r.action,
                comment=r.comment,
                opened_at=r.opened_at,
                done_at=r.done_at,
                _actor_id=r.actor_id,
                _config=config.get(r.position),
                _instance=root,
            )
            for r in rows
        ]

    @strawberry.field(
        extensions=right(Right.PROCESS_MANAGEMENT),
        description="True when the open step has nobody who may act on it: its only candidates "
        "are the employee itself and no deviating approver is set. Never approved silently; "
        "fix the workflow's assignees or set a deviating approver. Requires the right "
        "PROCESS_MANAGEMENT at the employer.",
    )
    async def no_eligible_assignee(root, info: strawberry.Info) -> bool:
        if root.open_position is None:
            return False
        loaders = info.context.loaders
        by_position = await loaders.instance_config.load(root.id)
        employee = await loaders.request_subject.load(root.employee_id)
        staff = await loaders.staff.load(root.employer_id)
        config = [by_position[p] for p in sorted(by_position)]
        if employee is None or len(config) < root.open_position:
            return False
        return assignment(root, config, root.open_position, staff, employee).no_eligible_assignee

    @strawberry.field(description="The open task or approval, if the request waits on one.")
    async def open_task(root, info: strawberry.Info) -> Task | None:
        if root.open_position is None:
            return None
        rows = await info.context.loaders.instance_steps.load(root.id)
        return next((r for r in rows if r.position == root.open_position), None)

    @strawberry.field(
        description="Every submission, step, e-mail, action and comment, oldest first."
    )
    async def audit_trail(root, info: strawberry.Info) -> list[AuditEntry]:
        rows = await info.context.loaders.audit.load(root.id)
        return [
            AuditEntry(
                kind=r.kind, at=r.at, position=r.position, comment=r.comment, _actor_id=r.actor_id
            )
            for r in rows
        ]


@strawberry.type(description="A step of a request that waits for an action (task centre).")
class Task(Node):
    id: strawberry.ID = global_id("Task")
    position: int
    opened_at: dt.datetime | None
    is_type_of = rows_of(m.InstanceStep)

    @strawberry.field
    def kind(root) -> StepKind:
        return root.kind

    @strawberry.field(description="OPEN while it waits; DONE or CANCELLED afterwards.")
    def state(root) -> StepState:
        return root.state

    @strawberry.field(description="The step's name from the request's definition version.")
    async def name(root, info: strawberry.Info) -> str:
        config = await info.context.loaders.instance_config.load(root.instance_id)
        return config[root.position].name if root.position in config else ""

    @strawberry.field
    async def instance(root, info: strawberry.Info) -> WorkflowInstance:
        return await info.context.loaders.instance.load(root.instance_id)
