"""Declaration components and component sets (DOMAIN.md section 8, seed 002 §3 and §6).

An employer has components (what can be declared: kilometres untaxed at €0,23, kilometres taxed
at €0,12, fuel costs in euros, days worked from home, hours for on-call workers) grouped in
component sets. One set is the employer's default; an employee can get a deviating set or be
excluded from declaring. A component may carry an employee-friendly label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.domain.errors import DomainError, ErrorCode
from app.domain.validation import Unit


@dataclass(frozen=True)
class Component:
    id: int
    name: str
    unit: Unit
    rate: Decimal | None = None  # euros per unit (kilometres); None: the value is the amount
    label: str | None = None  # what the employee sees in MijnLoket

    @property
    def display_name(self) -> str:
        return self.label or self.name

    def amount(self, value: Decimal) -> Decimal | None:
        """The euro amount a declaration is worth, where the component says so."""
        if self.unit is Unit.EUR:
            return value
        if self.rate is None:
            return None  # hours and days are counted, not paid per unit here
        return (value * self.rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Entitlement:
    """Which set applies to an employee: its own deviating set, else the employer default."""

    excluded: bool
    deviating_set: Sequence[Component] | None
    default_set: Sequence[Component] | None

    def components(self) -> list[Component]:
        if self.excluded:
            return []
        chosen = self.deviating_set if self.deviating_set is not None else self.default_set
        return list(chosen or [])


def declarable(
    entitlement: Entitlement, component_id: int, field: str = "componentId"
) -> Component:
    """The component if this employee may declare it, else why not."""
    if entitlement.excluded:
        raise DomainError(
            ErrorCode.NOT_ALLOWED,
            "U bent uitgesloten van declareren; vraag het uw werkgever.",
            None,
        )
    for component in entitlement.components():
        if component.id == component_id:
            return component
    raise DomainError(
        ErrorCode.COMPONENT_NOT_DECLARABLE,
        "Dit onderdeel kunt u niet declareren; kies een onderdeel uit uw lijst.",
        [field],
    )
