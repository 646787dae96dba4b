"""The references between GraphQL types that would import each other in a circle, defined once:
strawberry resolves each when the schema is built (`strawberry.lazy`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:  # the real types, for type checkers only
    from app.schema.types.declaration import Component, ComponentSet
    from app.schema.types.employee import Employee
    from app.schema.types.employer import Department, Employer
    from app.schema.types.user import Role, RoleLink, User
    from app.schema.types.workflow import WorkflowDefinition

LazyComponent = Annotated["Component", strawberry.lazy("app.schema.types.declaration")]
LazyComponentSet = Annotated["ComponentSet", strawberry.lazy("app.schema.types.declaration")]
LazyDefinition = Annotated["WorkflowDefinition", strawberry.lazy("app.schema.types.workflow")]
LazyDepartment = Annotated["Department", strawberry.lazy("app.schema.types.employer")]
LazyEmployee = Annotated["Employee", strawberry.lazy("app.schema.types.employee")]
LazyEmployer = Annotated["Employer", strawberry.lazy("app.schema.types.employer")]
LazyRole = Annotated["Role", strawberry.lazy("app.schema.types.user")]
LazyRoleLink = Annotated["RoleLink", strawberry.lazy("app.schema.types.user")]
LazyUser = Annotated["User", strawberry.lazy("app.schema.types.user")]
