"""The demo's declaration components (seed 002 §3 and §6, DOMAIN.md section 8).

- The employer default set: kilometres untaxed (€0,23/km), kilometres taxed (€0,12/km), fuel
  costs (euros) and days worked from home, each with an employee-friendly label.
- A second set for the on-call workers (oproepkrachten): hours and days worked.
- One employee excluded from declaring; the payroll periods before the demo month are closed.

Idempotent: loading twice gives the same rows.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.domain.validation import Unit

DEFAULT_SET = "Standaard"
ON_CALL_SET = "Oproepkrachten"
# (name, label, unit, rate)
COMPONENTS = {
    DEFAULT_SET: (
        ("Kilometers onbelast", "Zakelijke kilometers", Unit.KM, Decimal("0.23")),
        ("Kilometers belast", "Kilometers (belast)", Unit.KM, Decimal("0.12")),
        ("Brandstofkosten", "Tankbonnetjes", Unit.EUR, None),
        ("Thuiswerkdagen", "Dagen thuisgewerkt", Unit.DAYS, None),
    ),
    ON_CALL_SET: (
        ("Gewerkte uren", "Uren gewerkt", Unit.HOURS, None),
        ("Gewerkte dagen", "Dagen gewerkt", Unit.DAYS, None),
    ),
}
EXCLUDED_FROM_DECLARING = 49  # employee number
CLOSED_PERIODS = tuple(f"2026-{month:02d}" for month in range(1, 11))  # up to October 2026


async def _one(session, model, key: dict, **values):
    row = await session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()
    return row


async def load_demo_components(session: AsyncSession, employer_id: int) -> dict[str, int]:
    """Create or restore the sets; returns set name -> id."""
    sets: dict[str, int] = {}
    # One default per employer (a unique index): another set made the default through the API
    # steps down before the demo's own takes it back.
    for other in await session.scalars(select(m.ComponentSet).filter_by(employer_id=employer_id)):
        other.is_default = False
    await session.flush()
    for name, components in COMPONENTS.items():
        key = {"employer_id": employer_id, "name": name}
        row = await _one(session, m.ComponentSet, key, is_default=name == DEFAULT_SET)
        sets[name] = row.id
        for component, label, unit, rate in components:
            key = {"set_id": row.id, "name": component}
            values = {"label": label, "unit": unit, "rate": rate, "archived_at": None}
            await _one(session, m.Component, key, employer_id=employer_id, **values)
    employees = await session.scalars(select(m.Employee).filter_by(employer_id=employer_id))
    for employee in employees:
        employee.component_set_id = sets[ON_CALL_SET] if employee.is_on_call else None
        employee.excluded_from_declaring = employee.employee_number == EXCLUDED_FROM_DECLARING
    for period in CLOSED_PERIODS:
        await _one(session, m.ClosedPayrollPeriod, {"employer_id": employer_id, "period": period})
    return sets
