"""The Dutch words of a step in the request detail (DOMAIN.md section 6): what happened, or that
it waits; a rejected step reads as the request it ended does (Geweigerd)."""

from __future__ import annotations

import pytest

from app.domain.overview import action_label
from app.domain.workflow import STATUS_LABELS, InstanceStatus, StepAction, StepState


@pytest.mark.parametrize(
    ("state", "action", "label"),
    [
        (StepState.DONE, StepAction.APPROVED, "goedgekeurd"),
        (StepState.DONE, StepAction.REJECTED, "geweigerd"),
        (StepState.DONE, StepAction.COMPLETED, "afgerond"),
        (StepState.DONE, StepAction.NOTIFIED, "geïnformeerd"),
        (StepState.OPEN, None, "wacht op actie"),
        (StepState.PENDING, None, None),
        (StepState.CANCELLED, None, None),
    ],
)
def test_step_action_labels(state, action, label):
    assert action_label(state, action) == label


def test_a_rejected_step_and_its_request_use_one_word():
    assert action_label(StepState.DONE, StepAction.REJECTED) == (
        STATUS_LABELS[InstanceStatus.REJECTED].lower()
    )
