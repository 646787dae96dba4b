"""What a transition writes (app/domain/outcome.py), without a database: the event names who
could act on the step that closed and on the one that opened, each step's assignees are
resolved once, and a comment moves nothing."""

from __future__ import annotations

from app.domain import workflow as engine
from app.domain.assignment import EmployerStaff, RequestSubject, StaffMember
from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.definitions import Assignee, StepConfig, StepKind
from app.domain.events import EventKind
from app.domain.outcome import Assignments, StepEmail, outcome

HR, OFFICE, SUBMITTER = 1, 2, 9
ROLE_HR = 7
STAFF = EmployerStaff(
    (
        StaffMember(HR, UserType.EMPLOYER, person_id=51),
        StaffMember(OFFICE, UserType.PROVIDER, person_id=52),
    ),
    frozenset({(ROLE_HR, HR)}),
)
CONFIG = (
    StepConfig(StepKind.NOTIFICATION, "Melding", Assignee.role(ROLE_HR)),
    StepConfig(StepKind.APPROVAL, "Akkoord HR", Assignee.role(ROLE_HR), send_email=True),
    StepConfig(StepKind.TASK, "Verwerken", Assignee.of_type(UserType.PROVIDER)),
)
SUBJECT = RequestSubject(department_id=1, person_id=60, submitter_id=SUBMITTER)


class Counting(Assignments):
    """Counts how often each step's assignees are worked out."""

    asked: dict[int, int]

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.asked = {}

    def __call__(self, position: int):
        if position not in self._resolved:
            self.asked[position] = self.asked.get(position, 0) + 1
        return super().__call__(position)


def test_a_submitted_request_opens_its_first_task_for_its_assignees():
    started = engine.start(WorkflowType.ADDRESS_UPDATE, CONFIG, SUBMITTER)
    who = Counting(started.instance, CONFIG, STAFF, SUBJECT)
    decided = outcome(None, started, who)
    kind, change = decided.event
    assert kind is EventKind.INSTANCE_SUBMITTED and change.previous_status is None
    assert (change.open_position, change.opened_for, change.closed_for) == (2, (HR,), ())
    emails = [w for w in decided.writes if isinstance(w, StepEmail)]
    assert [(e.position, e.who.email_to) for e in emails] == [(1, {HR}), (2, {HR})]
    assert who.asked == {1: 1, 2: 1}  # step 2: the e-mail and the event, resolved once


def test_an_approval_closes_for_its_assignees_and_opens_the_next_step():
    before = engine.start(WorkflowType.ADDRESS_UPDATE, CONFIG, SUBMITTER).instance
    who = Counting(before, CONFIG, STAFF, SUBJECT)
    approved = engine.act(before, CONFIG, engine.Approve(2, HR), eligible=who(2).actors)
    kind, change = outcome(before, approved, who).event
    assert kind is EventKind.STEP_MOVED
    assert (change.closed_for, change.closed_by, change.opened_for) == ((HR,), HR, (OFFICE,))
    assert (change.previous_open_position, change.open_position) == (2, 3)
    assert who.asked == {2: 1, 3: 1}


def test_a_comment_writes_only_its_audit_entry():
    before = engine.start(WorkflowType.ADDRESS_UPDATE, CONFIG, SUBMITTER).instance
    who = Counting(before, CONFIG, STAFF, SUBJECT)
    commented = engine.act(before, CONFIG, engine.Comment(2, HR, "even kijken"), eligible={HR})
    decided = outcome(before, commented, who)
    assert (decided.moved, decided.event) == (False, None)
    assert [type(w) for w in decided.writes] == [engine.Audit]


def test_a_transition_that_asks_nobody_needs_no_staff():
    """A request applied at once (0 steps) opens and mails nothing: its staff is not read, and
    its outcome is decided without it."""
    from app.domain.outcome import needs_assignees

    applied = engine.start(WorkflowType.CONTACT_DETAILS_UPDATE, (), SUBMITTER)
    assert not needs_assignees(None, applied)
    decided = outcome(None, applied, Assignments(applied.instance, (), None, SUBJECT))
    assert decided.event[1].opened_for == () and decided.event[1].status == "PROCESSED"
    started = engine.start(WorkflowType.ADDRESS_UPDATE, CONFIG, SUBMITTER)
    assert needs_assignees(None, started)
