"""The rate of a declaration component (DOMAIN.md section 8, issue 16 point 3): euros per unit.

A claim's amount is the declared value times the component's rate, taken once when the claim is
submitted (`Component.amount`) and stored with the claim; a later rate never changes it.

Decisions:
- Kilometres need a rate (untaxed €0,23, taxed €0,12 per km): without one a kilometre claim
  would have no amount.
- Euro components take no rate: the value an employee declares is the amount.
- Hours and days may have a rate (a homeworking allowance per day) or not (counted, and priced
  by payroll); without one their claims have no amount.
- A rate is 0 or more (0: counted but not paid), with at most 4 decimals (the column's scale),
  and at most €10,00 per kilometre or €1.000,00 per hour or day: a guard against typos such as
  23 for 0,23, not a policy.
- The unit of a component never changes: the values of its claims are counted in it. Another
  unit is another component (add it, archive the old one).
"""

from __future__ import annotations

from decimal import Decimal

from app.domain.errors import DomainError, ErrorCode
from app.domain.validation import Unit

RATE_DECIMALS = 4
# Inclusive upper bound per unit, and its Dutch wording; EUR takes no rate at all.
RATE_MAX: dict[Unit, tuple[Decimal, str]] = {
    Unit.KM: (Decimal("10"), "€ 10,00 per kilometer"),
    Unit.HOURS: (Decimal("1000"), "€ 1.000,00 per uur"),
    Unit.DAYS: (Decimal("1000"), "€ 1.000,00 per dag"),
}
_STEP = Decimal(1).scaleb(-RATE_DECIMALS)  # 0.0001


def _fail(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_VALUE, message, [field])


def _decimal_places(value: Decimal) -> int:
    """Significant decimals, exactly (trailing zeros do not count): 0.2300 has 2."""
    _, digits, exponent = value.as_tuple()  # finite values only: the exponent is an int
    text = "".join(map(str, digits))
    return max(0, -(int(exponent) + len(text) - len(text.rstrip("0"))))


def rate(value: Decimal | None, unit: Unit, field: str = "rate") -> Decimal | None:
    """The rate to store for a component of `unit`, quantised to 4 decimals, or why not."""
    if unit is Unit.EUR:
        if value is not None:
            raise _fail(
                "Een onderdeel in euro's heeft geen tarief: het gedeclareerde bedrag telt.", field
            )
        return None
    if value is None:
        if unit is Unit.KM:
            raise _fail("Vul een tarief per kilometer in, zoals 0,23.", field)
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise _fail("Vul een tarief van 0 of meer in, in euro's per eenheid.", field)
    bound, wording = RATE_MAX[unit]
    if value > bound:
        raise _fail(f"Een tarief is hoogstens {wording}.", field)
    if _decimal_places(value) > RATE_DECIMALS:
        raise _fail(f"Gebruik hoogstens {RATE_DECIMALS} decimalen.", field)
    return value.copy_abs().quantize(_STEP)  # copy_abs: -0 is 0
