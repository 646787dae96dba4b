"""SQLAlchemy 2 models, one module per part of the domain; import them from here."""

from app.db.models.access import RightGrant, Role, RoleLink, User, UserDepartment, UserEmployer
from app.db.models.administration import AdministrationEntry
from app.db.models.base import Base, UTCDateTime, utcnow
from app.db.models.components import ClosedPayrollPeriod, Component, ComponentSet
from app.db.models.exports import Export, ExportPart, ExportStatus
from app.db.models.migration import (
    ActionLogEntry,
    ActionStatus,
    CollectiveAction,
    CollectiveActionItem,
    Invitation,
    ItemStatus,
)
from app.db.models.outbox import EmailStatus, OutboxEmail, OutboxEvent
from app.db.models.products import ProductActivation, ProductEvent, ProductEventKind
from app.db.models.requests import AuditEntry, ExpenseClaim, InstanceStep, WorkflowInstance
from app.db.models.tenancy import (
    Department,
    Employee,
    Employer,
    MaritalStatus,
    Person,
    Provider,
    WerknemerloketState,
)
from app.db.models.workflows import (
    WorkflowDefinition,
    WorkflowDefinitionVersion,
    WorkflowStep,
    WorkflowStepUser,
)
from app.domain.authz import Right, UserType
from app.domain.catalogue import MijnLoketVariant, Product

__all__ = [
    "ActionLogEntry",
    "ActionStatus",
    "AdministrationEntry",
    "AuditEntry",
    "Base",
    "ClosedPayrollPeriod",
    "CollectiveAction",
    "CollectiveActionItem",
    "Component",
    "ComponentSet",
    "Department",
    "EmailStatus",
    "Employee",
    "Employer",
    "ExpenseClaim",
    "Export",
    "ExportPart",
    "ExportStatus",
    "InstanceStep",
    "Invitation",
    "ItemStatus",
    "MaritalStatus",
    "MijnLoketVariant",
    "OutboxEmail",
    "OutboxEvent",
    "Person",
    "Product",
    "ProductActivation",
    "ProductEvent",
    "ProductEventKind",
    "Provider",
    "Right",
    "RightGrant",
    "Role",
    "RoleLink",
    "UTCDateTime",
    "User",
    "UserDepartment",
    "UserEmployer",
    "UserType",
    "WerknemerloketState",
    "WorkflowDefinition",
    "WorkflowDefinitionVersion",
    "WorkflowInstance",
    "WorkflowStep",
    "WorkflowStepUser",
    "utcnow",
]
