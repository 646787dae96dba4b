"""The GraphQL schema. `str(schema)` is what `schema.graphql` holds (`make schema`)."""

from __future__ import annotations

from strawberry.extensions import ParserCache, ValidationCache

from app.schema.error_log import Schema
from app.schema.extensions import (
    CloseReadSession,
    MaskUnexpectedErrors,
    ObserveOperations,
    RateLimitMutations,
)
from app.schema.limits import QueryLimits
from app.schema.mutation import Mutation
from app.schema.query import Query
from app.schema.subscription import Subscription
from app.schema.types.collective import CollectiveAction
from app.schema.types.declaration import Component
from app.schema.types.employee import Employee
from app.schema.types.employer import Department, Employer
from app.schema.types.request import Task, WorkflowInstance
from app.schema.types.user import Role, RoleLink, User
from app.schema.types.workflow import WorkflowDefinition

# Node implementations reachable only through `node(id)` must still be in the schema.
TYPES = [
    Employer,
    Department,
    Employee,
    User,
    Role,
    RoleLink,
    WorkflowDefinition,
    WorkflowInstance,
    Task,
    Component,
    CollectiveAction,
]
# Frontends send the same few documents over and over: parse and validate each once (the caches
# live at module level, shared by the per-request extension instances).
EXTENSIONS = [
    ObserveOperations,
    QueryLimits,  # before the caches, so a cached document is still checked
    lambda: ParserCache(maxsize=512),
    lambda: ValidationCache(maxsize=512),
    CloseReadSession,
    RateLimitMutations,
    MaskUnexpectedErrors,
]
# Expected refusals are logged at INFO without a traceback (app/schema/error_log.py).
schema = Schema(
    query=Query, mutation=Mutation, subscription=Subscription, types=TYPES, extensions=EXTENSIONS
)

__all__ = ["schema"]
