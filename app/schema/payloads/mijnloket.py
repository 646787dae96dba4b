"""Payloads of the MijnLoket mutations."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.collective import CollectiveAction


@strawberry.type
class StartMijnLoketMigrationPayload:
    action: CollectiveAction | None = None
    errors: list[UserError]


@strawberry.type
class ActivateMijnLoketPayload:
    username: str | None = strawberry.field(
        default=None,
        description="The username of the MijnLoket account the employment is now linked to; "
        "for a new account made by the service (never the e-mail address), and also in the "
        "confirmation e-mail.",
    )
    account_created: bool = False
    errors: list[UserError]
