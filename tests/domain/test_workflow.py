"""The step engine with plain objects: every transition, effect and refusal."""

from __future__ import annotations

import pytest

from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.definitions import Assignee, StepConfig, StepKind
from app.domain.errors import DomainError, ErrorCode
from app.domain.workflow import (
    ApplyChange,
    Approve,
    Audit,
    AuditKind,
    Comment,
    Complete,
    InstanceStatus,
    Process,
    Reject,
    SendNotification,
    SendTaskEmail,
    StepAction,
    StepState,
    Withdraw,
    act,
    start,
)

EMPLOYERS = Assignee.of_type(UserType.EMPLOYER)
NOTIFY = StepConfig(StepKind.NOTIFICATION, "Melding", EMPLOYERS, True)
TASK = StepConfig(StepKind.TASK, "Controleren", EMPLOYERS, False)
APPROVAL = StepConfig(StepKind.APPROVAL, "Goedkeuren", EMPLOYERS, True)
SUBMITTER, ACTOR, OTHER = 100, 7, 8


def kinds(effects):
    return [e.kind if isinstance(e, Audit) else type(e).__name__ for e in effects]


def test_zero_steps_apply_an_update_at_once():
    t = start(WorkflowType.CONTACT_DETAILS_UPDATE, [], SUBMITTER)
    assert t.instance.status is InstanceStatus.PROCESSED
    assert kinds(t.effects) == [
        AuditKind.SUBMITTED,
        AuditKind.FINISHED,
        "ApplyChange",
        AuditKind.CHANGE_APPLIED,
    ]


def test_zero_step_expense_claim_is_completed_not_processed():
    t = start(WorkflowType.EXPENSE_CLAIM, [], SUBMITTER)
    assert t.instance.status is InstanceStatus.COMPLETED
    assert not any(isinstance(e, ApplyChange) for e in t.effects)


def test_notifications_pass_and_a_task_stops_the_run():
    config = [NOTIFY, TASK, NOTIFY]
    t = start(WorkflowType.ADDRESS_UPDATE, config, SUBMITTER)
    assert [s.state for s in t.instance.steps] == [
        StepState.DONE,
        StepState.OPEN,
        StepState.PENDING,
    ]
    assert t.instance.steps[0].action is StepAction.NOTIFIED
    assert SendNotification(1) in t.effects and SendTaskEmail(2) in t.effects
    assert t.instance.status is InstanceStatus.IN_PROGRESS

    done = act(t.instance, config, Complete(2, ACTOR, " gecontroleerd "), eligible={ACTOR})
    assert done.instance.status is InstanceStatus.PROCESSED
    assert done.instance.steps[1].comment == "gecontroleerd"
    assert done.instance.steps[1].actor_id == ACTOR
    assert SendNotification(3) in done.effects
    assert kinds(done.effects)[-2:] == ["ApplyChange", AuditKind.CHANGE_APPLIED]


def test_approval_then_processing_of_an_expense_claim():
    t = start(WorkflowType.EXPENSE_CLAIM, [APPROVAL], SUBMITTER)
    approved = act(t.instance, [APPROVAL], Approve(1, ACTOR), eligible={ACTOR})
    assert approved.instance.status is InstanceStatus.COMPLETED
    processed = act(approved.instance, [APPROVAL], Process(ACTOR, "2026-11"))
    assert processed.instance.status is InstanceStatus.PROCESSED
    assert processed.effects == (Audit(AuditKind.PROCESSED, actor_id=ACTOR, comment="2026-11"),)
    with pytest.raises(DomainError) as again:
        act(processed.instance, [APPROVAL], Process(ACTOR, "2026-12"))
    assert again.value.code is ErrorCode.NOT_PROCESSABLE


def test_rejection_needs_a_comment_and_ends_the_request():
    config = [APPROVAL, TASK]
    t = start(WorkflowType.IBAN_UPDATE, config, SUBMITTER)
    with pytest.raises(DomainError) as missing:
        act(t.instance, config, Reject(1, ACTOR, "   "), eligible={ACTOR})
    assert (missing.value.code, missing.value.field) == (ErrorCode.COMMENT_REQUIRED, ["comment"])
    rejected = act(t.instance, config, Reject(1, ACTOR, "Onjuist IBAN"), eligible={ACTOR})
    assert rejected.instance.status is InstanceStatus.REJECTED
    assert [s.state for s in rejected.instance.steps] == [StepState.DONE, StepState.CANCELLED]
    assert rejected.instance.steps[0].action is StepAction.REJECTED
    assert not any(isinstance(e, ApplyChange) for e in rejected.effects)


def test_the_first_action_wins_and_a_second_is_refused():
    t = start(WorkflowType.EXPENSE_CLAIM, [APPROVAL], SUBMITTER)
    first = act(t.instance, [APPROVAL], Approve(1, ACTOR), eligible={ACTOR, OTHER})
    for late in (Approve(1, OTHER), Reject(1, OTHER, "nee"), Approve(1, ACTOR)):
        with pytest.raises(DomainError) as refused:
            act(first.instance, [APPROVAL], late, eligible={ACTOR, OTHER})
        assert refused.value.code is ErrorCode.TASK_ALREADY_DONE


def test_wrong_action_for_the_step_kind_and_not_assigned():
    t = start(WorkflowType.IBAN_UPDATE, [TASK], SUBMITTER)
    with pytest.raises(DomainError) as wrong:
        act(t.instance, [TASK], Approve(1, ACTOR), eligible={ACTOR})
    assert wrong.value.code is ErrorCode.WRONG_TASK_ACTION
    with pytest.raises(DomainError) as stranger:
        act(t.instance, [TASK], Complete(1, OTHER), eligible={ACTOR})
    assert stranger.value.code is ErrorCode.NOT_ASSIGNED
    with pytest.raises(DomainError) as pending:
        act(
            start(WorkflowType.IBAN_UPDATE, [TASK, TASK], SUBMITTER).instance,
            [TASK, TASK],
            Complete(2, ACTOR),
            eligible={ACTOR},
        )
    assert pending.value.code is ErrorCode.TASK_ALREADY_DONE


def test_comments_change_nothing_but_the_audit_trail():
    t = start(WorkflowType.IBAN_UPDATE, [TASK], SUBMITTER)
    commented = act(t.instance, [TASK], Comment(1, ACTOR, "Even bellen"), eligible={ACTOR})
    assert commented.instance == t.instance
    assert commented.effects == (Audit(AuditKind.COMMENTED, 1, ACTOR, "Even bellen"),)


def test_withdrawal_by_the_submitter_only_while_in_progress():
    t = start(WorkflowType.IBAN_UPDATE, [TASK, APPROVAL], SUBMITTER)
    with pytest.raises(DomainError) as other:
        act(t.instance, [TASK, APPROVAL], Withdraw(ACTOR))
    assert other.value.code is ErrorCode.NOT_ALLOWED
    withdrawn = act(t.instance, [TASK, APPROVAL], Withdraw(SUBMITTER))
    assert withdrawn.instance.status is InstanceStatus.WITHDRAWN
    assert {s.state for s in withdrawn.instance.steps} == {StepState.CANCELLED}
    with pytest.raises(DomainError) as twice:
        act(withdrawn.instance, [TASK, APPROVAL], Withdraw(SUBMITTER))
    assert twice.value.code is ErrorCode.REQUEST_CLOSED


def test_six_steps_run_in_order():
    config = [NOTIFY, TASK, APPROVAL, NOTIFY, TASK, APPROVAL]
    instance = start(WorkflowType.MARITAL_STATUS_UPDATE, config, SUBMITTER).instance
    for position, action in ((2, Complete), (3, Approve), (5, Complete), (6, Approve)):
        assert instance.open_step.position == position
        instance = act(instance, config, action(position, ACTOR), eligible={ACTOR}).instance
    assert instance.status is InstanceStatus.PROCESSED
    assert [s.action for s in instance.steps] == [
        StepAction.NOTIFIED,
        StepAction.COMPLETED,
        StepAction.APPROVED,
        StepAction.NOTIFIED,
        StepAction.COMPLETED,
        StepAction.APPROVED,
    ]
