"""What the demo history asks for, and when (issue 5, point 6): a plan, no database.

About 220 requests of every workflow type, submitted between 1 August and 20 November 2026, each
with the outcome it is driven to by `app/demo/history.py` and the moments of its actions. All of
it comes from one seeded random generator, so every load plans exactly the same history.

Outcomes only where the engine can reach them with the demo configuration: update workflows have
a task (never rejected) and never stay COMPLETED; contact-detail changes have 0 steps and are
applied at once; only management actions and expense claims have an approval to reject.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.demo.people import CITIES, POSTCODE_LETTERS, STREETS, iban_nl
from app.domain import changes, validation
from app.domain.catalogue import WorkflowType as W
from app.domain.components import Component
from app.domain.validation import Unit
from app.domain.workflow import InstanceStatus as S

KEY_PREFIX = "demo-history-"
START = dt.datetime(2026, 8, 1, 7, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)
# Periods up to October are closed (app/demo/components.py), so approved claims wait for the
# November payroll run, which books them into the first open period.
PROCESS_AT = dt.datetime(2026, 11, 6, 9, 30, tzinfo=dt.UTC)
PROCESS_PERIOD = "2026-11"
MIJNLOKET_EMPLOYEES = 40
# Management actions touch each employment once: an extension of an employee with a fixed-term
# contract (the on-call workers and every sixth employee in app/demo/base.py), or an end date.
EXTENDED = (6, 12, 14, 18, 19, 23, 24, 27, 30, 31, 35, 36)
TERMINATED = (8, 11, 15, 21, 26, 29, 34, 40)

MIX: dict[W, dict[S, int]] = {
    W.EXPENSE_CLAIM: {S.PROCESSED: 50, S.COMPLETED: 18, S.REJECTED: 16, S.WITHDRAWN: 8,
                      S.IN_PROGRESS: 22},
    W.ADDRESS_UPDATE: {S.PROCESSED: 14, S.WITHDRAWN: 3, S.IN_PROGRESS: 5},
    W.MARITAL_STATUS_UPDATE: {S.PROCESSED: 8, S.WITHDRAWN: 2, S.IN_PROGRESS: 3},
    W.CONTACT_DETAILS_UPDATE: {S.PROCESSED: 20},
    W.EMERGENCY_CONTACTS_UPDATE: {S.PROCESSED: 10, S.WITHDRAWN: 2, S.IN_PROGRESS: 3},
    W.IBAN_UPDATE: {S.PROCESSED: 11, S.WITHDRAWN: 2, S.IN_PROGRESS: 3},
    W.CONTRACT_EXTENSION: {S.PROCESSED: 6, S.REJECTED: 2, S.WITHDRAWN: 1, S.IN_PROGRESS: 3},
    W.EMPLOYMENT_TERMINATION: {S.PROCESSED: 3, S.REJECTED: 2, S.WITHDRAWN: 1, S.IN_PROGRESS: 2},
}  # fmt: skip
MANAGEMENT = (W.CONTRACT_EXTENSION, W.EMPLOYMENT_TERMINATION)

COMMENTS = {
    W.EXPENSE_CLAIM: ("Welke klant heb je bezocht? Graag even in de omschrijving.",
                      "Ik mis de bon van de tankbeurt, kun je die nog nasturen?",
                      "Klopt het aantal kilometers? De routeplanner geeft minder aan."),
    W.CONTRACT_EXTENSION: ("Verlenging besproken in het MT, akkoord van de budgethouder volgt.",),
    W.EMPLOYMENT_TERMINATION: ("Exitgesprek staat gepland, daarna definitief maken.",),
}  # fmt: skip
TASK_COMMENTS = ("Nagevraagd bij de medewerker, wacht op bevestiging.",
                 "Even checken of dit gevolgen heeft voor de reiskostenvergoeding.")  # fmt: skip
REJECTIONS = {
    W.EXPENSE_CLAIM: ("Dubbel ingediend: deze rit staat al op een eerdere declaratie.",
                      "Woon-werkverkeer valt niet onder zakelijke kilometers.",
                      "Bon ontbreekt; dien de declaratie opnieuw in met de bon erbij.",
                      "Dit valt onder de vaste onkostenvergoeding en wordt niet apart vergoed."),
    W.CONTRACT_EXTENSION: ("Geen budget voor verlenging in het nieuwe jaar.",
                           "Verlenging loopt via een nieuw contract voor onbepaalde tijd."),
    W.EMPLOYMENT_TERMINATION: ("De opzegtermijn is niet in acht genomen; einddatum aanpassen.",
                               "Eerst het gesprek met de medewerker afronden."),
}  # fmt: skip
REASONS = ("Op eigen verzoek van de medewerker", "Nieuwe baan elders", "Pensionering")
RELATIONS = ("Partner", "Moeder", "Vader", "Zus", "Broer", "Buurvrouw")
CONTACT_NAMES = ("Anne Kuipers", "Mark Schouten", "Ingrid Willemsen", "Peter Verhoeven",
                 "Marloes Post", "Kees van Wijk", "Hanneke Prins", "Wouter Blom")  # fmt: skip
DESCRIPTIONS = {
    Unit.KM: ("Klantbezoek Utrecht", "Beurs Jaarbeurs", "Overleg leverancier Zwolle",
              "Training in Amersfoort", "Ophalen spoedorder"),
    Unit.EUR: ("Tanken bestelbus", "Parkeerkosten klantbezoek", "Tankbon dienstreis"),
    Unit.DAYS: ("Thuisgewerkt deze maand", None),
    Unit.HOURS: ("Inval weekenddienst", "Extra uren inventarisatie", None),
}  # fmt: skip
# (lowest, highest) a declaration of each unit asks for
SIZES = {Unit.KM: (12, 420), Unit.EUR: (15, 140), Unit.DAYS: (1, 14), Unit.HOURS: (4, 96)}


@dataclass(frozen=True)
class Planned:
    key: str  # the instance's idempotency key
    workflow: W
    outcome: S
    employee: int  # employee number
    submitter: str  # username
    submitted_at: dt.datetime
    comment: tuple[dt.datetime, str] | None = None  # on the open step, before the outcome
    decided_at: dt.datetime | None = None  # withdrawn, rejected, completed or approved
    decision: str | None = None  # the rejection reason
    ask: dict[str, Any] = field(default_factory=dict)  # raw input, checked by the builders below


def _office(moment: dt.datetime) -> dt.datetime:
    """The office acts on weekdays between 7 and 16 UTC (9 to 17/18 in Dutch time)."""
    if moment.hour >= 16:
        moment = (moment + dt.timedelta(days=1)).replace(hour=7)
    elif moment.hour < 7:
        moment = moment.replace(hour=7)
    while moment.weekday() >= 5:
        moment = (moment + dt.timedelta(days=1)).replace(hour=7)
    return moment


def _ask(rng: random.Random, workflow: W, j: int, at: dt.datetime) -> dict[str, Any]:
    if workflow is W.EXPENSE_CLAIM:
        month = f"{at:%Y-%m}" if rng.random() < 0.3 else None
        return {"pick": rng.randrange(4), "size": rng.random(), "period": month, "j": j}
    if workflow is W.ADDRESS_UPDATE:
        city, prefix, _ = CITIES[rng.randrange(len(CITIES))]
        letters = rng.choice(POSTCODE_LETTERS) + rng.choice(POSTCODE_LETTERS)
        return {"street": rng.choice(STREETS), "house_number": str(rng.randint(1, 220)),
                "postcode": f"{prefix}{rng.randint(10, 99)} {letters}", "city": city}  # fmt: skip
    if workflow is W.MARITAL_STATUS_UPDATE:
        status = rng.choice(list(changes.MaritalStatus))
        return {"status": status, "since": (at - dt.timedelta(days=rng.randint(3, 60))).date()}
    if workflow is W.CONTACT_DETAILS_UPDATE:
        mobile = f"06-{rng.randint(20_000_000, 69_999_999)}"
        return {"mobile_phone": mobile, "phone": "" if rng.random() < 0.3 else None}
    if workflow is W.EMERGENCY_CONTACTS_UPDATE:
        names = rng.sample(CONTACT_NAMES, rng.randint(1, 2))
        return {"contacts": [(n, rng.choice(RELATIONS), f"06-{rng.randint(20_000_000, 69_999_999)}")
                             for n in names]}  # fmt: skip
    if workflow is W.IBAN_UPDATE:
        return {"iban": iban_nl(rng.choice(("INGB", "RABO", "ABNA", "BUNQ")),
                                rng.randint(1_000_000_000, 9_999_999_999))}  # fmt: skip
    if workflow is W.CONTRACT_EXTENSION:
        return {"months": rng.choice((6, 12))}
    last_day = (at.replace(day=1) + dt.timedelta(days=62)).replace(day=1) - dt.timedelta(days=1)
    return {"end_date": last_day.date(), "reason": rng.choice(REASONS)}


def plan() -> list[Planned]:
    """The whole history, oldest submission first; keys demo-history-0001 onwards."""
    rng = random.Random(20260801)
    span = (END - START).total_seconds()
    drafts = []
    for offset, (workflow, mix) in enumerate(MIX.items()):
        n = sum(mix.values())
        # The newest requests are still open; the older ones ended in a random order.
        finished = [s for s, c in mix.items() if s is not S.IN_PROGRESS for _ in range(c)]
        rng.shuffle(finished)
        outcomes = finished + [S.IN_PROGRESS] * mix.get(S.IN_PROGRESS, 0)
        for j, outcome in enumerate(outcomes):
            at = START + dt.timedelta(seconds=span * (j + rng.random()) // n)
            if workflow in MANAGEMENT:  # in Loket, during office hours
                at = _office(at.replace(hour=rng.randint(7, 15), minute=rng.randrange(60)))
                number = (EXTENDED if workflow is W.CONTRACT_EXTENSION else TERMINATED)[j]
                submitter = "werkgever.directie" if j % 2 else "werkgever.hr"
            else:  # in MijnLoket, in the evening too
                at = at.replace(hour=rng.randint(7, 19), minute=rng.randrange(60))
                number = (offset * 11 + j * 7) % MIJNLOKET_EMPLOYEES + 1
                submitter = f"wn{number:03d}"
            drafts.append((at, workflow, outcome, number, submitter, _ask(rng, workflow, j, at)))
    drafts.sort(key=lambda d: (d[0], d[1]))
    return [_timed(rng, i, *draft) for i, draft in enumerate(drafts, start=1)]


def _timed(rng, i, at, workflow, outcome, number, submitter, ask) -> Planned:
    """When the actions happen: a comment within a day or so, a decision within days."""
    comment = decided = decision = None
    if outcome is S.WITHDRAWN:
        decided = at + dt.timedelta(hours=rng.randint(1, 20))
    elif workflow is not W.CONTACT_DETAILS_UPDATE:
        if rng.random() < 0.3:
            texts = COMMENTS.get(workflow, TASK_COMMENTS)
            comment_at = _office(at + dt.timedelta(hours=rng.randint(1, 26)))
            if comment_at <= END:
                comment = (comment_at, rng.choice(texts))
        decided = _office((comment[0] if comment else at) + dt.timedelta(hours=rng.randint(3, 80)))
        if outcome is S.REJECTED:
            decision = rng.choice(REJECTIONS[workflow])
        if outcome is S.IN_PROGRESS:
            decided = None
    assert decided is None or decided <= END, (i, decided)
    assert not (workflow is W.EXPENSE_CLAIM and outcome is S.PROCESSED and decided >= PROCESS_AT)
    return Planned(
        f"{KEY_PREFIX}{i:04d}", workflow, outcome, number, submitter, at, comment, decided,
        decision, ask,
    )  # fmt: skip


def change_for(planned: Planned, employee) -> dict[str, Any]:
    """The change as the submit mutations build it, checked against the employee record."""
    a, w = planned.ask, planned.workflow
    if w is W.ADDRESS_UPDATE:
        return changes.address(a["street"], a["house_number"], a["postcode"], a["city"], "NL")
    if w is W.MARITAL_STATUS_UPDATE:
        return changes.marital_status(a["status"], a["since"])
    if w is W.CONTACT_DETAILS_UPDATE:
        return changes.contact_details(a["phone"], a["mobile_phone"], None)
    if w is W.EMERGENCY_CONTACTS_UPDATE:
        return changes.emergency_contacts([changes.ContactPerson(*c) for c in a["contacts"]])
    if w is W.IBAN_UPDATE:
        return changes.iban_change(a["iban"])
    if w is W.CONTRACT_EXTENSION:
        end = employee.contract_end
        month = end.month + a["months"]  # contracts end on the last day of a month
        new_end = dt.date(end.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return changes.contract_extension(new_end, employee.employment_start, end)
    return changes.employment_termination(
        a["end_date"], employee.employment_start, a["reason"], employee.employment_end
    )


def claim_for(planned: Planned, components: list[Component]) -> dict[str, Any]:
    """The ExpenseClaim columns as submitExpenseClaim builds them, from the employee's set."""
    a = planned.ask
    component = components[a["pick"] % len(components)]
    low, high = SIZES[component.unit]
    raw = Decimal(low + (high - low) * a["size"])
    value = validation.expense_value(
        raw.quantize(Decimal("0.01") if component.unit is Unit.EUR else Decimal(1)),
        component.unit,
    )
    period = a["period"]
    return {
        "component_id": component.id,
        "value": value,
        "amount": component.amount(value),
        "payroll_period": str(validation.payroll_period(period)) if period else None,
        "description": DESCRIPTIONS[component.unit][a["j"] % len(DESCRIPTIONS[component.unit])],
    }
