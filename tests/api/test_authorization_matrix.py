"""The authorization matrix (issue 8): every query field, mutation and subscription, tried by each
kind of user, allowed or denied as DOMAIN.md section 1 and the field's description say.

A root field without a case fails `test_every_root_field_has_exactly_one_case`, and so does a case
for a field the schema no longer has. The actors, the outcomes and the set-up helpers (`given`)
are in tests/matrix_cases.py. All actors of one field run on one fresh demo: one test per field
keeps the matrix fast, and each failure names the field and the actor.
"""

from __future__ import annotations

import asyncio

import pytest

from app.schema import schema
from tests import matrix_cases as given
from tests.api.live import post, serve
from tests.matrix_cases import ACTORS, Case, Ctx, check_outcomes, expect, observe

SIGNED_IN = (
    "kantoor.admin kantoor.salaris kantoor.y werkgever.hr werkgever.directie manager.verkoop "
    "manager.verkoop:out manager.allrights wn001 wn005"
)
EMPLOYEES = "wn001 wn005"  # MijnLoket accounts
# Who may act on wn001's open claim (all-users mode): the managers of Verkoop, and the office.
APPROVERS_OF_WN001 = "kantoor.admin kantoor.salaris manager.verkoop manager.allrights"
# PROCESS_MANAGEMENT at the employer (department managers: for their departments).
PROCESS_MANAGERS = "kantoor.admin kantoor.salaris werkgever.hr manager.verkoop manager.allrights"


def all_but(*names: str) -> str:
    """Every signed-in actor except `names` (space-separated)."""
    excluded = {n for group in names for n in group.split()}
    return " ".join(n for n in SIGNED_IN.split() if n not in excluded)


# COLLECTIVE_ACTIONS at the employer, never department managers: only the office administrator
# holds it here (kantoor.y holds it at its own office only).
ADMIN_ONLY = expect(allow="kantoor.admin", deny=all_but("kantoor.admin"), deny_auth="anonymous")
# MANAGE_USERS (and MANAGE_PRODUCTS) at the employer: their descriptions, unlike the workflow
# editor's, do not exclude department managers, so a manager holding the right may.
EMPLOYER_ADMINISTRATION = expect(
    allow="kantoor.admin manager.allrights",
    deny=all_but("kantoor.admin manager.allrights"),
    deny_auth="anonymous",
)
# The workflow editor: MANAGE_WORKFLOW_EDITOR at the employer, never department managers.
EDITORS = expect(
    allow="kantoor.admin werkgever.hr",
    deny=all_but("kantoor.admin werkgever.hr"),
    deny_auth="anonymous",
)
# Self-service: MijnLoket accounts only, for their own employment (wn005 names wn001's).
SELF_SERVICE = expect(
    allow="wn001", refused="wn005", deny=all_but(EMPLOYEES), deny_auth="anonymous"
)
# A management action: "Requires the right VIEW_EMPLOYEES at the employer (department managers:
# for their departments)": declared on the mutation, so a caller without it, or naming an
# employee out of its reach, gets FORBIDDEN / NOT_FOUND (API.md), not a UserError.
MANAGEMENT_ACTION = expect(
    allow="kantoor.admin werkgever.hr werkgever.directie manager.verkoop manager.allrights",
    deny=f"kantoor.salaris kantoor.y manager.verkoop:out {EMPLOYEES}",
    deny_auth="anonymous",
)
# Acting on wn001's claim: its approvers; others who see the request are not assigned to it
# (NOT_ASSIGNED), the rest do not see it (NOT_FOUND); MijnLoket accounts are not staff.
CLAIM_APPROVERS = expect(
    allow=APPROVERS_OF_WN001,
    refused=all_but(APPROVERS_OF_WN001, EMPLOYEES),
    deny=EMPLOYEES,
    deny_auth="anonymous",
)

PAYLOAD = "errors { code field }"

QUERIES = [
    Case(
        "viewer",
        "{ viewer { id username } }",
        expect(allow=SIGNED_IN, deny_auth="anonymous"),
    ),
    Case(
        "node",
        "query ($id: ID!) { node(id: $id) { __typename id } }",
        # A claim: process management, its approvers and its employee; not another department.
        expect(
            allow=f"{PROCESS_MANAGERS} wn001",
            deny="kantoor.y werkgever.directie manager.verkoop:out wn005",
            deny_auth="anonymous",
        ),
        variables=given.claim_instance,
    ),
    Case(
        "employers",
        "{ employers { totalCount edges { node { id } } } }",
        # Where you can act. "An employer where you are only employed yourself is not listed"
        # (the resolver); "Employers where you only work yourself appear under `employments`"
        # (Viewer.employers): so none for a MijnLoket account.
        expect(
            allow=all_but("kantoor.y", EMPLOYEES),
            empty=f"kantoor.y {EMPLOYEES}",
            deny_auth="anonymous",
        ),
        count=given.total_count,
    ),
    Case(
        "taskCentre",
        """query ($f: TaskCentreFilter) { taskCentre(filter: $f) {
          totalCount edges { node { id } } } }""",
        # The subject's open claim: Verkoop has managers, so they approve it (and the office);
        # wn005's (Magazijn, no manager) goes to the employer users. Empty for employees.
        expect(allow=APPROVERS_OF_WN001, empty=all_but(APPROVERS_OF_WN001), deny_auth="anonymous"),
        variables=given.tasks_of_subject,
        prepare=given.claims_of_both,
        count=given.total_count,
    ),
    Case(
        "processOverview",
        """query ($e: ID, $f: ProcessOverviewFilter) { processOverview(employerId: $e, tab: OPEN,
          filter: $f) { totalCount edges { node { id } } } }""",
        # A manager sees its departments' requests only, whatever the filter.
        expect(
            allow=PROCESS_MANAGERS,
            empty="manager.verkoop:out",
            deny=f"kantoor.y werkgever.directie {EMPLOYEES}",
            deny_auth="anonymous",
        ),
        variables=given.overview_of_subject,
        prepare=given.claims_of_both,
        count=given.total_count,
    ),
    Case(
        "outboxEmails",
        """query ($e: ID!) { outboxEmails(employerId: $e) {
          totalCount edges { node { toAddress } } } }""",
        # PROCESS_MANAGEMENT, never department managers.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr",
            deny=all_but("kantoor.admin kantoor.salaris werkgever.hr"),
            deny_auth="anonymous",
        ),
        variables=given.employer,
        prepare=given.claims_of_both,  # e-mails to the Verkoop managers
        count=given.total_count,
    ),
    Case(
        "mijnLoketMigrationCandidates",
        "query ($e: ID!) { mijnLoketMigrationCandidates(employerId: $e) { employee { id } } }",
        ADMIN_ONLY,
        variables=given.employer,
        count=len,
    ),
    Case(
        "messageCentre",
        "query ($e: ID!) { messageCentre(employerId: $e) { totalCount edges { node { id } } } }",
        ADMIN_ONLY,
        variables=given.employer,
        prepare=given.started_migration,
        count=given.total_count,
    ),
    Case(
        "mijnLoketActivation",
        'query { mijnLoketActivation(token: "geen-echte-link") { status } }',
        # No sign-in needed: the link is the key (an unknown one is INVALID, for anyone).
        expect(allow=f"anonymous {SIGNED_IN}"),
    ),
]

MUTATIONS = [
    Case(
        "setProductActive",
        f"""mutation ($e: ID!) {{ setProductActive(input: {{employerId: $e, product: LEAVE_SCHEME,
          active: true}}) {{ {PAYLOAD} }} }}""",
        EMPLOYER_ADMINISTRATION,  # MANAGE_PRODUCTS
        variables=given.employer,
    ),
    # The office's set-up (issue 16): MANAGE_EMPLOYERS at provider level; kantoor.y holds it
    # for its own office, where it may create, not change the demo office's employers.
    Case(
        "createEmployer",
        f"mutation ($n: String!) {{ createEmployer(input: {{name: $n}}) {{ {PAYLOAD} }} }}",
        expect(
            allow="kantoor.admin kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.new_employer_name,
    ),
    Case(
        "updateEmployer",
        f"""mutation ($e: ID!, $n: String!) {{ updateEmployer(input: {{employerId: $e,
          name: $n}}) {{ {PAYLOAD} }} }}""",
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.demo_employer_named,
    ),
    Case(
        "createDepartment",
        f"""mutation ($e: ID!, $n: String!) {{ createDepartment(input: {{employerId: $e,
          name: $n}}) {{ {PAYLOAD} }} }}""",
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.new_department_name,
    ),
    Case(
        "renameDepartment",
        f"""mutation ($d: ID!, $n: String!) {{ renameDepartment(input: {{departmentId: $d,
          name: $n}}) {{ {PAYLOAD} }} }}""",
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.magazijn_named,
    ),
    Case(
        "setDepartmentManagers",
        f"""mutation ($d: ID!, $u: [ID!]!) {{ setDepartmentManagers(input: {{departmentId: $d,
          userIds: $u}}) {{ {PAYLOAD} }} }}""",
        # MANAGE_USERS at the department's employer, never department managers (so not
        # manager.allrights); kantoor.y does not see the department.
        expect(allow="kantoor.admin", deny=all_but("kantoor.admin"), deny_auth="anonymous"),
        variables=given.verkoop_managers,
    ),
    Case(
        "setMijnLoketAddendum",
        f"""mutation ($w: String!) {{ setMijnLoketAddendum(input: {{signed: true, signatory: $w,
          signedOn: "2026-11-02"}}) {{ {PAYLOAD} }} }}""",
        # Each office its own addendum: kantoor.y signs for Kantoor Y.
        expect(
            allow="kantoor.admin kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.signatory,
    ),
    Case(
        "createRole",
        f"mutation ($n: String!) {{ createRole(input: {{name: $n}}) {{ {PAYLOAD} }} }}",
        # MANAGE_ROLES at provider level: kantoor.y creates one at its own office.
        expect(
            allow="kantoor.admin kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.new_role_name,
    ),
    Case(
        "renameRole",
        f"""mutation ($r: ID!) {{ renameRole(input: {{roleId: $r, name: "HR"}}) {{
          {PAYLOAD} }} }}""",
        # kantoor.y holds MANAGE_ROLES, for its own office's roles: not this one.
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.hr_role,
    ),
    Case(
        "deleteRole",
        f"mutation ($r: ID!) {{ deleteRole(input: {{roleId: $r}}) {{ {PAYLOAD} }} }}",
        expect(
            allow="kantoor.admin",
            refused="kantoor.y",
            deny=all_but("kantoor.admin kantoor.y"),
            deny_auth="anonymous",
        ),
        variables=given.unused_role,
    ),
    Case(
        "createUser",
        f"""mutation ($e: ID, $n: String!) {{ createUser(input: {{userType: EMPLOYER,
          displayName: "Nieuw", email: "nieuw@example.nl", username: $n, employerId: $e}})
          {{ {PAYLOAD} }} }}""",
        EMPLOYER_ADMINISTRATION,  # MANAGE_USERS at the employer
        variables=given.new_employer_user,
    ),
    Case(
        "updateUser",
        f"""mutation ($u: ID!) {{ updateUser(input: {{userId: $u, displayName: "Pieter vd Laan"}})
          {{ {PAYLOAD} }} }}""",
        EMPLOYER_ADMINISTRATION,  # MANAGE_USERS where the user belongs (its employer)
        variables=given.directie_at_employer,
    ),
    Case(
        "deactivateUser",
        f"mutation ($u: ID!) {{ deactivateUser(input: {{userId: $u}}) {{ {PAYLOAD} }} }}",
        EMPLOYER_ADMINISTRATION,
        variables=given.staff_user_to_deactivate,
    ),
    Case(
        "linkRole",
        f"""mutation ($r: ID!, $u: ID!, $e: ID!) {{ linkRole(input: {{roleId: $r, userId: $u,
          employerId: $e}}) {{ {PAYLOAD} }} }}""",
        EMPLOYER_ADMINISTRATION,  # MANAGE_USERS
        variables=given.role_for_hr,
    ),
    Case(
        "unlinkRole",
        f"mutation ($l: ID!) {{ unlinkRole(input: {{roleLinkId: $l}}) {{ {PAYLOAD} }} }}",
        EMPLOYER_ADMINISTRATION,
        variables=given.role_link,
    ),
    Case(
        "grantRight",
        f"""mutation ($u: ID!, $e: ID) {{ grantRight(input: {{userId: $u,
          right: VIEW_MIJNLOKET_EMAIL, employerId: $e}}) {{ {PAYLOAD} }} }}""",
        EMPLOYER_ADMINISTRATION,
        variables=given.directie_at_employer,
    ),
    Case(
        "revokeRight",
        # A right werkgever.directie does not hold: a no-op for whoever may do it.
        f"""mutation ($u: ID!, $e: ID) {{ revokeRight(input: {{userId: $u,
          right: COLLECTIVE_ACTIONS, employerId: $e}}) {{ {PAYLOAD} }} }}""",
        EMPLOYER_ADMINISTRATION,
        variables=given.directie_at_employer,
    ),
    Case(
        "upsertEmployee",
        f"""mutation ($e: ID!) {{ upsertEmployee(input: {{employerId: $e, employeeNumber: 1,
          onCall: false}}) {{ changed {PAYLOAD} }} }}""",
        # MANAGE_EMPLOYEES at the employer, never department managers (manager.allrights).
        ADMIN_ONLY,
        variables=given.employer,
    ),
    Case(
        "importEmployees",
        f"""mutation ($e: ID!) {{ importEmployees(input: {{employerId: $e, file: "geen bestand",
          dryRun: true}}) {{ applied {PAYLOAD} }} }}""",
        # MANAGE_EMPLOYEES at the employer, never department managers. The matrix posts JSON,
        # which carries no file: the Upload scalar takes the string, and whoever may import
        # gets the payload's INVALID_FILE (the file is read after the right is checked). Real
        # uploads: tests/api/test_import_employees.py.
        ADMIN_ONLY,
        variables=given.employer,
    ),
    Case(
        "setDeviatingApprover",
        f"""mutation ($id: ID!, $u: ID) {{ setDeviatingApprover(input: {{employeeId: $id,
          userId: $u}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.directie_for_subject,
    ),
    Case(
        "setWorkflowActive",
        f"""mutation ($e: ID!) {{ setWorkflowActive(input: {{employerId: $e,
          type: MARITAL_STATUS_UPDATE, active: true}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.employer,
    ),
    Case(
        "setEmployeeComponentSet",
        f"""mutation ($id: ID!) {{ setEmployeeComponentSet(input: {{employeeId: $id}}) {{
          {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.subject_employee,
    ),
    # Component sets (issue 16 point 3): the workflow editor's, like setComponentLabel.
    Case(
        "createComponentSet",
        f"""mutation ($e: ID!, $n: String!) {{ createComponentSet(input: {{employerId: $e,
          name: $n}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.new_component_set,
    ),
    Case(
        "updateComponentSet",
        f"""mutation ($s: ID!, $n: String!) {{ updateComponentSet(input: {{componentSetId: $s,
          name: $n}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.on_call_set,
    ),
    Case(
        "setDefaultComponentSet",
        f"""mutation ($s: ID!) {{ setDefaultComponentSet(input: {{componentSetId: $s}}) {{
          {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.on_call_set,
    ),
    Case(
        "addComponent",
        f"""mutation ($s: ID!, $n: String!) {{ addComponent(input: {{componentSetId: $s,
          name: $n, unit: KM, rate: "0.23"}}) {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.on_call_set,
    ),
    Case(
        "updateComponent",
        f"""mutation ($c: ID!) {{ updateComponent(input: {{componentId: $c, label: "Tanken"}})
          {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.fuel_component,
    ),
    Case(
        "archiveComponent",
        f"""mutation ($c: ID!) {{ archiveComponent(input: {{componentId: $c}}) {{
          {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.fuel_component,
    ),
    Case(
        "setComponentLabel",
        f"""mutation ($c: ID!) {{ setComponentLabel(input: {{componentId: $c, label: "Tanken"}})
          {{ {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.fuel_component,
    ),
    Case(
        "startMijnLoketMigration",
        f"""mutation ($e: ID!, $p: [ID!]!) {{ startMijnLoketMigration(input: {{employerId: $e,
          employeeIds: $p}}) {{ {PAYLOAD} }} }}""",
        ADMIN_ONLY,
        variables=given.werknemerloket_employee,
    ),
    Case(
        "activateMijnLoket",
        f"""mutation {{ activateMijnLoket(input: {{token: "geen-echte-link",
          password: "een lang genoeg wachtwoord"}}) {{ {PAYLOAD} }} }}""",
        # No sign-in needed to register: an unknown link is an INVALID_TOKEN UserError for all.
        expect(allow=f"anonymous {SIGNED_IN}"),
    ),
    Case(
        "updateWorkflowSteps",
        f"""mutation ($d: ID!) {{ updateWorkflowSteps(input: {{definitionId: $d, steps: [
          {{kind: APPROVAL, name: "Goedkeuren", allUsers: true, sendEmail: true}}]}}) {{
          {PAYLOAD} }} }}""",
        EDITORS,
        variables=given.expense_claim_definition,
    ),
    Case(
        "submitExpenseClaim",
        f"""mutation ($c: ID!, $id: ID) {{ submitExpenseClaim(input: {{componentId: $c,
          value: "12", employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=given.claim_input,
    ),
    Case(
        "submitAddressUpdate",
        f"""mutation ($id: ID) {{ submitAddressUpdate(input: {{street: "Laan", houseNumber: "1",
          postcode: "1234 AB", city: "Ede", employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=given.subject_employee,
    ),
    Case(
        "submitMaritalStatusUpdate",
        f"""mutation ($id: ID) {{ submitMaritalStatusUpdate(input: {{maritalStatus: MARRIED,
          employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=given.subject_employee,
        prepare=given.personal_data_workflows,
    ),
    Case(
        "submitContactDetailsUpdate",
        f"""mutation ($id: ID) {{ submitContactDetailsUpdate(input: {{phone: "0201234567",
          employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=given.subject_employee,
    ),
    Case(
        "submitEmergencyContactsUpdate",
        f"""mutation ($id: ID) {{ submitEmergencyContactsUpdate(input: {{contacts: [{{
          name: "Jan", relation: "Partner", phone: "0201234567"}}], employeeId: $id}}) {{
          {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=given.subject_employee,
        prepare=given.personal_data_workflows,
    ),
    Case(
        "submitIbanUpdate",
        f"""mutation ($id: ID) {{ submitIbanUpdate(input: {{iban: "NL91ABNA0417164300",
          employeeId: $id}}) {{ {PAYLOAD} }} }}""",
        SELF_SERVICE,
        variables=given.subject_employee,
        prepare=given.personal_data_workflows,
    ),
    Case(
        "submitContractExtension",
        f"""mutation ($id: ID!) {{ submitContractExtension(input: {{employeeId: $id,
          newContractEnd: "2027-06-30"}}) {{ {PAYLOAD} }} }}""",
        MANAGEMENT_ACTION,
        variables=given.subject_employee,
        prepare=given.contract_extensions,
    ),
    Case(
        "submitEmploymentTermination",
        f"""mutation ($id: ID!) {{ submitEmploymentTermination(input: {{employeeId: $id,
          endDate: "2027-01-31"}}) {{ {PAYLOAD} }} }}""",
        MANAGEMENT_ACTION,
        variables=given.subject_employee,
        prepare=given.terminations,
    ),
    Case(
        "withdrawRequest",
        f"""mutation ($id: ID!) {{ withdrawRequest(input: {{instanceId: $id}}) {{
          {PAYLOAD} }} }}""",
        # Only the submitter: wn001, of its own claim.
        expect(allow="wn001", refused=all_but("wn001"), deny_auth="anonymous"),
        variables=given.claim_instance,
    ),
    Case(
        "completeTask",
        f"mutation ($id: ID!) {{ completeTask(input: {{taskId: $id}}) {{ {PAYLOAD} }} }}",
        # An address update's task, for role Salarisprofessional: kantoor.salaris only.
        expect(
            allow="kantoor.salaris",
            refused=all_but("kantoor.salaris", EMPLOYEES),
            deny=EMPLOYEES,
            deny_auth="anonymous",
        ),
        variables=given.address_task,
    ),
    Case(
        "approveTask",
        f"mutation ($id: ID!) {{ approveTask(input: {{taskId: $id}}) {{ {PAYLOAD} }} }}",
        CLAIM_APPROVERS,
        variables=given.claim_task,
    ),
    Case(
        "rejectTask",
        f"""mutation ($id: ID!) {{ rejectTask(input: {{taskId: $id, comment: "Nee"}}) {{
          {PAYLOAD} }} }}""",
        CLAIM_APPROVERS,
        variables=given.claim_task,
    ),
    Case(
        "commentOnTask",
        f"""mutation ($id: ID!) {{ commentOnTask(input: {{taskId: $id, comment: "Even kijken"}})
          {{ {PAYLOAD} }} }}""",
        CLAIM_APPROVERS,
        variables=given.claim_task,
    ),
    Case(
        "approveTasks",
        f"""mutation ($id: ID!) {{ approveTasks(input: {{taskIds: [$id]}}) {{ {PAYLOAD}
          results {{ errors {{ code }} }} }} }}""",
        CLAIM_APPROVERS,
        variables=given.claim_task,
    ),
    Case(
        "processExpenseClaims",
        f"""mutation ($id: ID!) {{ processExpenseClaims(input: {{instanceIds: [$id],
          payrollPeriod: "2026-11"}}) {{ {PAYLOAD} results {{ errors {{ code }} }} }} }}""",
        # PROCESS_MANAGEMENT at the claim's employer, never department managers.
        expect(
            allow="kantoor.admin kantoor.salaris werkgever.hr",
            refused=all_but("kantoor.admin kantoor.salaris werkgever.hr", EMPLOYEES),
            deny=EMPLOYEES,
            deny_auth="anonymous",
        ),
        variables=given.approved_claim,
    ),
    Case(
        "exportProcessOverview",
        f"""mutation ($e: ID, $f: ProcessOverviewFilter) {{ exportProcessOverview(input: {{
          employerId: $e, tab: OPEN, filter: $f}}) {{ export {{ rowCount }} {PAYLOAD} }} }}""",
        # As processOverview: a manager's file holds its departments' rows only.
        expect(
            allow=PROCESS_MANAGERS,
            empty="manager.verkoop:out",
            deny=f"kantoor.y werkgever.directie {EMPLOYEES}",
            deny_auth="anonymous",
        ),
        variables=given.overview_of_subject,
        prepare=given.claims_of_both,
        count=lambda data: data["export"]["rowCount"],
    ),
]

SUBSCRIPTIONS = [
    Case(
        "taskCentreChanged",
        "subscription { taskCentreChanged { eventId kind } }",
        expect(allow=all_but(EMPLOYEES), deny=EMPLOYEES, deny_auth="anonymous"),  # staff only
    ),
    Case(
        "processOverviewChanged",
        "subscription ($e: ID!) { processOverviewChanged(employerId: $e) { eventId kind } }",
        expect(
            allow=f"{PROCESS_MANAGERS} manager.verkoop:out",
            deny=f"kantoor.y werkgever.directie {EMPLOYEES}",
            deny_auth="anonymous",
        ),
        variables=given.employer,
    ),
    Case(
        "messageCentreChanged",
        "subscription ($e: ID!) { messageCentreChanged(employerId: $e) { eventId resync } }",
        ADMIN_ONLY,
        variables=given.employer,
    ),
    Case(
        "exportProgress",
        "subscription ($id: ID!) { exportProgress(exportId: $id) { status } }",
        # Only who asked for the export: not even an administrator with every right.
        expect(allow="werkgever.hr", deny=all_but("werkgever.hr"), deny_auth="anonymous"),
        variables=given.hr_export,
        prepare=given.export_of_hr,
    ),
]

ALL_CASES = [*QUERIES, *MUTATIONS, *SUBSCRIPTIONS]
CASES = {case.field: case for case in ALL_CASES}


def test_every_root_field_has_exactly_one_case():
    cases = [f"{c.root}.{c.field}" for c in ALL_CASES]
    twice = sorted({c for c in cases if cases.count(c) > 1})
    assert not twice, f"more than one case for {twice}"
    s = schema._schema
    roots = [r for r in (s.query_type, s.mutation_type, s.subscription_type) if r is not None]
    fields = {f"{root.name}.{name}" for root in roots for name in root.fields}
    missing = sorted(fields - set(cases))
    assert not missing, (
        f"no authorization case for {', '.join(missing)}: add one to the matrix in "
        "tests/api/test_authorization_matrix.py, saying who may use it and who not"
    )
    removed = sorted(set(cases) - fields)
    assert not removed, f"cases for fields the schema no longer has: {', '.join(removed)}"


@pytest.mark.parametrize("field", [c.field for c in [*QUERIES, *MUTATIONS]])
async def test_query_and_mutation(field, graphql, db, ids):
    case = CASES[field]
    ctx = Ctx(graphql=graphql, db=db, ids=ids)
    await given.extra_users(db)
    if case.prepare is not None:
        await case.prepare(ctx)
    seen = []
    for actor in ACTORS:
        variables = await case.variables(ctx, actor.subject)
        result = await graphql(case.operation, variables, as_user=actor.username)
        seen.append((actor, observe(case, result)))
    check_outcomes(case, seen)


@pytest.mark.parametrize("field", [c.field for c in SUBSCRIPTIONS])
async def test_subscription(field, settings, db, ids, token):
    """Over WebSocket against a real server; all actors subscribe at once."""
    case = CASES[field]
    await given.extra_users(db)
    async with serve(settings) as base:

        async def graphql(query, variables=None, *, as_user):
            return await post(base, token(as_user), query, variables)

        ctx = Ctx(graphql=graphql, db=db, ids=ids)
        if case.prepare is not None:
            await case.prepare(ctx)
        probes = []
        for actor in ACTORS:
            variables = await case.variables(ctx, actor.subject)
            user_token = token(actor.username) if actor.username else None
            expected = case.outcomes[actor.name]
            probes.append(given.observe_subscription(case, base, user_token, variables, expected))
        observed = await asyncio.gather(*probes)
    check_outcomes(case, list(zip(ACTORS, observed, strict=True)))
