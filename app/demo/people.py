"""The demo's employees, made up from their employee number alone (no randomness, no clock):
names, addresses, bank accounts, citizen service numbers and departments (seed 002).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from app.db.models import MaritalStatus, WerknemerloketState

DEPARTMENTS = ("Verkoop", "Magazijn", "Administratie", "Logistiek")
MIJNLOKET_COUNT = 40  # employees 1..40 have a MijnLoket account, 41..50 still Werknemerloket

FIRST_NAMES = (
    "Sanne", "Daan", "Emma", "Lucas", "Julia", "Sem", "Lotte", "Thijs", "Fleur", "Bram",
    "Anouk", "Ruben", "Sophie", "Jesse", "Lieke", "Milan", "Noor", "Tim", "Iris", "Stijn",
    "Zoë", "Lars", "Femke", "Joris", "Eva",
)  # fmt: skip
SURNAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs",
    "van Dijk",
)  # fmt: skip
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Stationsweg", "Julianalaan",
    "Beatrixstraat", "Wilhelminaplein", "Lindelaan", "Eikenlaan", "Nieuwe Gracht", "Havenkade",
)  # fmt: skip
# (city, first two digits of its postcodes, telephone area code)
CITIES = (
    ("Amsterdam", 10, "020"), ("Utrecht", 35, "030"), ("Rotterdam", 30, "010"),
    ("Den Haag", 25, "070"), ("Amersfoort", 38, "033"), ("Haarlem", 20, "023"),
    ("Zwolle", 80, "038"), ("Eindhoven", 56, "040"), ("Groningen", 97, "050"),
    ("Breda", 48, "076"),
)  # fmt: skip
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"  # no S: SA, SD and SS are not issued
BANKS = ("INGB", "ABNA", "RABO", "SNSB", "TRIO", "ASNB", "KNAB")
MARITAL_CYCLE = (
    MaritalStatus.MARRIED, MaritalStatus.UNMARRIED, MaritalStatus.REGISTERED_PARTNERSHIP,
    MaritalStatus.MARRIED, MaritalStatus.UNMARRIED, MaritalStatus.DIVORCED, MaritalStatus.MARRIED,
    MaritalStatus.WIDOWED,
)  # fmt: skip

# Fixed placements (API.md): wn001 and wn003 in Verkoop, wn002 (= werkgever.hr) in Administratie.
FIXED_DEPARTMENTS = {1: "Verkoop", 2: "Administratie", 3: "Verkoop"}
# Oproepkrachten (seed 002 §6): new this season, mostly warehouse and logistics.
ON_CALL = {
    14: "Magazijn", 19: "Logistiek", 23: "Magazijn", 27: "Logistiek",
    31: "Magazijn", 35: "Logistiek", 38: "Verkoop", 44: "Magazijn",
}  # fmt: skip
NO_PRIVATE_EMAIL = 45  # migration stopper (DOMAIN.md section 7)
SHARED_PRIVATE_EMAIL = (47, 48)  # a couple sharing one mailbox: migration warning


def _ascii(text: str) -> str:
    """'Zoë' -> 'zoe', 'van den Berg' -> 'vandenberg': safe for an e-mail local part."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def iban_nl(bank: str, account: int) -> str:
    """A Dutch IBAN with ISO 13616 mod-97 check digits (demo data only, not a validator)."""
    bban = f"{bank}{account:010d}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "NL00")  # letters: A=10 .. Z=35
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def bsn(seed: int) -> str:
    """A 9-digit number that passes the 11-proof (weights 9..2, then -1 for the last digit)."""
    base = 10_000_000 + (seed * 1_234_567) % 60_000_000
    while True:
        digits = [int(d) for d in f"{base:08d}"]
        check = sum(w * d for w, d in zip(range(9, 1, -1), digits, strict=True)) % 11
        if check < 10:  # a check of 10 is no digit: take the next base
            return f"{base:08d}{check}"
        base += 1


def person_name(n: int) -> tuple[str, str]:
    # The shift by n // 25 keeps the 50 (first name, surname) pairs, and so the e-mails, unique.
    return FIRST_NAMES[(n - 1) % 25], SURNAMES[(7 * (n - 1) + (n - 1) // 25) % 25]


def birth_date(n: int) -> dt.date:
    return dt.date(1962 + (n * 7) % 40, 1 + n % 12, 1 + (n * 5) % 28)


def _private_email(n: int) -> str | None:
    if n == NO_PRIVATE_EMAIL:
        return None
    if n in SHARED_PRIVATE_EMAIL:
        first, second = (_ascii(person_name(m)[0]) for m in SHARED_PRIVATE_EMAIL)
        return f"{first}.en.{second}@prive.example.nl"
    return "{}{}@prive.example.nl".format(*map(_ascii, person_name(n)))


def employee_values(n: int) -> dict[str, Any]:
    """Everything about employee `n` that does not refer to other rows."""
    first, last = person_name(n)
    # The couple sharing a mailbox also shares a home (and a landline).
    home = SHARED_PRIVATE_EMAIL[0] if n in SHARED_PRIVATE_EMAIL else n
    city, postcode_prefix, area_code = CITIES[home % len(CITIES)]
    letters = POSTCODE_LETTERS[home % 18] + POSTCODE_LETTERS[(home * 7) % 18]
    on_call = n in ON_CALL
    if on_call:  # hired for this season, on a contract for the season
        start, contract_end = dt.date(2026, 3, 2) + dt.timedelta(weeks=n % 5), dt.date(2026, 12, 31)
    else:
        start = dt.date(2010, 2, 1) + dt.timedelta(days=(n * 613) % 5400)
        contract_end = dt.date(2027, 6, 30) if n % 6 == 0 else None  # some temporary contracts
    mijnloket = n <= MIJNLOKET_COUNT
    return {
        "name": f"{first} {last}",
        "street": STREETS[(home * 5) % len(STREETS)],
        "house_number": str(1 + (home * 37) % 150),
        "postcode": f"{postcode_prefix}{(home * 13) % 90 + 10} {letters}",
        "city": city,
        "country": "NL",
        "iban": iban_nl(BANKS[n % len(BANKS)], 1_000_000_000 + (n * 48_271_913) % 8_999_999_999),
        "bsn": bsn(n),
        "marital_status": MARITAL_CYCLE[n % len(MARITAL_CYCLE)],
        "phone": f"{area_code}-{5_550_000 + home * 137}",
        "mobile_phone": f"06-{12_000_000 + n * 7_919}",
        "private_email": _private_email(n),
        "mijnloket_email": f"{_ascii(first)}.{_ascii(last)}@example.nl" if mijnloket else None,
        "werknemerloket_state": (
            WerknemerloketState.NONE if mijnloket else WerknemerloketState.ACTIVE
        ),
        "is_on_call": on_call,
        "employment_start": start,
        "employment_end": None,
        "contract_end": contract_end,
    }


def department_of(n: int) -> str:
    return FIXED_DEPARTMENTS.get(n) or ON_CALL.get(n) or DEPARTMENTS[n % len(DEPARTMENTS)]
