"""Payroll periods an employer has closed: nothing is declared or booked into them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain import validation
from app.domain.validation import PayrollPeriod


async def open_period(
    session: AsyncSession, employer_id: int, text: str, field: str = "payrollPeriod"
) -> PayrollPeriod:
    """`text` as a payroll period that is well-formed and still open at the employer."""
    period = validation.payroll_period(text, field)
    closed = await session.scalars(
        select(m.ClosedPayrollPeriod.period).where(m.ClosedPayrollPeriod.employer_id == employer_id)
    )
    return validation.ensure_period_open(
        period, {validation.payroll_period(p) for p in closed}, field
    )
