"""Component sets: default, deviating, excluded; amounts by rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.components import Component, Entitlement, declarable
from app.domain.errors import DomainError, ErrorCode
from app.domain.validation import Unit

KM_UNTAXED = Component(1, "Km onbelast", Unit.KM, Decimal("0.23"), label="Kilometers woon-werk")
KM_TAXED = Component(2, "Km belast", Unit.KM, Decimal("0.12"))
FUEL = Component(3, "Tankkosten", Unit.EUR)
HOME = Component(4, "Dgn thuiswerk", Unit.DAYS)
HOURS = Component(5, "Gewerkte uren", Unit.HOURS)
DEFAULT = [KM_UNTAXED, KM_TAXED, FUEL, HOME]
ON_CALL = [HOURS, HOME]


def test_amounts_follow_the_rate():
    assert KM_UNTAXED.amount(Decimal("42")) == Decimal("9.66")
    assert KM_TAXED.amount(Decimal("12.5")) == Decimal("1.50")
    assert FUEL.amount(Decimal("61.20")) == Decimal("61.20")
    assert HOME.amount(Decimal("3")) is None


def test_labels_for_employees():
    assert KM_UNTAXED.display_name == "Kilometers woon-werk"
    assert FUEL.display_name == "Tankkosten"


def test_default_deviating_and_excluded():
    regular = Entitlement(excluded=False, deviating_set=None, default_set=DEFAULT)
    on_call = Entitlement(excluded=False, deviating_set=ON_CALL, default_set=DEFAULT)
    excluded = Entitlement(excluded=True, deviating_set=ON_CALL, default_set=DEFAULT)
    assert regular.components() == DEFAULT
    assert on_call.components() == ON_CALL
    assert excluded.components() == []
    assert declarable(on_call, 5) is HOURS
    with pytest.raises(DomainError) as not_in_set:
        declarable(on_call, 1)
    assert (not_in_set.value.code, not_in_set.value.field) == (
        ErrorCode.COMPONENT_NOT_DECLARABLE,
        ["componentId"],
    )
    with pytest.raises(DomainError) as refused:
        declarable(excluded, 5)
    assert refused.value.code is ErrorCode.NOT_ALLOWED
    assert Entitlement(False, None, None).components() == []
