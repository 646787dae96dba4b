"""The DataLoaders of one request, built in its context (never at module level)."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from app.db import models as m
from app.db.batch_reads import (
    active_products_of_employers,
    departments_of_employers,
    items_of_actions,
    per_instance,
    versions_of_definitions,
)
from app.db.component_sets import sets_of_employers
from app.db.loaders import by_id, by_key, components_of_employers, steps_of_instances
from app.db.queries.definitions import steps_of_versions
from app.db.queries.staff import staff_of_employers
from app.db.scoping import REQUEST_SUBJECTS
from app.domain.authz import Right


class Loaders:
    def __init__(self, context):
        p, run = context.principal, context.scalars
        self.steps = DataLoader(steps_of_versions(p, context))
        self.staff = DataLoader(staff_of_employers(context))  # system read: assignment only
        # per definition, newest first
        self.versions = DataLoader(versions_of_definitions(p, run))
        self.employer = DataLoader(by_id(m.Employer, p, run))
        self.instance = DataLoader(by_id(m.WorkflowInstance, p, run))
        self.task = DataLoader(by_id(m.InstanceStep, p, run))
        self.component = DataLoader(by_id(m.Component, p, run))
        self.request_subject = DataLoader(by_id(m.Employee, p, run, right=REQUEST_SUBJECTS))
        self.expense_claim = DataLoader(by_key(m.ExpenseClaim, m.ExpenseClaim.instance_id, p, run))
        self.instance_steps = DataLoader(
            per_instance(m.InstanceStep, m.InstanceStep.position, p, run)
        )
        self.audit = DataLoader(per_instance(m.AuditEntry, m.AuditEntry.id, p, run))
        # An employee as an ordinary read shows it (VIEW_EMPLOYEES), e.g. in mutation payloads.
        self.employee_for_payload = DataLoader(by_id(m.Employee, p, run))
        self.components_of_employer = DataLoader(components_of_employers(p, run))
        # Sets with all their components (archived too), empty sets as well: for the staff.
        self.component_sets_of_employer = DataLoader(sets_of_employers(p, run))
        self.instance_config = DataLoader(steps_of_instances(p, context))
        self.department = DataLoader(by_id(m.Department, p, run))
        # The people of a collective action, for whoever runs collective actions there.
        self.employee_for_collective = DataLoader(
            by_id(m.Employee, p, run, right=Right.COLLECTIVE_ACTIONS)
        )
        self.action_items = DataLoader(items_of_actions(p, run))
        self.user = DataLoader(by_id(m.User, p, run))
        self.role = DataLoader(by_id(m.Role, p, run))
        self.departments_of_employer = DataLoader(departments_of_employers(p, run))
        self.active_products = DataLoader(active_products_of_employers(p, run))
