"""MijnLoket variant derivation and product rules, without a database."""

from __future__ import annotations

import pytest

from app.domain.catalogue import (
    MIJNLOKET_FEATURES,
    PRODUCT_NAMES,
    MijnLoketVariant,
    Product,
    activation_blockers,
    deactivation_blockers,
    derive_variant,
)
from app.domain.errors import ErrorCode

P = Product
START_ONLY = [
    P.MIJNLOKET_DOCUMENTS,
    P.MIJNLOKET_LEAVE_CARD,
    P.MIJNLOKET_VIEW_PERSONAL_DATA,
    P.MIJNLOKET_COMPARE_INSURANCE,
]
PLUS = [
    P.MIJNLOKET_EXPENSE_CLAIMS,
    P.MIJNLOKET_CHANGE_PERSONAL_DATA,
    P.MIJNLOKET_LEAVE_REQUESTS,
    P.MIJNLOKET_LEAVE_CALENDAR,
    P.MIJNLOKET_SALARY_CALCULATOR,
]
PRO = [
    P.MIJNLOKET_ASSISTANT,
    P.MIJNLOKET_PREBOARDING,
    P.MIJNLOKET_ASSISTANT_COMPANY_RULES,
    P.MANAGEMENT_SELF_SERVICE,
]
NEUTRAL = [
    P.WORKFLOW_EDITOR,
    P.QWOATER_LITE,
    P.QWOATER_EXTENDED,
    P.LEAVE_REGISTRATION,
    P.LEAVE_SCHEME,
]


def test_every_product_has_a_dutch_name_and_a_class():
    assert set(PRODUCT_NAMES) == set(Product)
    assert {P.MIJNLOKET, *START_ONLY, *PLUS, *PRO, *NEUTRAL} == set(Product)


def test_no_mijnloket_means_no_variant():
    assert derive_variant([]) is MijnLoketVariant.NONE
    assert derive_variant([*PLUS, *PRO]) is MijnLoketVariant.NONE


@pytest.mark.parametrize("product", START_ONLY + NEUTRAL)
def test_start_stays_start(product):
    assert derive_variant([P.MIJNLOKET, *START_ONLY, product]) is MijnLoketVariant.START


@pytest.mark.parametrize("product", PLUS)
def test_plus_products(product):
    assert derive_variant([P.MIJNLOKET, *START_ONLY, *NEUTRAL, product]) is MijnLoketVariant.PLUS


@pytest.mark.parametrize("product", PRO)
def test_pro_products_win_over_plus(product):
    assert derive_variant([P.MIJNLOKET, *PLUS, product]) is MijnLoketVariant.PRO


def test_seed_003_example_leave_requests_then_preboarding():
    active = {P.MIJNLOKET, P.MIJNLOKET_LEAVE_REQUESTS}
    assert derive_variant(active) is MijnLoketVariant.PLUS
    assert derive_variant(active | {P.MIJNLOKET_PREBOARDING}) is MijnLoketVariant.PRO


def test_addendum_and_dependency_rules():
    error = activation_blockers(P.MIJNLOKET, set(), addendum_signed=False)
    assert error.code is ErrorCode.ADDENDUM_REQUIRED
    assert activation_blockers(P.MIJNLOKET, set(), addendum_signed=True) is None
    for feature in MIJNLOKET_FEATURES:
        assert activation_blockers(feature, set(), addendum_signed=True).code is (
            ErrorCode.PRODUCT_REQUIRED
        )
        assert activation_blockers(feature, {P.MIJNLOKET}, addendum_signed=True) is None
    # Management Self Service and the neutral products are not MijnLoket features.
    assert activation_blockers(P.MANAGEMENT_SELF_SERVICE, set(), addendum_signed=False) is None
    assert deactivation_blockers(P.MIJNLOKET, {P.MIJNLOKET}) is None
    blocked = deactivation_blockers(P.MIJNLOKET, {P.MIJNLOKET, P.MIJNLOKET_DOCUMENTS})
    assert blocked.code is ErrorCode.PRODUCT_IN_USE and "Documenten" in blocked.message
