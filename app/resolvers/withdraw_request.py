from __future__ import annotations

import strawberry

from app.db import models as m
from app.db.instances import apply_action
from app.domain import workflow as engine
from app.domain.errors import DomainError
from app.resolvers.common import get_visible, input_pk, write
from app.resolvers.submit_request import SubmitRequestPayload
from app.schema.errors import UserError


@strawberry.input
class WithdrawRequestInput:
    instance_id: strawberry.ID


async def withdraw_request(
    info: strawberry.Info, input: WithdrawRequestInput
) -> SubmitRequestPayload:
    """Withdraw a request you submitted while it is still in progress (WITHDRAWN). Its open task
    disappears from every task centre."""

    async def apply(session, principal) -> int:
        pk = input_pk(input.instance_id, "WorkflowInstance", "instanceId")
        found = await get_visible(session, principal, m.WorkflowInstance, pk, "instanceId")
        await apply_action(session, found.id, engine.Withdraw(principal.user_id))
        return found.id

    try:
        instance_id = await write(info, apply)
    except DomainError as error:
        return SubmitRequestPayload(errors=[UserError.of(error)])
    instance = await info.context.loaders.instance.load(instance_id)
    return SubmitRequestPayload(instance=instance, errors=[])
