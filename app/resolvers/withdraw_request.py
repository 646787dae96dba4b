from __future__ import annotations

import strawberry

from app.db import models as m
from app.db.instances import carry_out, to_domain
from app.domain import workflow as engine
from app.domain.errors import DomainError
from app.resolvers.act_on_task import locked_instance
from app.resolvers.common import get_visible, input_pk, write
from app.resolvers.submit_request import SubmitRequestPayload, read_back
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
        row, steps, employee, config = await locked_instance(session, found.id)
        transition = engine.act(to_domain(row, steps), config, engine.Withdraw(principal.user_id))
        await carry_out(session, row, steps, config, transition, employee)
        return row.id

    try:
        instance_id = await write(info, apply)
    except DomainError as error:
        return SubmitRequestPayload(errors=[UserError.of(error)])
    return SubmitRequestPayload(instance=await read_back(info, instance_id), errors=[])
