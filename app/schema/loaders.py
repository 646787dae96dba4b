"""The DataLoaders of one request, built in its context (never at module level)."""

from __future__ import annotations

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from app.db import models as m
from app.db.loaders import (
    by_id,
    by_key,
    components_of_employers,
    grouped,
    steps_of_instances,
)
from app.db.queries.definitions import steps_of_versions
from app.db.queries.staff import staff_of_employers
from app.db.scoping import REQUEST_SUBJECTS, restrict
from app.domain.authz import Right


class Loaders:
    def __init__(self, context):
        p, run = context.principal, context.scalars
        self.steps = DataLoader(steps_of_versions(p, context))
        self.staff = DataLoader(staff_of_employers(context))  # system read: assignment only
        self.versions = DataLoader(  # per definition, newest first
            grouped(
                lambda ids: restrict(
                    select(m.WorkflowDefinitionVersion)
                    .where(m.WorkflowDefinitionVersion.definition_id.in_(ids))
                    .order_by(m.WorkflowDefinitionVersion.version.desc()),
                    p,
                    m.WorkflowDefinitionVersion,
                ),
                lambda v: v.definition_id,
                run,
            )
        )
        self.employer = DataLoader(by_id(m.Employer, p, run))
        self.instance = DataLoader(by_id(m.WorkflowInstance, p, run))
        self.task = DataLoader(by_id(m.InstanceStep, p, run))
        self.component = DataLoader(by_id(m.Component, p, run))
        self.request_subject = DataLoader(by_id(m.Employee, p, run, right=REQUEST_SUBJECTS))
        self.expense_claim = DataLoader(by_key(m.ExpenseClaim, m.ExpenseClaim.instance_id, p, run))
        self.instance_steps = DataLoader(
            _per_instance(m.InstanceStep, m.InstanceStep.position, p, run)
        )
        self.audit = DataLoader(_per_instance(m.AuditEntry, m.AuditEntry.id, p, run))
        # An employee as an ordinary read shows it (VIEW_EMPLOYEES), e.g. in mutation payloads.
        self.employee_for_payload = DataLoader(by_id(m.Employee, p, run))
        self.components_of_employer = DataLoader(components_of_employers(p, run))
        self.instance_config = DataLoader(steps_of_instances(p, context))
        self.department = DataLoader(by_id(m.Department, p, run))
        # The people of a collective action, for whoever runs collective actions there.
        self.employee_for_collective = DataLoader(
            by_id(m.Employee, p, run, right=Right.COLLECTIVE_ACTIONS)
        )
        self.action_items = DataLoader(
            grouped(
                lambda ids: restrict(
                    select(m.CollectiveActionItem)
                    .where(m.CollectiveActionItem.action_id.in_(ids))
                    .order_by(m.CollectiveActionItem.action_id, m.CollectiveActionItem.id),
                    p,
                    m.CollectiveActionItem,
                ),
                lambda i: i.action_id,
                run,
            )
        )
        self.user = DataLoader(by_id(m.User, p, run))
        self.role = DataLoader(by_id(m.Role, p, run))
        self.departments_of_employer = DataLoader(
            grouped(
                lambda ids: restrict(
                    select(m.Department)
                    .where(m.Department.employer_id.in_(ids))
                    .order_by(m.Department.name, m.Department.id),
                    p,
                    m.Department,
                ),
                lambda d: d.employer_id,
                run,
            )
        )
        self.active_products = DataLoader(
            grouped(
                lambda ids: restrict(
                    select(m.ProductActivation).where(
                        m.ProductActivation.employer_id.in_(ids), m.ProductActivation.active
                    ),
                    p,
                    m.ProductActivation,
                ),
                lambda a: a.employer_id,
                run,
            )
        )


def _per_instance(model, order, principal, run):
    """Rows of `model` per request (steps, audit entries), in `order`, scoped."""
    return grouped(
        lambda ids: restrict(
            select(model).where(model.instance_id.in_(ids)).order_by(model.instance_id, order),
            principal,
            model,
        ),
        lambda row: row.instance_id,
        run,
    )
