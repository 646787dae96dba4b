"""How many items each list field of the schema counts for in a query's cost (issue 13.9).

The cost of an operation (app/schema/limits.py) multiplies the selections under a list by
the items the list can hold. A connection counts its `first`; every other list field has its
bound here, in one place: a domain maximum where the rules fix one (six steps, eight workflow
types), else a declared estimate of a large office. A list field missing here counts
`UNLISTED` and fails tests/api/test_list_bounds.py, so a new one cannot slip in at 1.
Introspection lists are bounded by the schema itself (`introspection_bounds`).
"""

from __future__ import annotations

from functools import cache

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

# A list field without a bound here: counted as a full page, and a failing test.
UNLISTED = 100
# Fields of `*Connection` types named `edges`: the page is counted at the field that takes
# `first` (the connection itself), not again here.
CONNECTION_EDGES = 1

# Declared estimates: lists whose length the data decides, with no rule capping it. Sized for a
# large office, so that a query over them is priced as it would run there.
EMPLOYERS_OF_A_USER = 500  # employers a provider user reaches (an office's clients)
DEPARTMENTS = 50  # of one employer
ROLES = 30  # of one office
ROLES_OF_A_USER_AT_AN_EMPLOYER = 10
ROLE_LINKS_OF_AN_EMPLOYER = 200
ROLE_LINKS_OF_A_USER = 100  # a provider user linked at many employers
COMPONENT_SETS = 10
COMPONENTS_PER_SET = 30
EMPLOYMENTS_OF_A_PERSON = 5
CHOSEN_USERS_PER_STEP = 20  # restricted mode: the specific users of one step
VERSIONS_OF_A_DEFINITION = 50
MIGRATION_CANDIDATES = 1000  # employees of one employer still on Werknemerloket
NOTES_PER_CANDIDATE = 5  # warnings or stoppers of one migration candidate
ERRORS_PER_PAYLOAD = 10  # UserErrors of one mutation (one per field at most, in practice)
FIELD_PATH = 5  # the input path of one UserError
ACTION_LOG_PER_PERSON = 3  # log entries of a collective action per person it covers


@cache
def list_bounds() -> dict[tuple[str, str], int]:
    """(type name, field name) -> items. Built on first use: the domain maxima live in modules
    that import the schema."""
    from app.domain.authz import Right
    from app.domain.catalogue import Product, WorkflowType
    from app.domain.changes import MAX_CONTACTS
    from app.domain.definitions import MAX_STEPS
    from app.domain.employee_record import FIELDS as EMPLOYEE_FIELDS
    from app.domain.employee_sheet import HEADERS as SHEET_HEADERS
    from app.domain.employee_sheet import REPORT_ROWS
    from app.domain.limits import MAX_BATCH, MAX_BULK, MAX_PEOPLE
    from app.domain.offices import MAX_MANAGERS
    from app.domain.overview import OverviewColumn
    from app.domain.workflow import InstanceStatus

    # Per step of a request: started, e-mails queued or notified, acted, commented; per
    # request: submitted, applied, finished, processed or withdrawn.
    audit_entries = MAX_STEPS * 4 + 5
    # Every field of the largest change (14 labelled fields) plus one line per contact person.
    change_lines = 14 + MAX_CONTACTS
    bounds = {
        # Domain maxima
        ("WorkflowDefinitionVersion", "steps"): MAX_STEPS,
        ("WorkflowInstance", "steps"): MAX_STEPS,
        ("WorkflowDefinition", "emailBreakdown"): MAX_STEPS,
        ("WorkflowInstance", "auditTrail"): audit_entries,
        ("WorkflowInstance", "requestedChange"): change_lines,
        ("Employer", "workflowDefinitions"): len(WorkflowType),
        ("Employer", "products"): len(Product),
        ("Employer", "activeProducts"): len(Product),
        ("WorkflowDefinition", "missingProducts"): len(Product),
        ("Viewer", "rights"): len(Right),
        ("User", "rights"): len(Right),
        ("EmployerAccess", "rights"): len(Right),
        ("TaskConnection", "countsPerType"): len(WorkflowType),
        ("WorkflowInstanceConnection", "countsPerType"): len(WorkflowType),
        ("WorkflowInstanceConnection", "countsPerStatus"): len(InstanceStatus),
        ("WorkflowInstanceConnection", "columns"): len(OverviewColumn),
        ("ApproveTasksPayload", "results"): MAX_BULK,
        ("ProcessExpenseClaimsPayload", "results"): MAX_BATCH,
        ("CollectiveAction", "items"): MAX_PEOPLE,
        ("UpsertEmployeePayload", "changedFields"): len(EMPLOYEE_FIELDS),
        ("ImportEmployeesPayload", "rows"): REPORT_ROWS,
        ("ImportRow", "errors"): len(SHEET_HEADERS),
        ("CollectiveAction", "log"): ACTION_LOG_PER_PERSON * MAX_PEOPLE,
        # Declared estimates
        ("Viewer", "employers"): EMPLOYERS_OF_A_USER,
        ("Viewer", "access"): EMPLOYERS_OF_A_USER,
        ("Viewer", "employments"): EMPLOYMENTS_OF_A_PERSON,
        ("Viewer", "departments"): DEPARTMENTS,
        ("User", "departments"): DEPARTMENTS,
        ("User", "employers"): EMPLOYERS_OF_A_USER,
        ("User", "roleLinks"): ROLE_LINKS_OF_A_USER,
        ("Employer", "departments"): DEPARTMENTS,
        ("Department", "managers"): MAX_MANAGERS,
        ("Employer", "roles"): ROLES,
        ("EmployerAccess", "roles"): ROLES_OF_A_USER_AT_AN_EMPLOYER,
        ("Employer", "roleLinks"): ROLE_LINKS_OF_AN_EMPLOYER,
        ("Employer", "componentSets"): COMPONENT_SETS,
        ("ComponentSet", "components"): COMPONENTS_PER_SET,
        ("Employee", "declarableComponents"): COMPONENTS_PER_SET,
        ("StepAssignee", "users"): CHOSEN_USERS_PER_STEP,
        ("WorkflowDefinition", "versions"): VERSIONS_OF_A_DEFINITION,
        ("Query", "mijnLoketMigrationCandidates"): MIGRATION_CANDIDATES,
        ("MigrationCandidate", "warnings"): NOTES_PER_CANDIDATE,
        ("MigrationCandidate", "stoppers"): NOTES_PER_CANDIDATE,
        ("UserError", "field"): FIELD_PATH,
    }
    return bounds


# Lists of these item types have the same bound wherever they appear.
ITEM_BOUNDS = {"UserError": ERRORS_PER_PAYLOAD}


def _mean(total: int, count: int) -> int:
    return total / count if count else 0


@cache
def introspection_bounds(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """Introspection lists bounded by this schema: all its types and directives; a type's
    fields, input fields, values, interfaces and possible types at their mean over all types
    (each type has one kind of them, and `types { ... }` visits every type: the mean prices
    that as it runs, where the largest count at every level would price the standard
    introspection query at millions); a field's arguments at their mean over all fields."""
    types = list(schema.type_map.values())
    fields = [
        f
        for t in types
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType))
        for f in t.fields.values()
    ]

    def per_type(kind, count) -> int:
        return _mean(sum(count(t) for t in types if isinstance(t, kind)), len(types))

    directives = list(schema.directives)
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(directives),
        ("__Type", "fields"): _mean(len(fields), len(types)),
        ("__Type", "inputFields"): per_type(GraphQLInputObjectType, lambda t: len(t.fields)),
        ("__Type", "enumValues"): per_type(GraphQLEnumType, lambda t: len(t.values)),
        ("__Type", "interfaces"): per_type(GraphQLObjectType, lambda t: len(t.interfaces)),
        ("__Type", "possibleTypes"): per_type(
            (GraphQLInterfaceType, GraphQLUnionType), lambda t: len(schema.get_possible_types(t))
        ),
        ("__Field", "args"): _mean(sum(len(f.args) for f in fields), len(fields)),
        ("__Directive", "args"): _mean(sum(len(d.args) for d in directives), len(directives)),
        ("__Directive", "locations"): _mean(
            sum(len(d.locations) for d in directives), len(directives)
        ),
    }


def bound_of(schema: GraphQLSchema, owner: str, field: str, item: str) -> int | None:
    """Items of the list field `owner.field` (of `item`s), or None when none is declared."""
    if owner.startswith("__"):
        return introspection_bounds(schema).get((owner, field))
    if field == "edges" and owner.endswith("Connection"):
        return CONNECTION_EDGES
    found = list_bounds().get((owner, field))
    return found if found is not None else ITEM_BOUNDS.get(item)
