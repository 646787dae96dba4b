"""The process overview's filter as the API gives it, turned into the query's filter
(`OverviewFilter`): IDs decoded, bounds checked, a DomainError naming the bad field. The screen
(`processOverview`) and the download (`exportProcessOverview`) both go through here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from app.db.queries.process_overview import OverviewFilter
from app.domain import validation
from app.domain.errors import DomainError, ErrorCode
from app.domain.overview import TAB_LABELS, TAB_STATUSES, OverviewSort, ProcessTab, SortDirection
from app.domain.workflow import STATUS_LABELS
from app.schema.ids import decode_id
from app.schema.inputs.overview import ProcessOverviewFilter, ProcessOverviewSort

MAX_IDS = 100
MAX_PERIODS = 24
SEARCH_MAX = 100
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
VALUE_LIMIT = Decimal("1000000000")


def _refuse(message: str, *field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_VALUE, message, ["filter", *field] if field else None)


def _ids(values: list[str] | None, type_name: str, field: str) -> tuple[int, ...]:
    values = values or []
    if len(values) > MAX_IDS:
        raise _refuse(f"Kies hoogstens {MAX_IDS} waarden.", field)
    out = []
    for value in values:
        pk = decode_id(value, type_name)
        if pk is None:
            raise DomainError(ErrorCode.INVALID_ID, "Dit is geen geldig ID.", ["filter", field])
        out.append(pk)
    return tuple(dict.fromkeys(out))


def _search(value: str | None, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > SEARCH_MAX or not text.isprintable():
        raise _refuse(f"Zoek op hoogstens {SEARCH_MAX} gewone tekens.", field)
    return text or None


def _value(value: Decimal | None, field: str) -> Decimal | None:
    """A bound in cents: declared values have two decimals (and a database cannot take an
    exponent of -100000)."""
    if value is None:
        return None
    try:
        # Compared, not abs(): arithmetic on 1E+999999999 overflows the decimal context.
        if not (value.is_finite() and -VALUE_LIMIT < value < VALUE_LIMIT):
            raise _refuse("Kies een waarde kleiner dan een miljard.", field)
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _refuse("Dit is geen getal.", field) from None


def _periods(values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_PERIODS:
        raise _refuse(f"Kies hoogstens {MAX_PERIODS} perioden.", "payrollPeriods")
    try:
        return tuple(dict.fromkeys(str(validation.payroll_period(p)) for p in values))
    except DomainError as error:
        raise DomainError(error.code, error.message, ["filter", "payrollPeriods"]) from None


def overview_filter(
    tab: ProcessTab,
    employer_id: int | None,
    f: ProcessOverviewFilter | None,
    sort: ProcessOverviewSort | None,
) -> OverviewFilter:
    """The overview's filter from the API's input, or a DomainError naming the bad field."""
    f = f or ProcessOverviewFilter()
    sort = sort or ProcessOverviewSort()
    statuses = tuple(dict.fromkeys(f.statuses or ()))
    if wrong := [s for s in statuses if s not in TAB_STATUSES[tab]]:
        raise _refuse(
            f"De status '{STATUS_LABELS[wrong[0]]}' hoort niet bij het tabblad {TAB_LABELS[tab]}.",
            "statuses",
        )
    employer_ids = _ids(f.employer_ids, "Employer", "employerIds")
    if employer_ids and employer_id is not None:
        raise _refuse(
            "Filter op werkgevers alleen in het overzicht over alle werkgevers.", "employerIds"
        )
    for field, day in (("submittedFrom", f.submitted_from), ("submittedTo", f.submitted_to)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise _refuse("Kies een datum tussen 2000 en 2100.", field)
    if f.submitted_from and f.submitted_to and f.submitted_from > f.submitted_to:
        raise _refuse("De begindatum ligt na de einddatum.", "submittedFrom")
    value_min, value_max = _value(f.value_min, "valueMin"), _value(f.value_max, "valueMax")
    if value_min is not None and value_max is not None and value_min > value_max:
        raise _refuse("De ondergrens ligt boven de bovengrens.", "valueMin")
    result = OverviewFilter(
        tab=tab,
        employer_ids=(employer_id,) if employer_id is not None else employer_ids,
        types=tuple(dict.fromkeys(f.types or ())),
        statuses=statuses,
        employee_ids=_ids(f.employee_ids, "Employee", "employeeIds"),
        employee_search=_search(f.employee_search, "employeeSearch"),
        submitter_ids=_ids(f.submitter_ids, "User", "submitterIds"),
        submitter_search=_search(f.submitter_search, "submitterSearch"),
        submitted_from=f.submitted_from,
        submitted_to=f.submitted_to,
        component_ids=_ids(f.component_ids, "Component", "componentIds"),
        value_min=value_min,
        value_max=value_max,
        payroll_periods=_periods(f.payroll_periods or []),
        sort=OverviewSort(sort.by),
        descending=sort.direction is SortDirection.DESC,
    )
    if result.filters_declarations and not result.declarations:
        raise _refuse(
            "Filter op component, waarde of verloningsperiode alleen met als proces "
            "uitsluitend 'Declaratie medewerker'.",
            "types",
        )
    return result
