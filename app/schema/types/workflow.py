"""Workflow definitions as the editor shows them: the switch, the versions and their steps."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db.definition_reads import editable_employer, request_subject
from app.db.employer_reads import definition_of
from app.db.queries.definitions import (
    DefinitionView,
    StepView,
    definition_key,
    parse_definition_key,
)
from app.domain.assignment import RequestSubject, emails_per_request
from app.domain.catalogue import WORKFLOW_TYPES, missing_products
from app.domain.definitions import approval_mode
from app.domain.errors import NotFound
from app.schema.enums import (
    ApprovalMode,
    AssigneeKind,
    Product,
    StepKind,
    UserType,
    WorkflowOrigin,
    WorkflowType,
)
from app.schema.ids import decode_id, to_global_id
from app.schema.types.lazy import LazyEmployer, LazyRole, LazyUser
from app.schema.types.node import Node


async def load_definition(ctx, key: str) -> DefinitionView | None:
    """A definition by its key, if the caller may read the employer's workflow editor."""
    parsed = parse_definition_key(key)
    if parsed is None:
        return None
    employer_id, workflow = parsed
    employer = await editable_employer(ctx, ctx.require_principal(), employer_id)
    if employer is None:
        return None
    row = await definition_of(ctx, ctx.principal, employer_id, workflow)
    return DefinitionView(employer, workflow, row)


@strawberry.type(
    description="Who handles a step: a role, a user type, specific users or all users."
)
class StepAssignee:
    kind: AssigneeKind
    user_type: UserType | None
    _role_id: strawberry.Private[int | None]
    _user_ids: strawberry.Private[tuple[int, ...]]

    @strawberry.field
    async def role(self, info: strawberry.Info) -> LazyRole | None:
        return await info.context.loaders.role.load(self._role_id) if self._role_id else None

    @strawberry.field(description="The chosen users (restricted mode); those you may see.")
    async def users(self, info: strawberry.Info) -> list[LazyUser]:
        found = await info.context.loaders.user.load_many(list(self._user_ids))
        return [u for u in found if u is not None]


@strawberry.type(description="One step of a definition version.")
class WorkflowStep:
    position: int = strawberry.field(description="1 to 6, in the order the steps run.")
    kind: StepKind
    name: str
    send_email: bool = strawberry.field(description="Always true for notifications.")
    assignee: StepAssignee

    @classmethod
    def of(cls, view: StepView) -> WorkflowStep:
        c = view.config
        return cls(
            position=view.position,
            kind=c.kind,
            name=c.name,
            send_email=c.send_email,
            assignee=StepAssignee(
                kind=c.assignee.kind,
                user_type=c.assignee.user_type,
                _role_id=c.assignee.role_id,
                _user_ids=c.assignee.user_ids,
            ),
        )


@strawberry.type(description="A saved, immutable configuration of a workflow definition.")
class WorkflowDefinitionVersion:
    version: int
    created_at: dt.datetime

    @strawberry.field
    async def steps(root, info: strawberry.Info) -> list[WorkflowStep]:
        return [WorkflowStep.of(s) for s in await info.context.loaders.steps.load(root.id)]

    @strawberry.field(description="Who saved this version (null if you may not see that user).")
    async def created_by(root, info: strawberry.Info) -> LazyUser | None:
        if root.created_by_id is None:
            return None
        return await info.context.loaders.user.load(root.created_by_id)


@strawberry.type(description="E-mails one request sends at one step.")
class StepEmails:
    position: int
    name: str
    kind: StepKind
    emails: int


async def _versions(info, root: DefinitionView) -> list[m.WorkflowDefinitionVersion]:
    if root.row is None:
        return []
    return await info.context.loaders.versions.load(root.row.id)


async def _current_steps(info, root: DefinitionView) -> list[StepView]:
    versions = await _versions(info, root)
    return await info.context.loaders.steps.load(versions[0].id) if versions else []


async def _subject(info, root, employee_id: strawberry.ID | None) -> RequestSubject | None:
    if employee_id is None:
        return None
    ctx = info.context
    pk = decode_id(employee_id, "Employee")
    employee = None
    if pk is not None:
        employee = await request_subject(ctx, ctx.principal, pk, root.employer.id)
    if employee is None:
        raise NotFound("Werknemer niet gevonden.")
    return RequestSubject(
        employee.department_id, employee.person_id, employee.deviating_approver_id
    )


async def _email_counts(info, root: DefinitionView, employee_id) -> list[tuple[StepView, int]]:
    steps = await _current_steps(info, root)
    if not steps:
        return []
    subject = await _subject(info, root, employee_id)
    staff = await info.context.loaders.staff.load(root.employer.id)
    mode = approval_mode(root.type, [s.config for s in steps])
    counts = emails_per_request([s.config for s in steps], staff, subject, mode=mode)
    return list(zip(steps, counts, strict=True))


_EMAILS_HELP = (
    "From today's users and role links. With `employeeId`, for a request of that employee "
    "(its department, deviating approver, no self-approval); without, department managers of "
    "every department count."
)


@strawberry.type(description="How one workflow type is handled at one employer (editor).")
class WorkflowDefinition(Node):
    @classmethod
    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, DefinitionView)

    @strawberry.field(description="Opaque global ID.")
    def id(root) -> strawberry.ID:
        return strawberry.ID(to_global_id("WorkflowDefinition", root.key))

    @strawberry.field
    def type(root) -> WorkflowType:
        return root.type

    @strawberry.field(description="Dutch name, as in Loket.")
    def display_name(root) -> str:
        return WORKFLOW_TYPES[root.type].display_name

    @strawberry.field(description="Started by the employee in MijnLoket, or in Loket.")
    def origin(root) -> WorkflowOrigin:
        return WORKFLOW_TYPES[root.type].origin

    @strawberry.field
    def employer(root) -> LazyEmployer:
        return root.employer

    @strawberry.field(description="Whether new requests of this type can be submitted.")
    def active(root) -> bool:
        return bool(root.row and root.row.active)

    @strawberry.field(description="Whether the products this workflow needs are active.")
    async def available(root, info: strawberry.Info) -> bool:
        return not await _missing(info, root)

    @strawberry.field(description="Products still to activate before this workflow can be used.")
    async def missing_products(root, info: strawberry.Info) -> list[Product]:
        return await _missing(info, root)

    @strawberry.field(description="The version in force for new requests; null before the first.")
    async def current_version(root, info: strawberry.Info) -> WorkflowDefinitionVersion | None:
        versions = await _versions(info, root)
        return versions[0] if versions else None

    @strawberry.field(description="Every saved version, newest first.")
    async def versions(root, info: strawberry.Info) -> list[WorkflowDefinitionVersion]:
        return await _versions(info, root)

    @strawberry.field(
        description="Expense claims: ALL_USERS (the default) or RESTRICTED (specific users "
        "approve, nobody else). Null for other types."
    )
    async def approval_mode(root, info: strawberry.Info) -> ApprovalMode | None:
        return approval_mode(root.type, [s.config for s in await _current_steps(info, root)])

    @strawberry.field(
        description="E-mails one request sends with the current version. " + _EMAILS_HELP
    )
    async def emails_per_request(
        root, info: strawberry.Info, employee_id: strawberry.ID | None = None
    ) -> int:
        return sum(count for _, count in await _email_counts(info, root, employee_id))

    @strawberry.field(description="`emailsPerRequest` per step. " + _EMAILS_HELP)
    async def email_breakdown(
        root, info: strawberry.Info, employee_id: strawberry.ID | None = None
    ) -> list[StepEmails]:
        return [
            StepEmails(position=s.position, name=s.config.name, kind=s.config.kind, emails=n)
            for s, n in await _email_counts(info, root, employee_id)
        ]


async def _missing(info, root: DefinitionView) -> list[Product]:
    active = await info.context.loaders.active_products.load(root.employer.id)
    return missing_products(root.type, [a.product for a in active])


__all__ = ["WorkflowDefinition", "definition_key", "load_definition"]
