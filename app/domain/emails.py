"""Dutch e-mail texts (DOMAIN.md section 5): per step kind, naming the request and the employee.

Deliberately free of personal details beyond the employee's name: an e-mail leaves our systems,
so the change itself (an IBAN, an address) is only shown after signing in.
"""

from __future__ import annotations

from app.domain.definitions import StepKind

_SUBJECTS = {
    StepKind.NOTIFICATION: "Ter informatie: {process} van {employee}",
    StepKind.TASK: "Nieuwe taak: {process} van {employee}",
    StepKind.APPROVAL: "Goedkeuring gevraagd: {process} van {employee}",
}
_ACTIONS = {
    StepKind.NOTIFICATION: "Dit bericht is ter informatie; u hoeft niets te doen.",
    StepKind.TASK: "Er staat een taak voor u klaar in het takencentrum.",
    StepKind.APPROVAL: (
        "Er wacht een aanvraag op uw goedkeuring in het takencentrum. "
        "U kunt de aanvraag goedkeuren of, met een toelichting, afwijzen."
    ),
}


def step_email(
    kind: StepKind, step_name: str, process: str, employee: str, recipient: str
) -> tuple[str, str]:
    """(subject, plain-text body) for the recipient of a step."""
    subject = _SUBJECTS[kind].format(process=process, employee=employee)
    body = (
        f"Beste {recipient},\n\n"
        f"{employee} heeft een aanvraag ingediend: {process}.\n"
        f"Stap: {step_name}.\n\n"
        f"{_ACTIONS[kind]}\n\n"
        "Met vriendelijke groet,\nloketflow\n"
    )
    return subject, body
