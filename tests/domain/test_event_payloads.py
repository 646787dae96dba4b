"""Typed event payloads (issue 14.5): each kind's payload survives the outbox column and the
broker message unchanged, and rows stored before typed payloads read the same."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.events import (
    CollectiveActionProgress,
    Event,
    EventKind,
    ExportProgress,
    InstanceChange,
    payload_from_json,
    payload_to_json,
)

AT = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
PAYLOADS = [
    (
        EventKind.STEP_MOVED,
        InstanceChange("EXPENSE_CLAIM", "IN_PROGRESS", "IN_PROGRESS", 2, 1, (7, 9), (3,), 3),
    ),
    (EventKind.INSTANCE_SUBMITTED, InstanceChange("ADDRESS_UPDATE", "IN_PROGRESS")),
    (EventKind.EXPORT_PROGRESS, ExportProgress(4, "RUNNING", 1000, 5000)),
    (EventKind.COLLECTIVE_ACTION_PROGRESS, CollectiveActionProgress(2, "DONE")),
    (EventKind.ACCESS_CHANGED, None),
]


@pytest.mark.parametrize(("kind", "payload"), PAYLOADS)
def test_a_payload_survives_the_outbox_and_the_broker(kind, payload):
    assert payload_from_json(kind, payload_to_json(payload)) == payload
    event = Event(seq=5, kind=kind, at=AT, employer_id=1, payload=payload, id=11)
    assert Event.from_json(event.to_json()) == event


def test_rows_stored_before_typed_payloads_read_the_same():
    """The JSON the outbox held before (app/db/instances.py wrote these names)."""
    stored = {
        "type": "EXPENSE_CLAIM",
        "status": "COMPLETED",
        "previousStatus": "IN_PROGRESS",
        "openPosition": None,
        "previousOpenPosition": 2,
        "openedFor": [],
        "closedFor": [4, 8],
        "closedBy": 4,
    }
    change = payload_from_json("STATUS_CHANGED", stored)
    assert change == InstanceChange(
        "EXPENSE_CLAIM", "COMPLETED", "IN_PROGRESS", None, 2, (), (4, 8), 4
    )
    assert payload_to_json(change) == stored
    assert payload_from_json("EXPORT_PROGRESS", {"exportId": 3, "status": "READY",
                                                 "rowsWritten": 9, "rowCount": 9}) == (
        ExportProgress(3, "READY", 9, 9)
    )  # fmt: skip
    assert payload_from_json("ACCESS_CHANGED", {}) is None
