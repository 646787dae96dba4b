"""A component's rate (app/domain/component_rates.py): by unit, bounds, decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.component_rates import rate
from app.domain.errors import DomainError, ErrorCode
from app.domain.validation import Unit


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("0.23"), Unit.KM, Decimal("0.2300")),
        (Decimal("0.12"), Unit.KM, Decimal("0.12")),
        (Decimal("-0"), Unit.KM, Decimal("0")),
        (Decimal("10.0000"), Unit.KM, Decimal("10")),
        (3, Unit.DAYS, Decimal("3")),
        (None, Unit.DAYS, None),
        (None, Unit.HOURS, None),
        (Decimal("1000"), Unit.HOURS, Decimal("1000")),
        (None, Unit.EUR, None),
    ],
)
def test_accepted(value, unit, expected):
    assert rate(value, unit) == expected
    if expected is not None:
        assert rate(value, unit).as_tuple().exponent == -4
        assert not rate(value, unit).is_signed()


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (None, Unit.KM),
        (Decimal("0.23"), Unit.EUR),
        (Decimal("0"), Unit.EUR),
        (Decimal("-0.0001"), Unit.KM),
        (Decimal("0.00005"), Unit.KM),
        (Decimal("10.0001"), Unit.KM),
        (Decimal("1000.0001"), Unit.DAYS),
        (Decimal("NaN"), Unit.KM),
        (Decimal("sNaN"), Unit.HOURS),
        (Decimal("-Infinity"), Unit.KM),
        (Decimal("1E+999999999"), Unit.KM),
        (Decimal("1E-999999999"), Unit.KM),
        ("0.23", Unit.KM),
        (True, Unit.KM),
        (0.23, Unit.KM),
    ],
)
def test_refused(value, unit):
    with pytest.raises(DomainError) as refused:
        rate(value, unit, "input.rate")
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_VALUE, ["input.rate"])
