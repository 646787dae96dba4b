"""Who may act on a workflow step, and who gets its e-mail (DOMAIN.md section 4).

Resolved at the moment of asking, from today's users and role links, never copied onto a task:
re-linking a role hands its open tasks to the new holder (seed 000 §8).

The rules, in order:
1. The step's assignee names the candidates: the users linked to a role at this employer; all
   employer users; the department managers of the employee's department; the office's provider
   users; specific users (expense claims, restricted mode); or, for expense claims in all-users
   mode, the managers of the employee's department if there are any, else all employer users.
2. For an employee with a deviating approver, that user handles the task and approval steps
   instead (seed 000 §9). Notifications still inform the step's own recipients. Decision: in
   restricted mode (specific users) the chosen users keep the step; the deviating approver steps
   in only when none of them is left after rule 3 (they are all the employee itself).
3. Nobody acts on a request about themselves: users who are the employee's own person are
   removed, and so is the user who submitted it (a management action). If nobody is left, the
   step has no eligible assignee (flagged, never self-approved).
3a. A department manager acts only for employees of its own departments, whichever way the step
   reaches it (role link, specific users, deviating approver): DOMAIN.md section 1.
4. Expense claims in all-users mode: on an approval assigned to "all users", the office's provider
   users may also act (decision: the office keeps its view); e-mail still goes only to the
   employer-side approvers. Not when a deviating approver handles the employee's requests.
5. E-mail: every recipient of a notification; the actors of a task or approval when its e-mail
   switch is on. Only users with an e-mail address can be mailed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.domain.authz import UserType
from app.domain.definitions import ApprovalMode, AssigneeKind, StepConfig, StepKind


@dataclass(frozen=True)
class StaffMember:
    """A user who can act at the employer: its employer users, its department managers and
    the provider users of its office. Employees are never staff."""

    user_id: int
    user_type: UserType
    person_id: int | None = None
    department_ids: frozenset[int] = frozenset()  # department managers
    has_email: bool = True


@dataclass(frozen=True)
class EmployerStaff:
    members: tuple[StaffMember, ...]
    role_links: frozenset[tuple[int, int]] = frozenset()  # (role id, user id) at this employer

    def of_type(self, user_type: UserType) -> list[StaffMember]:
        return [m for m in self.members if m.user_type is user_type]

    def managers_of(self, department_id: int | None) -> list[StaffMember]:
        """Managers of a department; of any department when the request is not known yet."""
        return [
            m
            for m in self.of_type(UserType.DEPARTMENT_MANAGER)
            if department_id is None or department_id in m.department_ids
        ]

    def by_ids(self, ids: Iterable[int]) -> list[StaffMember]:
        wanted = set(ids)
        return [m for m in self.members if m.user_id in wanted]


@dataclass(frozen=True)
class RequestSubject:
    """The employee a request is about. None when counting for no request in particular."""

    department_id: int
    person_id: int
    deviating_approver_id: int | None = None
    submitter_id: int | None = None  # management actions: the employer user who started it


@dataclass(frozen=True)
class Assignment:
    actors: frozenset[int]  # may complete, approve or reject (empty for notifications)
    recipients: frozenset[int]  # informed by a notification, or the actors of an action step
    email_to: frozenset[int]
    via_deviating_approver: bool = False
    no_eligible_assignee: bool = False  # an action step that nobody may handle


def candidates(
    step: StepConfig, staff: EmployerStaff, subject: RequestSubject | None
) -> list[StaffMember]:
    assignee = step.assignee
    department = subject.department_id if subject else None
    if assignee.kind is AssigneeKind.ROLE:
        holders = {u for r, u in staff.role_links if r == assignee.role_id}
        return staff.by_ids(holders)
    if assignee.kind is AssigneeKind.USERS:
        return staff.by_ids(assignee.user_ids)
    if assignee.kind is AssigneeKind.ALL_USERS:
        # "The department's managers if there are any": a manager who is the employee itself
        # cannot act on its own request, so it does not count as one.
        own = subject.person_id if subject else None
        managers = [m for m in staff.managers_of(department) if own is None or m.person_id != own]
        return managers or staff.of_type(UserType.EMPLOYER)
    if assignee.user_type is UserType.DEPARTMENT_MANAGER:
        return staff.managers_of(department)
    if assignee.user_type is None:  # USER_TYPE without a type: nobody is of it
        return []
    return staff.of_type(assignee.user_type)


def resolve(
    step: StepConfig,
    staff: EmployerStaff,
    subject: RequestSubject | None,
    *,
    mode: ApprovalMode | None = None,
) -> Assignment:
    members = candidates(step, staff, subject)
    if step.kind is StepKind.NOTIFICATION:
        ids = frozenset(m.user_id for m in members)
        mailable = frozenset(m.user_id for m in members if m.has_email)
        return Assignment(actors=frozenset(), recipients=ids, email_to=mailable)

    own_person = subject.person_id if subject else None

    def may_handle(m: StaffMember) -> bool:
        if subject is None:
            return True
        if m.person_id == own_person or m.user_id == subject.submitter_id:
            return False
        return (
            m.user_type is not UserType.DEPARTMENT_MANAGER
            or subject.department_id in m.department_ids
        )

    via_deviating = False
    if subject and subject.deviating_approver_id is not None:
        deviating = [m for m in staff.by_ids([subject.deviating_approver_id]) if may_handle(m)]
        chosen = step.assignee.kind is AssigneeKind.USERS
        others = [m for m in members if may_handle(m)]
        if deviating and (not chosen or not others):
            members, via_deviating = deviating, True

    members = [m for m in members if may_handle(m)]
    email_to = frozenset(m.user_id for m in members if m.has_email) if step.send_email else None

    actors = {m.user_id for m in members}
    if (
        mode is ApprovalMode.ALL_USERS
        and step.kind is StepKind.APPROVAL
        and step.assignee.kind is AssigneeKind.ALL_USERS
        and not via_deviating
    ):
        actors |= {m.user_id for m in staff.of_type(UserType.PROVIDER) if may_handle(m)}
    return Assignment(
        actors=frozenset(actors),
        recipients=frozenset(actors),
        email_to=email_to or frozenset(),
        via_deviating_approver=via_deviating,
        no_eligible_assignee=not actors,
    )


def emails_per_request(
    steps: Iterable[StepConfig],
    staff: EmployerStaff,
    subject: RequestSubject | None = None,
    *,
    mode: ApprovalMode | None = None,
) -> list[int]:
    """E-mails each step sends for one request, as the editor shows below the steps."""
    return [len(resolve(s, staff, subject, mode=mode).email_to) for s in steps]
