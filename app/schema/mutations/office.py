"""Running an office: its employers, departments, users and employees, and the component
sets of declarations (issue 16)."""

from __future__ import annotations

import strawberry

from app.db import models as m
from app.domain.authz import Right as R
from app.resolvers.add_component import resolve_add_component
from app.resolvers.archive_component import resolve_archive_component
from app.resolvers.create_component_set import resolve_create_component_set
from app.resolvers.create_department import resolve_create_department
from app.resolvers.create_employer import resolve_create_employer
from app.resolvers.create_user import resolve_create_user
from app.resolvers.deactivate_user import resolve_deactivate_user
from app.resolvers.import_employees import NOT_FOR_MANAGERS as NOT_IMPORTING_MANAGERS
from app.resolvers.import_employees import resolve_import_employees
from app.resolvers.rename_department import resolve_rename_department
from app.resolvers.set_default_component_set import resolve_set_default_component_set
from app.resolvers.set_department_managers import resolve_set_department_managers
from app.resolvers.set_mijn_loket_addendum import resolve_set_mijn_loket_addendum
from app.resolvers.update_component import resolve_update_component
from app.resolvers.update_component_set import resolve_update_component_set
from app.resolvers.update_employer import resolve_update_employer
from app.resolvers.update_user import resolve_update_user
from app.resolvers.upsert_employee import NOT_FOR_MANAGERS, resolve_upsert_employee
from app.schema.mutations.common import (
    EDITORS_ONLY,
    mutation_field,
)
from app.schema.payloads.components import ComponentPayload, ComponentSetPayload
from app.schema.payloads.employees import ImportEmployeesPayload, UpsertEmployeePayload
from app.schema.payloads.office import (
    DepartmentPayload,
    EmployerPayload,
    SetMijnLoketAddendumPayload,
)
from app.schema.payloads.rights import UserPayload
from app.schema.permissions import (
    PROVIDER_LEVEL,
    NotDepartmentManager,
    input_employer,
    input_employer_or_provider,
    input_object,
)
from app.schema.user_at import input_user

_WHERE_THE_USER_BELONGS = (
    " Where the user belongs: at its employer for employer users and department managers, at"
    " provider level for provider users."
)


@strawberry.type
class UserMutation:
    create_user: UserPayload = mutation_field(
        resolve_create_user,
        R.MANAGE_USERS,
        at=input_employer_or_provider(),
    )
    update_user: UserPayload = mutation_field(
        resolve_update_user, R.MANAGE_USERS, at=input_user(), note=_WHERE_THE_USER_BELONGS
    )
    deactivate_user: UserPayload = mutation_field(
        resolve_deactivate_user, R.MANAGE_USERS, at=input_user(), note=_WHERE_THE_USER_BELONGS
    )


# Component sets and their components: part of configuring the expense-claim workflow, like
# `setComponentLabel` (MANAGE_WORKFLOW_EDITOR at the employer, never department managers).
_COMPONENT_SET = input_object(m.ComponentSet, "ComponentSet", "component_set_id", "Componentenset")
_COMPONENT = input_object(m.Component, "Component", "component_id", "Component")


@strawberry.type
class ComponentSetMutation:
    create_component_set: ComponentSetPayload = mutation_field(
        resolve_create_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_employer(),
        also=EDITORS_ONLY,
    )
    update_component_set: ComponentSetPayload = mutation_field(
        resolve_update_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=_COMPONENT_SET,
        also=EDITORS_ONLY,
    )
    set_default_component_set: ComponentSetPayload = mutation_field(
        resolve_set_default_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=_COMPONENT_SET,
        also=EDITORS_ONLY,
    )
    add_component: ComponentPayload = mutation_field(
        resolve_add_component, R.MANAGE_WORKFLOW_EDITOR, at=_COMPONENT_SET, also=EDITORS_ONLY
    )
    update_component: ComponentPayload = mutation_field(
        resolve_update_component, R.MANAGE_WORKFLOW_EDITOR, at=_COMPONENT, also=EDITORS_ONLY
    )
    archive_component: ComponentPayload = mutation_field(
        resolve_archive_component, R.MANAGE_WORKFLOW_EDITOR, at=_COMPONENT, also=EDITORS_ONLY
    )


@strawberry.type
class OfficeMutation:
    """The office's set-up (issue 16): its employers, their departments and department
    managers, and the signed MijnLoket addendum."""

    create_employer: EmployerPayload = mutation_field(
        resolve_create_employer, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    update_employer: EmployerPayload = mutation_field(
        resolve_update_employer, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    create_department: DepartmentPayload = mutation_field(
        resolve_create_department, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    rename_department: DepartmentPayload = mutation_field(
        resolve_rename_department, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    set_department_managers: DepartmentPayload = mutation_field(
        resolve_set_department_managers,
        R.MANAGE_USERS,
        at=input_object(m.Department, "Department", "department_id", "Afdeling"),
        also=(NotDepartmentManager("Afdelingsmanagers wijzigen geen afdelingsmanagers."),),
    )
    set_mijn_loket_addendum: SetMijnLoketAddendumPayload = mutation_field(
        resolve_set_mijn_loket_addendum, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )


@strawberry.type
class EmployeeMutation:
    """An employer's employees (issue 16): one by one, or from an .xlsx file."""

    upsert_employee: UpsertEmployeePayload = mutation_field(
        resolve_upsert_employee,
        R.MANAGE_EMPLOYEES,
        at=input_employer(),
        also=(NotDepartmentManager(NOT_FOR_MANAGERS),),
    )
    import_employees: ImportEmployeesPayload = mutation_field(
        resolve_import_employees,
        R.MANAGE_EMPLOYEES,
        at=input_employer(),
        also=(NotDepartmentManager(NOT_IMPORTING_MANAGERS),),
    )
