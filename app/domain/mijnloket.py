"""Moving employees from Werknemerloket to MijnLoket (DOMAIN.md section 7, seed 004): who can be
invited, the activation link, the password rule and the e-mails. Pure Python.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from app.domain.errors import DomainError, ErrorCode

PASSWORD_MIN, PASSWORD_MAX = 12, 128


@dataclass(frozen=True)
class Person:
    """An employment that may be invited: its private e-mail prefills the MijnLoket account."""

    employee_id: int
    name: str
    private_email: str | None


@dataclass(frozen=True)
class Assessment:
    warnings: tuple[str, ...] = ()
    stoppers: tuple[str, ...] = ()  # any stopper: this person cannot be migrated


NO_EMAIL = "Geen privé e-mailadres bekend: deze persoon kan niet worden gemigreerd."


def normal_email(address: str | None) -> str | None:
    return address.strip().lower() if address and address.strip() else None


def assess(
    people: Sequence[Person], employer_emails: Sequence[str | None]
) -> dict[int, Assessment]:
    """Warnings and stoppers per person (seed 004 step 3). `employer_emails` are the private
    e-mail addresses of every employment of the employer: an address used by more than one is
    not unique (a warning: the invitation can go out, but two people share the mailbox)."""
    counts = Counter(e for e in map(normal_email, employer_emails) if e)
    out = {}
    for person in people:
        email = normal_email(person.private_email)
        if email is None:
            out[person.employee_id] = Assessment(stoppers=(NO_EMAIL,))
        elif counts[email] > 1:
            warning = f"Het privé e-mailadres {email} is niet uniek: meer personen gebruiken het."
            out[person.employee_id] = Assessment(warnings=(warning,))
        else:
            out[person.employee_id] = Assessment()
    return out


# Where an invitation or reminder body shows the activation link. The outbox stores this text;
# the relay puts the link in its place as the e-mail leaves, so whoever reads the outbox
# (`outboxEmails`, the log in production, a database backup) never holds a usable token.
LINK_PLACEHOLDER = "[persoonlijke activeringslink, alleen in de verzonden e-mail]"


def with_link(body: str, link: str) -> str:
    return body.replace(LINK_PLACEHOLDER, link)


def new_token() -> tuple[str, str]:
    """(token for the link, its hash for the database): only the e-mail holds the token."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def activation_link(base_url: str, token: str) -> str:
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{urlencode({'token': token})}"


# A new MijnLoket account's username (decision, issue 13.3 and 13.11): made by the service, not
# from the invitation's address nor chosen by the person. A username shows wherever the account
# acted (submitter, audit trail, export) to people who may not read the MijnLoket e-mail
# address, so it must not be one; and a name of one's choice would tell anyone holding an
# invitation which usernames exist, in every office. No ambiguous characters (0/o, 1/l/i): it
# is read from an e-mail and typed.
USERNAME_PREFIX = "ml-"
USERNAME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME_LENGTH = 10  # 31**10: about 8e14, so a clash is a curiosity; it is checked anyway


def new_username() -> str:
    return USERNAME_PREFIX + "".join(
        secrets.choice(USERNAME_ALPHABET) for _ in range(USERNAME_LENGTH)
    )


def same_address(one: str | None, other: str | None) -> bool:
    """Whether two e-mail addresses are one mailbox as far as we can tell (case and spaces)."""
    return bool(one and other) and normal_email(one) == normal_email(other)


def check_password(password: str | None, email: str) -> str:
    """The password to register with, or why not (a UserError on `password`)."""
    if password is None or not password.strip():
        raise DomainError(
            ErrorCode.PASSWORD_REQUIRED, "Kies een wachtwoord voor uw account.", ["password"]
        )
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise DomainError(
            ErrorCode.WEAK_PASSWORD,
            f"Kies een wachtwoord van {PASSWORD_MIN} tot {PASSWORD_MAX} tekens.",
            ["password"],
        )
    if password.lower() == email.lower() or len(set(password)) < 4:
        raise DomainError(
            ErrorCode.WEAK_PASSWORD,
            "Dit wachtwoord is te makkelijk te raden; kies een ander.",
            ["password"],
        )
    return password


# --- e-mails (Dutch) -------------------------------------------------------------------------


def invitation_email(
    name: str, employer: str, valid_days: int, link: str = LINK_PLACEHOLDER
) -> tuple[str, str]:
    return (
        "Uw uitnodiging voor MijnLoket",
        f"Beste {name},\n\n"
        f"{employer} stapt over van Werknemerloket naar MijnLoket. Uw Werknemerloket-account "
        "is daarom geblokkeerd. Activeer uw MijnLoket-account via deze persoonlijke link:\n\n"
        f"{link}\n\n"
        "Heeft u al een MijnLoket-account, bijvoorbeeld bij een andere werkgever? Log dan in "
        "met dat account en koppel dit dienstverband eraan. Anders maakt u een nieuw account "
        "aan met een wachtwoord. U kunt tussentijds stoppen en later verdergaan.\n\n"
        f"De link is {valid_days} dagen geldig en werkt één keer.\n",
    )


def reminder_email(name: str, employer: str, link: str = LINK_PLACEHOLDER) -> tuple[str, str]:
    return (
        "Herinnering: activeer uw MijnLoket-account",
        f"Beste {name},\n\n"
        f"U heeft uw MijnLoket-account bij {employer} nog niet geactiveerd. Dat kan via:\n\n"
        f"{link}\n\n"
        "De link uit de eerdere uitnodiging blijft ook werken.\n",
    )


def confirmation_email(name: str, employer: str, username: str) -> tuple[str, str]:
    return (
        "Uw MijnLoket-account is gereed",
        f"Beste {name},\n\nUw dienstverband bij {employer} is gekoppeld aan uw "
        f"MijnLoket-account. U kunt nu inloggen met de gebruikersnaam {username}.\n",
    )
