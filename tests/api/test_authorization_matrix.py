"""The authorization matrix (issue 8): every query field, mutation and subscription, tried by each
kind of demo user, allowed or denied as DOMAIN.md section 1 and the field's description say.

A new root field without a case here fails `test_every_root_field_has_exactly_one_case`; a case
for a field the schema no longer has fails it too. Actors and outcomes: tests/matrix_cases.py.
Each case runs all actors on one fresh demo (one test per field keeps the matrix fast); what an
actor changes is set up anew for each actor, so one actor's allowance never decides another's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from app.db import models as m
from app.schema import schema
from tests.api.live import post, serve
from tests.api.test_requests import component_id
from tests.matrix_cases import (
    ACTORS,
    Case,
    Ctx,
    activate_workflows,
    address_update_task,
    approved_claim,
    connection_count,
    definition_id,
    expect,
    export_of,
    fixed_term_contracts,
    new_role,
    new_role_link,
    observe,
    observe_subscription,
    other_office,
    outcome_of_all,
    started_migration,
    submitted_claim,
)

STAFF_WITH_THE_RIGHT = "kantoor.admin werkgever.hr"  # MANAGE_WORKFLOW_EDITOR (or every right)
NOT_STAFF = "wn001 wn005"
EVERYONE_SIGNED_IN = (
    "kantoor.admin kantoor.salaris kantoor.y werkgever.hr werkgever.directie manager.verkoop "
    "manager.verkoop:out wn001 wn005"
)
ALL_BUT_THE_ADMIN = (
    "kantoor.salaris kantoor.y werkgever.hr werkgever.directie manager.verkoop "
    "manager.verkoop:out wn001 wn005"
)


def others(*names: str) -> str:
    """Every signed-in actor except `names` (space-separated lists)."""
    excluded = {n for group in names for n in group.split()}
    return " ".join(n for n in EVERYONE_SIGNED_IN.split() if n not in excluded)


# --- Variables per actor (its subject: wn001, or wn005 for manager.verkoop:out) -----------------


async def employer(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer()}


async def subject_employee(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": await ctx.ids.employee(subject)}


async def claims_of_both(ctx: Ctx) -> None:
    """An open expense claim of wn001 (Verkoop) and one of wn005 (Magazijn), for the lists."""
    for number in (1, 5):
        await submitted_claim(ctx, number)


async def claim_instance(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": (await submitted_claim(ctx, subject))["instance"]}


async def claim_task(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": (await submitted_claim(ctx, subject))["task"]}


async def overview_of_subject(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer(), "f": {"employeeIds": [await ctx.ids.employee(subject)]}}


async def task_centre_of_subject(ctx: Ctx, subject: int) -> dict[str, Any]:
    async with ctx.db.reader() as s:
        name = await s.scalar(select(m.Employee.name).where(m.Employee.employee_number == subject))
    return {"f": {"employeeSearch": name}}


async def claim_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    component = await component_id(ctx.db, "Kilometers onbelast")
    return {"c": component, "id": await ctx.ids.employee(subject)}


# --- The matrix --------------------------------------------------------------------------------

QUERIES = [
    Case(
        "viewer",
        "{ viewer { id username } }",
        expect(allow=EVERYONE_SIGNED_IN, deny_auth="anonymous"),
    ),
    Case(
        "node",
        "query ($id: ID!) { node(id: $id) { __typename id } }",
        # wn001's claim: process management, its approvers (the Verkoop manager; the office in
        # all-users mode) and wn001 itself; wn005's claim is out of the manager's scope.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr manager.verkoop wn001",
            deny="kantoor.y werkgever.directie manager.verkoop:out wn005",
            deny_auth="anonymous",
        ),
        variables=claim_instance,
    ),
    Case(
        "employers",
        "{ employers { totalCount edges { node { id } } } }",
        # Where you can act; an employee's own employer is under `viewer.employments`.
        expect(
            allow=others("kantoor.y", NOT_STAFF),
            empty="kantoor.y wn001 wn005",
            deny_auth="anonymous",
        ),
        count=connection_count,
    ),
    Case(
        "taskCentre",
        """query ($f: TaskCentreFilter) { taskCentre(filter: $f) {
          totalCount edges { node { id } } } }""",
        # The subject's open claim: Verkoop has a manager, so the manager approves (and the
        # office, all-users mode), not the employer users; Magazijn has none: the employer users.
        expect(
            allow="kantoor.admin kantoor.salaris manager.verkoop",
            empty=others("kantoor.admin kantoor.salaris manager.verkoop"),
            deny_auth="anonymous",
        ),
        variables=task_centre_of_subject,
        prepare=claims_of_both,
        count=connection_count,
    ),
    Case(
        "processOverview",
        """query ($e: ID, $f: ProcessOverviewFilter) { processOverview(employerId: $e, tab: OPEN,
          filter: $f) { totalCount edges { node { id } } } }""",
        # PROCESS_MANAGEMENT; a manager sees its departments' rows only, whatever the filter.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr manager.verkoop",
            empty="manager.verkoop:out",
            deny="kantoor.y werkgever.directie wn001 wn005",
            deny_auth="anonymous",
        ),
        variables=overview_of_subject,
        prepare=claims_of_both,
        count=connection_count,
    ),
    Case(
        "outboxEmails",
        """query ($e: ID!) { outboxEmails(employerId: $e) {
          totalCount edges { node { toAddress } } } }""",
        # PROCESS_MANAGEMENT, never department managers.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr",
            deny=others("kantoor.admin kantoor.salaris werkgever.hr"),
            deny_auth="anonymous",
        ),
        variables=employer,
        prepare=claims_of_both,  # e-mail to the Verkoop manager
        count=connection_count,
    ),
    Case(
        "mijnLoketMigrationCandidates",
        "query ($e: ID!) { mijnLoketMigrationCandidates(employerId: $e) { employee { id } } }",
        # COLLECTIVE_ACTIONS (only the office administrator holds it), never managers.
        expect(allow="kantoor.admin", deny=ALL_BUT_THE_ADMIN, deny_auth="anonymous"),
        variables=employer,
        count=len,
    ),
    Case(
        "messageCentre",
        """query ($e: ID!) { messageCentre(employerId: $e) {
          totalCount edges { node { id } } } }""",
        expect(allow="kantoor.admin", deny=ALL_BUT_THE_ADMIN, deny_auth="anonymous"),
        variables=employer,
        prepare=started_migration,
        count=connection_count,
    ),
    Case(
        "mijnLoketActivation",
        'query { mijnLoketActivation(token: "geen-echte-link") { status } }',
        # Public: the link is the key (an unknown one is INVALID, for anyone).
        expect(allow=f"anonymous {EVERYONE_SIGNED_IN}"),
    ),
]


async def product_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer()}


async def role_to_rename(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"r": await ctx.ids.role("HR")}


async def role_to_delete(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"r": await new_role(ctx)}


async def new_role_name(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"n": f"Nieuwe rol {next(ctx.serial)}"}


async def link_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {
        "r": await ctx.ids.role("Directie"),
        "u": await ctx.ids.user("werkgever.hr"),
        "e": await ctx.ids.employer(),
    }


async def link_to_remove(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"l": await new_role_link(ctx)}


async def right_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"u": await ctx.ids.user("werkgever.directie"), "e": await ctx.ids.employer()}


async def deviating_approver_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": await ctx.ids.employee(subject), "u": await ctx.ids.user("werkgever.directie")}


async def component_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"c": await component_id(ctx.db, "Brandstofkosten")}


async def migration_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer(), "p": [await ctx.ids.employee(41)]}


async def expense_claim_steps(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"d": definition_id(await ctx.employer_pk(), "EXPENSE_CLAIM")}


async def address_task(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": await address_update_task(ctx, subject)}


async def approved_claim_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": await approved_claim(ctx, subject)}


async def personal_data_workflows(ctx: Ctx) -> None:
    await activate_workflows(ctx, "MARITAL_STATUS_UPDATE", "EMERGENCY_CONTACTS_UPDATE",
                             "IBAN_UPDATE")  # fmt: skip


async def contract_extensions(ctx: Ctx) -> None:
    await activate_workflows(ctx, "CONTRACT_EXTENSION")
    await fixed_term_contracts(ctx)


async def terminations(ctx: Ctx) -> None:
    await activate_workflows(ctx, "EMPLOYMENT_TERMINATION")


# Self-service: MijnLoket accounts only, for their own employment (wn005 names wn001's).
SELF_SERVICE = expect(
    allow="wn001",
    deny=others(NOT_STAFF),
    refused="wn005",
    deny_auth="anonymous",
)
# The workflow editor: MANAGE_WORKFLOW_EDITOR at the employer, never department managers.
EDITORS = expect(allow=STAFF_WITH_THE_RIGHT, deny=others(STAFF_WITH_THE_RIGHT),
                 deny_auth="anonymous")  # fmt: skip
# Administration with a right only the office administrator holds (and kantoor.y at its office).
ADMIN_ONLY = expect(allow="kantoor.admin", deny=ALL_BUT_THE_ADMIN, deny_auth="anonymous")
# Acting on wn001's claim: the Verkoop manager and the office (all-users mode); others who may
# see the request are not assigned, the rest may not see it; employees are not staff.
CLAIM_APPROVERS = expect(
    allow="kantoor.admin kantoor.salaris manager.verkoop",
    refused="kantoor.y werkgever.hr werkgever.directie manager.verkoop:out",
    deny=NOT_STAFF,
    deny_auth="anonymous",
)
# A management action: VIEW_EMPLOYEES at the employer (managers: their departments).
MANAGEMENT_ACTION = expect(
    allow="kantoor.admin werkgever.hr werkgever.directie manager.verkoop",
    refused="kantoor.salaris kantoor.y manager.verkoop:out",
    deny=NOT_STAFF,
    deny_auth="anonymous",
)

PAYLOAD = "errors { code field }"

MUTATIONS = [
    Case(
        "setProductActive",
        f"""mutation ($e: ID!) {{ setProductActive(input: {{employerId: $e, product: LEAVE_SCHEME,
          active: true}}) {{ {PAYLOAD} }} }}""",
        ADMIN_ONLY,  # MANAGE_PRODUCTS
        variables=product_input,
    ),
    Case(
        "createRole",
        f"mutation ($n: String!) {{ createRole(input: {{name: $n}}) {{ {PAYLOAD} }} }}",
        # MANAGE_ROLES at provider level: kantoor.y holds it at its own office.
        expect(
            allow="kantoor.admin kantoor.y",
            deny=others("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=new_role_name,
    ),
    Case(
        "renameRole",
        f"""mutation ($r: ID!) {{ renameRole(input: {{roleId: $r, name: "HR"}}) {{
          {PAYLOAD} }} }}""",
        # kantoor.y holds MANAGE_ROLES, but for its own office's roles: not this one.
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=others("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=role_to_rename,
    ),
    Case(
        "deleteRole",
        f"mutation ($r: ID!) {{ deleteRole(input: {{roleId: $r}}) {{ {PAYLOAD} }} }}",
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=others("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=role_to_delete,
    ),
    Case(
        "linkRole",
        f"""mutation ($r: ID!, $u: ID!, $e: ID!) {{ linkRole(input: {{roleId: $r, userId: $u,
          employerId: $e}}) {{ {PAYLOAD} }} }}""",
        ADMIN_ONLY,  # MANAGE_USERS
        variables=link_input,
    ),
    Case(
        "unlinkRole",
        f"mutation ($l: ID!) {{ unlinkRole(input: {{roleLinkId: $l}}) {{ {PAYLOAD} }} }}",
        ADMIN_ONLY,
        variables=link_to_remove,
    ),
    Case(
        "grantRight",
        f"""mutation ($u: ID!, $e: ID) {{ grantRight(input: {{userId: $u,
          right: VIEW_MIJNLOKET_EMAIL, employerId: $e}}) {{ {PAYLOAD} }} }}""",
        ADMIN_ONLY,
        variables=right_input,
    ),
    Case(
        "revokeRight",
        # A right werkgever.directie does not hold: a no-op for whoever may do it.
        f"""mutation ($u: ID!, $e: ID) {{ revokeRight(input: {{userId: $u,
          right: COLLECTIVE_ACTIONS, employerId: $e}}) {{ {PAYLOAD} }} }}""",
        ADMIN_ONLY,
        variables=right_input,
    ),
    Case(
        "setDeviatingApprover",
        f"""mutation ($id: ID!, $u: ID) {{ setDeviatingApprover(input: {{employeeId: $id,
          userId: $u}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=deviating_approver_input,
    ),
    Case(
        "setWorkflowActive",
        f"""mutation ($e: ID!) {{ setWorkflowActive(input: {{employerId: $e,
          type: MARITAL_STATUS_UPDATE, active: true}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=employer,
    ),
    Case(
        "setEmployeeComponentSet",
        f"""mutation ($id: ID!) {{ setEmployeeComponentSet(input: {{employeeId: $id}}) {{
          {PAYLOAD} }} }}""",
        EDITORS,
        variables=subject_employee,
    ),
    Case(
        "setComponentLabel",
        f"""mutation ($c: ID!) {{ setComponentLabel(input: {{componentId: $c, label: "Tanken"}})
          {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=component_input,
    ),
    Case(
        "startMijnLoketMigration",
        f"""mutation ($e: ID!, $p: [ID!]!) {{ startMijnLoketMigration(input: {{employerId: $e,
          employeeIds: $p}}) {{ {PAYLOAD} }} }}""",
        ADMIN_ONLY,  # COLLECTIVE_ACTIONS, never managers
        variables=migration_input,
    ),
    Case(
        "activateMijnLoket",
        f"""mutation {{ activateMijnLoket(input: {{token: "geen-echte-link",
          password: "een lang genoeg wachtwoord"}}) {{ {PAYLOAD} }} }}""",
        # Public: the link is the key; an unknown link is an INVALID_TOKEN UserError for anyone.
        expect(allow=f"anonymous {EVERYONE_SIGNED_IN}"),
    ),
    Case(
        "updateWorkflowSteps",
        f"""mutation ($d: ID!) {{ updateWorkflowSteps(input: {{definitionId: $d, steps: [
          {{kind: APPROVAL, name: "Goedkeuren", allUsers: true, sendEmail: true}}]}}) {{
          {PAYLOAD} }} }}""",
        EDITORS,
        variables=expense_claim_steps,
    ),
    Case(
        "submitExpenseClaim",
        f"""mutation ($c: ID!, $id: ID) {{ submitExpenseClaim(input: {{componentId: $c,
          value: "12", employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=claim_input,
    ),
    Case(
        "submitAddressUpdate",
        f"""mutation ($id: ID) {{ submitAddressUpdate(input: {{street: "Laan", houseNumber: "1",
          postcode: "1234 AB", city: "Ede", employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=subject_employee,
    ),
    Case(
        "submitMaritalStatusUpdate",
        f"""mutation ($id: ID) {{ submitMaritalStatusUpdate(input: {{maritalStatus: MARRIED,
          employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=subject_employee,
        prepare=personal_data_workflows,
    ),
    Case(
        "submitContactDetailsUpdate",
        f"""mutation ($id: ID) {{ submitContactDetailsUpdate(input: {{phone: "0201234567",
          employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=subject_employee,
    ),
    Case(
        "submitEmergencyContactsUpdate",
        f"""mutation ($id: ID) {{ submitEmergencyContactsUpdate(input: {{contacts: [{{
          name: "Jan", relation: "Partner", phone: "0201234567"}}], employeeId: $id}}) {{
          {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=subject_employee,
        prepare=personal_data_workflows,
    ),
    Case(
        "submitIbanUpdate",
        f"""mutation ($id: ID) {{ submitIbanUpdate(input: {{iban: "NL91ABNA0417164300",
          employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=subject_employee,
        prepare=personal_data_workflows,
    ),
    Case(
        "submitContractExtension",
        f"""mutation ($id: ID!) {{ submitContractExtension(input: {{employeeId: $id,
          newContractEnd: "2027-06-30"}}) {{ {PAYLOAD} }} }}""",
        MANAGEMENT_ACTION,
        variables=subject_employee,
        prepare=contract_extensions,
    ),
    Case(
        "submitEmploymentTermination",
        f"""mutation ($id: ID!) {{ submitEmploymentTermination(input: {{employeeId: $id,
          endDate: "2027-01-31"}}) {{ {PAYLOAD} }} }}""",
        MANAGEMENT_ACTION,
        variables=subject_employee,
        prepare=terminations,
    ),
    Case(
        "withdrawRequest",
        f"""mutation ($id: ID!) {{ withdrawRequest(input: {{instanceId: $id}}) {{
          {PAYLOAD} }} }}""",
        # Only the submitter (wn001, of its own claim).
        expect(allow="wn001", refused=others("wn001"), deny_auth="anonymous"),
        variables=claim_instance,
    ),
    Case(
        "completeTask",
        f"mutation ($id: ID!) {{ completeTask(input: {{taskId: $id}}) {{ {PAYLOAD} }} }}",
        # The address update's task is for role Salarisprofessional: kantoor.salaris only.
        expect(
            allow="kantoor.salaris",
            refused=others("kantoor.salaris", NOT_STAFF),
            deny=NOT_STAFF,
            deny_auth="anonymous",
        ),
        variables=address_task,
    ),
    Case(
        "approveTask",
        f"mutation ($id: ID!) {{ approveTask(input: {{taskId: $id}}) {{ {PAYLOAD} }} }}",
        CLAIM_APPROVERS,
        variables=claim_task,
    ),
    Case(
        "rejectTask",
        f"""mutation ($id: ID!) {{ rejectTask(input: {{taskId: $id, comment: "Nee"}}) {{
          {PAYLOAD} }} }}""",
        CLAIM_APPROVERS,
        variables=claim_task,
    ),
    Case(
        "commentOnTask",
        f"""mutation ($id: ID!) {{ commentOnTask(input: {{taskId: $id, comment: "Even kijken"}})
          {{ {PAYLOAD} }} }}""",
        CLAIM_APPROVERS,
        variables=claim_task,
    ),
    Case(
        "approveTasks",
        f"""mutation ($id: ID!) {{ approveTasks(input: {{taskIds: [$id]}}) {{ {PAYLOAD}
          results {{ errors {{ code }} }} }} }}""",
        CLAIM_APPROVERS,
        variables=claim_task,
    ),
    Case(
        "processExpenseClaims",
        f"""mutation ($id: ID!) {{ processExpenseClaims(input: {{instanceIds: [$id],
          payrollPeriod: "2026-11"}}) {{ {PAYLOAD} results {{ errors {{ code }} }} }} }}""",
        # PROCESS_MANAGEMENT at the claim's employer, never department managers.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr",
            refused="kantoor.y werkgever.directie manager.verkoop manager.verkoop:out",
            deny=NOT_STAFF,
            deny_auth="anonymous",
        ),
        variables=approved_claim_input,
    ),
    Case(
        "exportProcessOverview",
        f"""mutation ($e: ID, $f: ProcessOverviewFilter) {{ exportProcessOverview(input: {{
          employerId: $e, tab: OPEN, filter: $f}}) {{ export {{ rowCount }} {PAYLOAD} }} }}""",
        # As processOverview: a manager's file holds its departments' rows only.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr manager.verkoop",
            empty="manager.verkoop:out",
            deny="kantoor.y werkgever.directie wn001 wn005",
            deny_auth="anonymous",
        ),
        variables=overview_of_subject,
        prepare=claims_of_both,
        count=lambda data: data["export"]["rowCount"],
    ),
]


async def export_of_hr(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": ctx.memo["export"]}


async def hr_exports(ctx: Ctx) -> None:
    ctx.memo["export"] = await export_of(ctx, "werkgever.hr")


SUBSCRIPTIONS = [
    Case(
        "taskCentreChanged",
        "subscription { taskCentreChanged { eventId kind } }",
        expect(allow=others(NOT_STAFF), deny=NOT_STAFF, deny_auth="anonymous"),  # staff only
    ),
    Case(
        "processOverviewChanged",
        "subscription ($e: ID!) { processOverviewChanged(employerId: $e) { eventId kind } }",
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr manager.verkoop manager.verkoop:out",
            deny="kantoor.y werkgever.directie wn001 wn005",
            deny_auth="anonymous",
        ),
        variables=employer,
    ),
    Case(
        "messageCentreChanged",
        "subscription ($e: ID!) { messageCentreChanged(employerId: $e) { eventId resync } }",
        ADMIN_ONLY,  # COLLECTIVE_ACTIONS, never managers
        variables=employer,
    ),
    Case(
        "exportProgress",
        "subscription ($id: ID!) { exportProgress(exportId: $id) { status } }",
        # Only the user who asked for the export: not even an administrator with every right.
        expect(allow="werkgever.hr", deny=others("werkgever.hr"), deny_auth="anonymous"),
        variables=export_of_hr,
        prepare=hr_exports,
    ),
]

CASES = {case.field: case for case in [*QUERIES, *MUTATIONS, *SUBSCRIPTIONS]}
HTTP_CASES = [c.field for c in [*QUERIES, *MUTATIONS]]


def test_every_root_field_has_exactly_one_case():
    cases = [f"{c.root}.{c.field}" for c in [*QUERIES, *MUTATIONS, *SUBSCRIPTIONS]]
    duplicates = sorted({c for c in cases if cases.count(c) > 1})
    assert not duplicates, f"more than one case for {duplicates}"
    graphql_schema = schema._schema
    roots = (graphql_schema.query_type, graphql_schema.mutation_type,
             graphql_schema.subscription_type)  # fmt: skip
    fields = {f"{root.name}.{name}" for root in roots if root for name in root.fields}
    missing = sorted(fields - set(cases))
    assert not missing, (
        f"no authorization case for {', '.join(missing)}: add one to the matrix in "
        "tests/api/test_authorization_matrix.py (who may use it, who not)"
    )
    removed = sorted(set(cases) - fields)
    assert not removed, f"the matrix has cases for fields the schema no longer has: {removed}"


@pytest.mark.parametrize("field", HTTP_CASES)
async def test_authorization(field, graphql, db, ids, token):
    case = CASES[field]
    ctx = Ctx(graphql=graphql, db=db, ids=ids)
    await other_office(db)
    if case.prepare is not None:
        await case.prepare(ctx)
    seen = []
    for actor in ACTORS:
        variables = await case.variables(ctx, actor.subject)
        result = await graphql(case.operation, variables, as_user=actor.username)
        seen.append((actor, case.outcomes[actor.name], observe(case, result)))
    outcome_of_all(seen, case)


@pytest.mark.parametrize("field", [c.field for c in SUBSCRIPTIONS])
async def test_subscription_authorization(field, settings, db, ids, token):
    case = CASES[field]
    await other_office(db)
    async with serve(settings) as base:

        async def gql(query, variables=None, *, as_user):
            return await post(base, token(as_user), query, variables)

        ctx = Ctx(graphql=gql, db=db, ids=ids)
        if case.prepare is not None:
            await case.prepare(ctx)
        probes = []
        for actor in ACTORS:
            variables = await case.variables(ctx, actor.subject)
            user_token = token(actor.username) if actor.username else None
            expected = case.outcomes[actor.name]
            probes.append(observe_subscription(case, base, user_token, variables, expected))
        observed = await asyncio.gather(*probes)
    outcome_of_all(
        [(a, case.outcomes[a.name], o) for a, o in zip(ACTORS, observed, strict=True)], case
    )
