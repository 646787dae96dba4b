"""The changes update workflows and management actions ask for (DOMAIN.md sections 3 and 5).

Each builder validates raw input and returns the change as a plain JSON-able dict (dates as ISO
strings), which is stored on the instance when it is submitted and written to the employee record
by `employee_updates` when the last step is done. Pure: no database, no GraphQL.

Decisions:
- Contact details: at least one of phone, mobile phone and private e-mail; an empty string clears
  that field, a missing one (None) leaves it as it is. Phone numbers are parsed as Dutch numbers
  unless they start with +, and stored in international format.
- Contact persons: 0 to 3, each with a name, a relation and a phone number; the list replaces the
  old one as a whole.
- Contract extension: the new end date lies after the current end; an indefinite contract has
  nothing to extend and is refused.
- End of employment: the end date is not before the employment start; an employment that already
  has an end date is refused.
- Management actions are checked again against the record when they are applied
  (`still_applicable`): another change may have landed while they waited for approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.domain import validation as v
from app.domain.catalogue import WorkflowType
from app.domain.errors import DomainError, ErrorCode

T = TypeVar("T")

MAX_CONTACTS = 3


class MaritalStatus(StrEnum):
    UNMARRIED = "UNMARRIED"
    MARRIED = "MARRIED"
    REGISTERED_PARTNERSHIP = "REGISTERED_PARTNERSHIP"
    DIVORCED = "DIVORCED"
    WIDOWED = "WIDOWED"


MARITAL_STATUS_NAMES = {
    MaritalStatus.UNMARRIED: "Ongehuwd",
    MaritalStatus.MARRIED: "Gehuwd",
    MaritalStatus.REGISTERED_PARTNERSHIP: "Geregistreerd partnerschap",
    MaritalStatus.DIVORCED: "Gescheiden",
    MaritalStatus.WIDOWED: "Weduwe/weduwnaar",
}


def _fail(code: ErrorCode, message: str, *path: str) -> DomainError:
    return DomainError(code, message, list(path))


def phone(value: str, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    try:
        number = phonenumbers.parse(text, "NL")
        ok = len(text) <= 30 and phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        ok = False
    if not ok:
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een geldig telefoonnummer in.", field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email(value: str, field: str) -> str:
    try:
        # No DNS look-up: submission must not depend on the network.
        return validate_email(value, check_deliverability=False).normalized
    except (EmailNotValidError, TypeError):
        raise _fail(ErrorCode.INVALID_VALUE, "Vul een geldig e-mailadres in.", field) from None


def address(
    street: str, house_number: str, postcode: str, city: str, country: str | None
) -> dict[str, Any]:
    country = (country or "NL").strip().upper()
    if country != "NL":
        # The payroll administration registers foreign addresses by hand (decision).
        raise _fail(
            ErrorCode.INVALID_VALUE,
            "Een adres in het buitenland geeft u door aan uw werkgever.",
            "country",
        )
    return {
        "street": v.required_text(street, "street", 200),
        "house_number": v.house_number(house_number),
        "postcode": v.dutch_postcode(postcode),
        "city": v.required_text(city, "city", 100),
        "country": country,
    }


def marital_status(status: str, since: dt.date | None) -> dict[str, Any]:
    if since is not None and since > dt.date.today():
        raise _fail(ErrorCode.INVALID_VALUE, "Deze datum ligt in de toekomst.", "since")
    return {
        "marital_status": MaritalStatus(status).value,
        "since": since.isoformat() if since else None,
    }


def contact_details(
    phone_number: str | None, mobile_phone: str | None, private_email: str | None
) -> dict[str, Any]:
    change: dict[str, Any] = {}
    for key, value, check, field in (
        ("phone", phone_number, phone, "phone"),
        ("mobile_phone", mobile_phone, phone, "mobilePhone"),
        ("private_email", private_email, email, "privateEmail"),
    ):
        if value is None:
            continue
        change[key] = check(value, field) if value.strip() else None
    if not change:
        raise _fail(ErrorCode.INVALID_VALUE, "Wijzig ten minste één gegeven.", "phone")
    return change


@dataclass(frozen=True)
class ContactPerson:
    name: str
    relation: str
    phone: str


def emergency_contacts(contacts: Sequence[ContactPerson]) -> dict[str, Any]:
    if len(contacts) > MAX_CONTACTS:
        message = f"Geef hoogstens {MAX_CONTACTS} contactpersonen op."
        raise _fail(ErrorCode.INVALID_VALUE, message, "contacts")
    return {
        "contacts": [
            {
                "name": _at(v.required_text, c.name, i, "name", 200),
                "relation": _at(v.required_text, c.relation, i, "relation", 50),
                "phone": _at(phone, c.phone, i, "phone"),
            }
            for i, c in enumerate(contacts)
        ]
    }


def _at(check: Callable[..., T], value: Any, index: int, name: str, *args: Any) -> T:
    """Run a field check on contacts[index].name; the error's path is ["contacts", i, name]."""
    try:
        return check(value, name, *args)
    except DomainError as error:
        error.field = ["contacts", str(index), name]
        raise


def iban_change(value: str) -> dict[str, Any]:
    return {"iban": v.iban(value)}


def contract_extension(
    new_end: dt.date, employment_start: dt.date, current_end: dt.date | None
) -> dict[str, Any]:
    if current_end is None:
        raise _fail(
            ErrorCode.NOT_ALLOWED,
            "Deze werknemer heeft een contract voor onbepaalde tijd; er valt niets te verlengen.",
            "newContractEnd",
        )
    if new_end <= current_end:
        raise _fail(
            ErrorCode.INVALID_DATE_ORDER,
            f"De nieuwe einddatum moet na de huidige einddatum ({current_end:%d-%m-%Y}) liggen.",
            "newContractEnd",
        )
    v.date_order(employment_start, new_end, "newContractEnd")
    return {"contract_end": new_end.isoformat()}


def employment_termination(
    end_date: dt.date,
    employment_start: dt.date,
    reason: str | None,
    current_end: dt.date | None = None,
) -> dict[str, Any]:
    if current_end is not None:
        raise _fail(
            ErrorCode.NOT_ALLOWED,
            f"Dit dienstverband eindigt al op {current_end:%d-%m-%Y}.",
            "endDate",
        )
    v.date_order(employment_start, end_date, "endDate")
    return {
        "employment_end": end_date.isoformat(),
        "reason": v.required_text(reason, "reason", 500) if reason else None,
    }


def still_applicable(
    workflow: WorkflowType,
    change: dict[str, Any],
    contract_end: dt.date | None,
    employment_end: dt.date | None,
) -> None:
    """A management action approved later than it was submitted must still make sense on
    today's record: no contract is shortened by an "extension" that another one overtook, no
    employment ended twice. Raises CHANGE_OUTDATED; the approver then rejects the request."""
    if workflow is WorkflowType.CONTRACT_EXTENSION:
        new_end = _date(change["contract_end"])
        assert new_end is not None  # checked when submitted: an extension names its end
        if contract_end is None or new_end <= contract_end:
            raise DomainError(
                ErrorCode.CHANGE_OUTDATED,
                "Het contract is intussen al gewijzigd; deze verlenging kan niet meer worden "
                "doorgevoerd. Wijs de aanvraag af met een toelichting.",
            )
    if workflow is WorkflowType.EMPLOYMENT_TERMINATION and employment_end is not None:
        raise DomainError(
            ErrorCode.CHANGE_OUTDATED,
            "Het dienstverband heeft intussen al een einddatum; wijs de aanvraag af met een "
            "toelichting.",
        )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def employee_updates(workflow: WorkflowType, change: dict[str, Any]) -> dict[str, Any]:
    """The employee columns a finished request writes (only what the request is about)."""
    if workflow is WorkflowType.ADDRESS_UPDATE:
        keys = ("street", "house_number", "postcode", "city", "country")
        return {k: change[k] for k in keys}
    if workflow is WorkflowType.MARITAL_STATUS_UPDATE:
        return {"marital_status": change["marital_status"]}
    if workflow is WorkflowType.CONTACT_DETAILS_UPDATE:
        return dict(change)
    if workflow is WorkflowType.EMERGENCY_CONTACTS_UPDATE:
        return {"emergency_contacts": change["contacts"]}
    if workflow is WorkflowType.IBAN_UPDATE:
        return {"iban": change["iban"]}
    if workflow is WorkflowType.CONTRACT_EXTENSION:
        return {"contract_end": _date(change["contract_end"])}
    if workflow is WorkflowType.EMPLOYMENT_TERMINATION:
        return {"employment_end": _date(change["employment_end"])}
    raise ValueError(f"{workflow} changes no employee record")


_LABELS = {
    "street": "Straat",
    "house_number": "Huisnummer",
    "postcode": "Postcode",
    "city": "Plaats",
    "country": "Land",
    "marital_status": "Burgerlijke staat",
    "since": "Sinds",
    "phone": "Telefoon",
    "mobile_phone": "Mobiel",
    "private_email": "Privé e-mailadres",
    "iban": "IBAN",
    "contract_end": "Nieuwe einddatum contract",
    "employment_end": "Einddatum dienstverband",
    "reason": "Reden",
}


def mask_iban(value: str) -> str:
    """ "NL91ABNA0417164300" -> "NL91 **** **** **43 00": enough to recognise, not to use."""
    return f"{value[:4]} **** **** **{value[-4:-2]} {value[-2:]}"


HIDDEN = "(afgeschermd)"


def describe(
    change: dict[str, Any] | None, *, show_iban: bool = True, show_private_email: bool = True
) -> list[tuple[str, str]]:
    """(Dutch label, value) pairs for screens, in a stable order. `show_iban=False` masks an
    IBAN for whoever may not see the employee's financial identity (DOMAIN.md section 1);
    `show_private_email=False` hides a private e-mail address that is also the employee's
    MijnLoket address from whoever may not read that (authz.may_see_private_email)."""
    if not change:
        return []
    out: list[tuple[str, str]] = []
    for key, value in change.items():
        if key == "contacts":
            for i, c in enumerate(value, start=1):
                out.append((f"Contactpersoon {i}", f"{c['name']} ({c['relation']}), {c['phone']}"))
            if not value:
                out.append(("Contactpersonen", "geen"))
            continue
        if key == "marital_status":
            value = MARITAL_STATUS_NAMES[MaritalStatus(value)]
        elif key == "iban" and value and not show_iban:
            value = mask_iban(value)
        elif key == "private_email" and value and not show_private_email:
            value = HIDDEN
        elif key in ("since", "contract_end", "employment_end") and value:
            value = dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        out.append((_LABELS.get(key, key), "(leeg)" if value is None else str(value)))
    return out
