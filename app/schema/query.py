"""The Query root: entry points only; each resolver lives in `app/resolvers`."""

from __future__ import annotations

import strawberry

from app.domain.authz import Right
from app.resolvers.activate_mijnloket import resolve_mijn_loket_activation
from app.resolvers.employers import employers
from app.resolvers.mijnloket_migration import (
    resolve_message_centre,
    resolve_mijn_loket_migration_candidates,
)
from app.resolvers.node import node
from app.resolvers.outbox_emails import outbox_emails
from app.resolvers.process_overview import process_overview
from app.resolvers.task_centre import task_centre
from app.resolvers.viewer import viewer
from app.schema.connection import Connection
from app.schema.permissions import (
    COLLECTIVE,
    PROCESS_OVERVIEW,
    HasRight,
    NotDepartmentManager,
    argument_employer,
    described,
    secured,
)
from app.schema.types.collective import CollectiveAction, MigrationCandidate, MijnLoketActivation
from app.schema.types.employer import Employer
from app.schema.types.node import Node
from app.schema.types.outbox import OutboxEmail
from app.schema.types.overview import WorkflowInstanceConnection
from app.schema.types.task_centre import TaskConnection
from app.schema.types.viewer import Viewer

_COLLECTIVE = secured(*COLLECTIVE)
_OUTBOX = (
    NotDepartmentManager("Afdelingsmanagers zien de e-mails van de werkgever niet."),
    HasRight((Right.PROCESS_MANAGEMENT,), argument_employer()),
)


@strawberry.type
class Query:
    viewer: Viewer = strawberry.field(resolver=viewer, description=viewer.__doc__)
    node: Node | None = strawberry.field(resolver=node, description=node.__doc__)
    employers: Connection[Employer] = strawberry.field(
        resolver=employers, description=employers.__doc__
    )
    task_centre: TaskConnection = strawberry.field(
        resolver=task_centre, description=task_centre.__doc__
    )
    process_overview: WorkflowInstanceConnection = strawberry.field(
        resolver=process_overview,
        extensions=secured(PROCESS_OVERVIEW),
        description=described(process_overview.__doc__, [PROCESS_OVERVIEW]),
    )
    outbox_emails: Connection[OutboxEmail] = strawberry.field(
        resolver=outbox_emails,
        extensions=secured(*_OUTBOX),
        description=described(outbox_emails.__doc__, _OUTBOX, joined=True),
    )
    mijn_loket_migration_candidates: list[MigrationCandidate] = strawberry.field(
        resolver=resolve_mijn_loket_migration_candidates,
        extensions=_COLLECTIVE,
        description=described(
            resolve_mijn_loket_migration_candidates.__doc__, COLLECTIVE, joined=True
        ),
    )
    message_centre: Connection[CollectiveAction] = strawberry.field(
        resolver=resolve_message_centre,
        extensions=_COLLECTIVE,
        description=described(resolve_message_centre.__doc__, COLLECTIVE, joined=True),
    )
    mijn_loket_activation: MijnLoketActivation = strawberry.field(
        resolver=resolve_mijn_loket_activation,
        description=f"{resolve_mijn_loket_activation.__doc__}\n\nNo sign-in needed: the link "
        "is the key.",
    )
