"""Products and the MijnLoket variant (DOMAIN.md section 2, seed 003).

The variant is derived from the active products, never stored or set. MijnLoket itself needs
the provider's signed addendum; the MijnLoket sub-products need MijnLoket (decision: they are
features of it, so without it they would have nowhere to appear).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum

from app.domain.errors import DomainError, ErrorCode


class Product(StrEnum):
    MIJNLOKET = "MIJNLOKET"
    MIJNLOKET_DOCUMENTS = "MIJNLOKET_DOCUMENTS"
    MIJNLOKET_LEAVE_CARD = "MIJNLOKET_LEAVE_CARD"
    MIJNLOKET_VIEW_PERSONAL_DATA = "MIJNLOKET_VIEW_PERSONAL_DATA"
    MIJNLOKET_COMPARE_INSURANCE = "MIJNLOKET_COMPARE_INSURANCE"
    MIJNLOKET_EXPENSE_CLAIMS = "MIJNLOKET_EXPENSE_CLAIMS"
    MIJNLOKET_CHANGE_PERSONAL_DATA = "MIJNLOKET_CHANGE_PERSONAL_DATA"
    MIJNLOKET_LEAVE_REQUESTS = "MIJNLOKET_LEAVE_REQUESTS"
    MIJNLOKET_LEAVE_CALENDAR = "MIJNLOKET_LEAVE_CALENDAR"
    MIJNLOKET_SALARY_CALCULATOR = "MIJNLOKET_SALARY_CALCULATOR"
    MIJNLOKET_ASSISTANT = "MIJNLOKET_ASSISTANT"
    MIJNLOKET_PREBOARDING = "MIJNLOKET_PREBOARDING"
    MIJNLOKET_ASSISTANT_COMPANY_RULES = "MIJNLOKET_ASSISTANT_COMPANY_RULES"
    MANAGEMENT_SELF_SERVICE = "MANAGEMENT_SELF_SERVICE"
    WORKFLOW_EDITOR = "WORKFLOW_EDITOR"
    QWOATER_LITE = "QWOATER_LITE"
    QWOATER_EXTENDED = "QWOATER_EXTENDED"
    LEAVE_REGISTRATION = "LEAVE_REGISTRATION"
    LEAVE_SCHEME = "LEAVE_SCHEME"


class MijnLoketVariant(Enum):
    # Ordered: a higher value includes what the lower ones offer.
    NONE = 0
    START = 1
    PLUS = 2
    PRO = 3


PRODUCT_NAMES: dict[Product, str] = {
    Product.MIJNLOKET: "MijnLoket",
    Product.MIJNLOKET_DOCUMENTS: "MijnLoket - Documenten",
    Product.MIJNLOKET_LEAVE_CARD: "MijnLoket - Verlofkaart",
    Product.MIJNLOKET_VIEW_PERSONAL_DATA: "MijnLoket - Persoonsgegevens inzien",
    Product.MIJNLOKET_COMPARE_INSURANCE: "MijnLoket - Verzekeringen vergelijken",
    Product.MIJNLOKET_EXPENSE_CLAIMS: "MijnLoket - Declaraties",
    Product.MIJNLOKET_CHANGE_PERSONAL_DATA: "MijnLoket - Persoonsgegevens wijzigen",
    Product.MIJNLOKET_LEAVE_REQUESTS: "MijnLoket - Verlofaanvragen",
    Product.MIJNLOKET_LEAVE_CALENDAR: "MijnLoket - Verlofkalender",
    Product.MIJNLOKET_SALARY_CALCULATOR: "MijnLoket - Salaris berekenen",
    Product.MIJNLOKET_ASSISTANT: "MijnLoket - Assistent",
    Product.MIJNLOKET_PREBOARDING: "MijnLoket - Preboarding",
    Product.MIJNLOKET_ASSISTANT_COMPANY_RULES: "MijnLoket - Assistent bedrijfsregelingen",
    Product.MANAGEMENT_SELF_SERVICE: "Management Self Service",
    Product.WORKFLOW_EDITOR: "Workflow Editor",
    Product.QWOATER_LITE: "Dossiervorming Qwoater Lite",
    Product.QWOATER_EXTENDED: "Dossiervorming Qwoater Extended",
    Product.LEAVE_REGISTRATION: "Verlofregistratie",
    Product.LEAVE_SCHEME: "Verlofregeling",
}

VARIANT_NAMES: dict[MijnLoketVariant, str] = {
    MijnLoketVariant.NONE: "Geen MijnLoket",
    MijnLoketVariant.START: "MijnLoket Start",
    MijnLoketVariant.PLUS: "MijnLoket Plus",
    MijnLoketVariant.PRO: "MijnLoket Pro",
}

# Products that lift the variant to at least the given level (seed 003). Products not listed
# (Documenten, Verlofkaart, ..., Workflow Editor, Qwoater, Verlof*) leave it where it is.
_LIFTS_TO: dict[Product, MijnLoketVariant] = {
    Product.MIJNLOKET_EXPENSE_CLAIMS: MijnLoketVariant.PLUS,
    Product.MIJNLOKET_CHANGE_PERSONAL_DATA: MijnLoketVariant.PLUS,
    Product.MIJNLOKET_LEAVE_REQUESTS: MijnLoketVariant.PLUS,
    Product.MIJNLOKET_LEAVE_CALENDAR: MijnLoketVariant.PLUS,
    Product.MIJNLOKET_SALARY_CALCULATOR: MijnLoketVariant.PLUS,
    Product.MIJNLOKET_ASSISTANT: MijnLoketVariant.PRO,
    Product.MIJNLOKET_PREBOARDING: MijnLoketVariant.PRO,
    Product.MIJNLOKET_ASSISTANT_COMPANY_RULES: MijnLoketVariant.PRO,
    Product.MANAGEMENT_SELF_SERVICE: MijnLoketVariant.PRO,
}

# Features of MijnLoket: they can only be switched on while MijnLoket is on.
MIJNLOKET_FEATURES: frozenset[Product] = frozenset(
    p for p in Product if p.value.startswith("MIJNLOKET_")
)


def derive_variant(active: Iterable[Product]) -> MijnLoketVariant:
    """The MijnLoket variant an employer gets with these products active."""
    active = set(active)
    if Product.MIJNLOKET not in active:
        return MijnLoketVariant.NONE
    return max(
        (_LIFTS_TO.get(p, MijnLoketVariant.START) for p in active),
        key=lambda v: v.value,
        default=MijnLoketVariant.START,
    )


def activation_blockers(
    product: Product, active: Iterable[Product], *, addendum_signed: bool
) -> DomainError | None:
    """Why `product` cannot be switched on now, or None."""
    active = set(active)
    if product is Product.MIJNLOKET and not addendum_signed:
        return DomainError(
            ErrorCode.ADDENDUM_REQUIRED,
            "MijnLoket kan pas worden geactiveerd als het kantoor het addendum heeft ondertekend.",
        )
    if product in MIJNLOKET_FEATURES and Product.MIJNLOKET not in active:
        return DomainError(
            ErrorCode.PRODUCT_REQUIRED,
            f"Activeer eerst het product {PRODUCT_NAMES[Product.MIJNLOKET]} "
            f"voordat u {PRODUCT_NAMES[product]} activeert.",
        )
    return None


def deactivation_blockers(product: Product, active: Iterable[Product]) -> DomainError | None:
    """Why `product` cannot be switched off now, or None."""
    if product is not Product.MIJNLOKET:
        return None
    dependants = sorted(PRODUCT_NAMES[p] for p in set(active) & MIJNLOKET_FEATURES)
    if not dependants:
        return None
    return DomainError(
        ErrorCode.PRODUCT_IN_USE,
        "MijnLoket kan niet worden uitgezet zolang deze producten actief zijn: "
        + ", ".join(dependants)
        + ".",
    )


# --- Workflow types (DOMAIN.md section 3, seed 000 §10) -------------------------------------


class WorkflowType(StrEnum):
    EXPENSE_CLAIM = "EXPENSE_CLAIM"
    ADDRESS_UPDATE = "ADDRESS_UPDATE"
    MARITAL_STATUS_UPDATE = "MARITAL_STATUS_UPDATE"
    CONTACT_DETAILS_UPDATE = "CONTACT_DETAILS_UPDATE"
    EMERGENCY_CONTACTS_UPDATE = "EMERGENCY_CONTACTS_UPDATE"
    IBAN_UPDATE = "IBAN_UPDATE"
    CONTRACT_EXTENSION = "CONTRACT_EXTENSION"
    EMPLOYMENT_TERMINATION = "EMPLOYMENT_TERMINATION"


class WorkflowOrigin(StrEnum):
    MIJNLOKET = "MIJNLOKET"  # submitted by the employee in self-service
    MANAGEMENT_ACTION = "MANAGEMENT_ACTION"  # started in Loket by an authorised employer user


@dataclass(frozen=True)
class WorkflowTypeInfo:
    type: WorkflowType
    display_name: str
    origin: WorkflowOrigin
    products: tuple[Product, ...]  # needed besides the Workflow Editor


def _info(t: WorkflowType, name: str, origin: WorkflowOrigin, product: Product) -> WorkflowTypeInfo:
    return WorkflowTypeInfo(t, name, origin, (product,))


_PERSONAL = Product.MIJNLOKET_CHANGE_PERSONAL_DATA
_ML, _MA = WorkflowOrigin.MIJNLOKET, WorkflowOrigin.MANAGEMENT_ACTION
WORKFLOW_TYPES: dict[WorkflowType, WorkflowTypeInfo] = {
    i.type: i
    for i in (
        _info(
            WorkflowType.EXPENSE_CLAIM,
            "Declaratie medewerker",
            _ML,
            Product.MIJNLOKET_EXPENSE_CLAIMS,
        ),
        _info(WorkflowType.ADDRESS_UPDATE, "Update adres medewerker", _ML, _PERSONAL),
        _info(
            WorkflowType.MARITAL_STATUS_UPDATE,
            "Update burgerlijke staat medewerker",
            _ML,
            _PERSONAL,
        ),
        _info(
            WorkflowType.CONTACT_DETAILS_UPDATE, "Update contactgegevens medewerker", _ML, _PERSONAL
        ),
        _info(
            WorkflowType.EMERGENCY_CONTACTS_UPDATE,
            "Update contactpersonen medewerker",
            _ML,
            _PERSONAL,
        ),
        _info(WorkflowType.IBAN_UPDATE, "Update rekeningnummer (IBAN)", _ML, _PERSONAL),
        _info(
            WorkflowType.CONTRACT_EXTENSION,
            "Contract verlengen",
            _MA,
            Product.MANAGEMENT_SELF_SERVICE,
        ),
        _info(
            WorkflowType.EMPLOYMENT_TERMINATION,
            "Dienstverband beëindigen",
            _MA,
            Product.MANAGEMENT_SELF_SERVICE,
        ),
    )
}


def missing_products(workflow: WorkflowType, active: Iterable[Product]) -> list[Product]:
    """What must still be switched on before this workflow can be activated or started."""
    needed = (Product.WORKFLOW_EDITOR, *WORKFLOW_TYPES[workflow].products)
    active = set(active)
    return [p for p in needed if p not in active]


def products_missing_error(workflow: WorkflowType, missing: list[Product]) -> DomainError:
    names = ", ".join(PRODUCT_NAMES[p] for p in missing)
    return DomainError(
        ErrorCode.PRODUCT_REQUIRED,
        f"Voor de workflow '{WORKFLOW_TYPES[workflow].display_name}' is nog nodig: {names}.",
        ["type"],
    )
