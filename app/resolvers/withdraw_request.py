"""Withdrawing a request its submitter no longer wants, while it is in progress."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db.instances import apply_action
from app.db.lookup import visible
from app.db.session import Session
from app.domain import workflow as engine
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.requests import WithdrawRequestInput
from app.schema.payloads.requests import SubmitRequestPayload, request_fields
from app.schema.runner import mutate


@dataclass(frozen=True)
class WithdrawRequest:
    instance_id: str


async def withdraw_request(session: Session, principal: Principal, command: WithdrawRequest) -> int:
    pk = input_pk(command.instance_id, "WorkflowInstance", "instanceId")
    found = await visible(session, principal, m.WorkflowInstance, pk, "instanceId")
    await apply_action(session, found.id, engine.Withdraw(principal.user_id))
    return found.id


async def resolve_withdraw_request(
    info: strawberry.Info, input: WithdrawRequestInput
) -> SubmitRequestPayload:
    """Withdraw a request you submitted while it is still in progress (WITHDRAWN). Its open task
    disappears from every task centre."""
    command = WithdrawRequest(instance_id=input.instance_id)
    return await mutate(info, withdraw_request, command, SubmitRequestPayload, request_fields(info))
