"""The Query root: entry points only; each resolver lives in `app/resolvers`."""

from __future__ import annotations

import strawberry

from app.resolvers.employers import employers
from app.resolvers.node import node
from app.resolvers.task_centre import TaskConnection, task_centre
from app.resolvers.viewer import viewer
from app.schema.connection import Connection
from app.schema.types.employer import Employer
from app.schema.types.node import Node
from app.schema.types.viewer import Viewer


@strawberry.type
class Query:
    viewer: Viewer = strawberry.field(resolver=viewer)
    node: Node | None = strawberry.field(resolver=node)
    employers: Connection[Employer] = strawberry.field(resolver=employers)
    task_centre: TaskConnection = strawberry.field(resolver=task_centre)
