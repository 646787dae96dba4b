"""Administration of the office's configuration: products, roles, rights, the workflow editor,
the MijnLoket migration."""

from __future__ import annotations

import strawberry

from app.db import models as m
from app.domain.authz import Right as R
from app.resolvers.activate_mijnloket import resolve_activate_mijn_loket
from app.resolvers.create_role import resolve_create_role
from app.resolvers.delete_role import resolve_delete_role
from app.resolvers.grant_right import resolve_grant_right
from app.resolvers.link_role import resolve_link_role
from app.resolvers.manage_components import (
    resolve_set_component_label,
    resolve_set_employee_component_set,
)
from app.resolvers.mijnloket_migration import resolve_start_mijn_loket_migration
from app.resolvers.rename_role import resolve_rename_role
from app.resolvers.revoke_right import resolve_revoke_right
from app.resolvers.set_deviating_approver import resolve_set_deviating_approver
from app.resolvers.set_product_active import resolve_set_product_active
from app.resolvers.set_workflow_active import resolve_set_workflow_active
from app.resolvers.unlink_role import resolve_unlink_role
from app.resolvers.update_workflow_steps import resolve_update_workflow_steps
from app.schema.mutations.common import (
    EDITORS_ONLY,
    EMPLOYEE_FOR_EDITORS,
    mutation_field,
)
from app.schema.payloads.components import ComponentPayload
from app.schema.payloads.employees import EmployeePayload
from app.schema.payloads.mijnloket import ActivateMijnLoketPayload, StartMijnLoketMigrationPayload
from app.schema.payloads.products import SetProductActivePayload
from app.schema.payloads.rights import UserPayload
from app.schema.payloads.roles import (
    DeleteRolePayload,
    RoleLinkPayload,
    RolePayload,
    UnlinkRolePayload,
)
from app.schema.payloads.workflows import WorkflowDefinitionPayload
from app.schema.permissions import (
    PROVIDER_LEVEL,
    NotDepartmentManager,
    input_definition_employer,
    input_employer,
    input_employer_or_provider,
    input_object,
)


@strawberry.type
class AdminMutation:
    set_product_active: SetProductActivePayload = mutation_field(
        resolve_set_product_active, R.MANAGE_PRODUCTS, at=input_employer()
    )
    create_role: RolePayload = mutation_field(
        resolve_create_role, R.MANAGE_ROLES, at=PROVIDER_LEVEL
    )
    rename_role: RolePayload = mutation_field(
        resolve_rename_role, R.MANAGE_ROLES, at=PROVIDER_LEVEL
    )
    delete_role: DeleteRolePayload = mutation_field(
        resolve_delete_role, R.MANAGE_ROLES, at=PROVIDER_LEVEL
    )
    link_role: RoleLinkPayload = mutation_field(
        resolve_link_role, R.MANAGE_USERS, at=input_employer()
    )
    unlink_role: UnlinkRolePayload = mutation_field(
        resolve_unlink_role,
        R.MANAGE_USERS,
        at=input_object(m.RoleLink, "RoleLink", "role_link_id", "Rolkoppeling"),
    )
    grant_right: UserPayload = mutation_field(
        resolve_grant_right,
        R.MANAGE_USERS,
        at=input_employer_or_provider(),
    )
    revoke_right: UserPayload = mutation_field(
        resolve_revoke_right,
        R.MANAGE_USERS,
        at=input_employer_or_provider(),
    )
    set_deviating_approver: EmployeePayload = mutation_field(
        resolve_set_deviating_approver,
        R.MANAGE_WORKFLOW_EDITOR,
        at=EMPLOYEE_FOR_EDITORS,
        also=EDITORS_ONLY,
    )
    set_workflow_active: WorkflowDefinitionPayload = mutation_field(
        resolve_set_workflow_active,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_employer(),
        also=EDITORS_ONLY,
    )
    set_employee_component_set: EmployeePayload = mutation_field(
        resolve_set_employee_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=EMPLOYEE_FOR_EDITORS,
        also=EDITORS_ONLY,
    )
    set_component_label: ComponentPayload = mutation_field(
        resolve_set_component_label,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_object(m.Component, "Component", "component_id", "Component"),
        also=EDITORS_ONLY,
    )
    start_mijn_loket_migration: StartMijnLoketMigrationPayload = mutation_field(
        resolve_start_mijn_loket_migration,
        R.COLLECTIVE_ACTIONS,
        at=input_employer(),
        also=(NotDepartmentManager("Collectieve acties zijn er niet voor afdelingsmanagers."),),
    )
    activate_mijn_loket: ActivateMijnLoketPayload = strawberry.mutation(
        resolver=resolve_activate_mijn_loket,
        description=f"{resolve_activate_mijn_loket.__doc__.strip()}\n\nNo sign-in needed to "
        "register (the link is the key); linking needs the existing MijnLoket account signed in.",
    )
    update_workflow_steps: WorkflowDefinitionPayload = mutation_field(
        resolve_update_workflow_steps,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_definition_employer(),
        also=EDITORS_ONLY,
    )
