"""Domain enums exposed to GraphQL under the names API.md fixes."""

from __future__ import annotations

import strawberry

from app.db.models import ExportStatus as _ExportStatus
from app.db.models import MaritalStatus as _MaritalStatus
from app.db.models import ProductEventKind as _ProductEventKind
from app.db.models import WerknemerloketState as _WerknemerloketState
from app.domain.authz import Right as _Right
from app.domain.authz import UserType as _UserType
from app.domain.catalogue import MijnLoketVariant as _MijnLoketVariant
from app.domain.catalogue import Product as _Product
from app.domain.catalogue import WorkflowOrigin as _WorkflowOrigin
from app.domain.catalogue import WorkflowType as _WorkflowType
from app.domain.definitions import ApprovalMode as _ApprovalMode
from app.domain.definitions import AssigneeKind as _AssigneeKind
from app.domain.definitions import StepKind as _StepKind
from app.domain.errors import ErrorCode as _ErrorCode
from app.domain.overview import ColumnKind as _ColumnKind
from app.domain.overview import OverviewColumn as _OverviewColumn
from app.domain.overview import OverviewSort as _OverviewSort
from app.domain.overview import ProcessTab as _ProcessTab
from app.domain.overview import SortDirection as _SortDirection
from app.domain.validation import Unit as _Unit
from app.domain.workflow import AuditKind as _AuditKind
from app.domain.workflow import InstanceStatus as _InstanceStatus
from app.domain.workflow import StepAction as _StepAction
from app.domain.workflow import StepState as _StepState

Right = strawberry.enum(_Right, description="A right a user holds at provider or employer level.")
UserType = strawberry.enum(_UserType, description="The kind of login.")
Product = strawberry.enum(_Product, description="A product that can be active at an employer.")
MijnLoketVariant = strawberry.enum(
    _MijnLoketVariant,
    description="Derived from the active products: NONE without MijnLoket, then START, PLUS, PRO.",
)
ErrorCode = strawberry.enum(_ErrorCode, description="Stable codes of expected business failures.")
MaritalStatus = strawberry.enum(_MaritalStatus)
WerknemerloketState = strawberry.enum(
    _WerknemerloketState, description="State of the employee's legacy Werknemerloket account."
)
ProductEventKind = strawberry.enum(_ProductEventKind)

WorkflowType = strawberry.enum(_WorkflowType, description="The eight request types (DOMAIN.md §3).")
WorkflowOrigin = strawberry.enum(_WorkflowOrigin)
StepKind = strawberry.enum(
    _StepKind,
    description="NOTIFICATION informs (always e-mail), TASK waits for completion, APPROVAL for "
    "approval (a rejection ends the workflow).",
)
AssigneeKind = strawberry.enum(_AssigneeKind)
ApprovalMode = strawberry.enum(_ApprovalMode)

WorkflowStatus = strawberry.enum(
    _InstanceStatus,
    name="WorkflowStatus",
    description="IN_PROGRESS (In behandeling), COMPLETED (Afgerond: all steps done; expense claims "
    "wait to be processed), REJECTED (Geweigerd), PROCESSED (Verwerkt), WITHDRAWN (Ingetrokken).",
)
StepState = strawberry.enum(
    _StepState, description="PENDING (not reached), OPEN (to do), DONE, CANCELLED (request ended)."
)
StepAction = strawberry.enum(_StepAction)
AuditKind = strawberry.enum(_AuditKind)
Unit = strawberry.enum(_Unit, description="What a component's value counts.")
ProcessTab = strawberry.enum(
    _ProcessTab,
    description="OPEN (Openstaand: in progress) or HISTORICAL (Historisch: completed, rejected, "
    "processed or withdrawn).",
)
OverviewSort = strawberry.enum(_OverviewSort, description="What the process overview sorts by.")
SortDirection = strawberry.enum(_SortDirection)
OverviewColumn = strawberry.enum(
    _OverviewColumn, description="A column of the process overview and of its Excel download."
)
ColumnKind = strawberry.enum(_ColumnKind)
ExportStatus = strawberry.enum(
    _ExportStatus,
    description="PENDING (waiting for a worker), RUNNING, READY (download from `url` until "
    "`expiresAt`), FAILED (see `error`).",
)
