"""Read model of workflow definitions: one per employer and type, whether or not a row exists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.db import models as m
from app.db.queries.pagination import INT_RANGE
from app.db.queries.staff import Reader
from app.db.scoping import restrict
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType
from app.domain.definitions import Assignee, AssigneeKind, StepConfig


@dataclass(frozen=True)
class DefinitionView:
    """A workflow type at an employer. `row` is None until the type is first switched on or
    configured; it is then inactive with no versions."""

    employer: m.Employer
    type: WorkflowType
    row: m.WorkflowDefinition | None

    @property
    def key(self) -> str:
        return definition_key(self.employer.id, self.type)


def definition_key(employer_id: int, workflow: WorkflowType) -> str:
    return f"{employer_id}.{workflow.value}"


def parse_definition_key(key: str) -> tuple[int, WorkflowType] | None:
    employer, _, workflow = key.partition(".")
    if not employer.isdigit() or len(employer) > 10 or workflow not in WorkflowType.__members__:
        return None
    # Employer ids are 32-bit: a larger number names no employer, and must not reach the
    # driver (PostgreSQL refuses it with an error, not "not found").
    if int(employer) not in INT_RANGE:
        return None
    return int(employer), WorkflowType(workflow)


@dataclass(frozen=True)
class StepView:
    position: int
    config: StepConfig


def _assignee(row: m.WorkflowStep, user_ids: Sequence[int]) -> Assignee:
    kind = row.assignee_kind
    if kind is AssigneeKind.ROLE:
        assert row.role_id is not None  # a role step names its role (a check constraint)
        return Assignee.role(row.role_id)
    if kind is AssigneeKind.USER_TYPE:
        assert row.user_type is not None
        return Assignee.of_type(row.user_type)
    if kind is AssigneeKind.USERS:
        return Assignee.users(*user_ids)
    if kind is AssigneeKind.ALL_USERS:
        return Assignee.all_users()
    raise KeyError(kind)


def step_config(row: m.WorkflowStep, user_ids: Sequence[int]) -> StepConfig:
    return StepConfig(row.kind, row.name, _assignee(row, user_ids), row.send_email)


def steps_of_versions(
    principal: Principal | None, reader: Reader
) -> Callable[[Sequence[int]], Awaitable[list[list[StepView]]]]:
    """Batch function: the steps of each version, in position order."""

    async def load(version_ids: Sequence[int]) -> list[list[StepView]]:
        rows = await reader.scalars(
            restrict(
                select(m.WorkflowStep)
                .where(m.WorkflowStep.version_id.in_(set(version_ids)))
                .order_by(m.WorkflowStep.version_id, m.WorkflowStep.position),
                principal,
                m.WorkflowStep,
            )
        )
        users: dict[int, list[int]] = {}
        if any(r.assignee_kind is AssigneeKind.USERS for r in rows):
            links = await reader.rows(
                restrict(
                    select(m.WorkflowStepUser.step_id, m.WorkflowStepUser.user_id).where(
                        m.WorkflowStepUser.step_id.in_([r.id for r in rows])
                    ),
                    principal,
                    m.WorkflowStepUser,
                )
            )
            for step_id, user_id in links:
                users.setdefault(step_id, []).append(user_id)
        out: dict[int, list[StepView]] = {v: [] for v in version_ids}
        for r in rows:
            out[r.version_id].append(StepView(r.position, step_config(r, users.get(r.id, []))))
        return [out[v] for v in version_ids]

    return load
