"""The workflow editor through the API (issue: definitions, versions, steps, e-mail)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import models as m
from app.domain.catalogue import Product
from app.schema.ids import to_global_id
from tests import factories
from tests.conftest import errors_of

DEFINITION = """
fragment Def on WorkflowDefinition {
  id type displayName active available missingProducts approvalMode emailsPerRequest
  currentVersion { version createdBy { username } steps { position kind name sendEmail
    assignee { kind userType role { name } users { username } } } }
  versions { version }
}
"""
ACTIVATE = (
    DEFINITION
    + """
mutation ($input: SetWorkflowActiveInput!) {
  setWorkflowActive(input: $input) { definition { ...Def } errors { code message field } }
}"""
)
UPDATE = (
    DEFINITION
    + """
mutation ($input: UpdateWorkflowStepsInput!) {
  updateWorkflowSteps(input: $input) { definition { ...Def } errors { code message field } }
}"""
)
LIST = """query ($id: ID!) { node(id: $id) { ... on Employer {
  workflowDefinitions {
    id type displayName active available missingProducts currentVersion { version }
  }
} } }"""


async def _activate(graphql, employer, type_, active=True, as_user="werkgever.hr"):
    variables = {"input": {"employerId": employer, "type": type_, "active": active}}
    return await graphql(ACTIVATE, variables, as_user=as_user)


async def _update(graphql, definition, steps, as_user="werkgever.hr"):
    variables = {"input": {"definitionId": definition, "steps": steps}}
    return await graphql(UPDATE, variables, as_user=as_user)


async def _versions(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.WorkflowDefinitionVersion))


async def test_all_eight_types_are_listed_active_or_not(graphql, db):
    employer = await factories.employer(db, "Klein B.V.", products=(Product.WORKFLOW_EDITOR,))
    await factories.user(
        db, "hr.klein", m.UserType.PROVIDER, provider_id=1, rights=(m.Right.VIEW_WORKFLOW_EDITOR,)
    )
    result = await graphql(LIST, {"id": employer}, as_user="hr.klein")
    definitions = result["data"]["node"]["workflowDefinitions"]
    assert [d["type"] for d in definitions] == [
        "EXPENSE_CLAIM",
        "ADDRESS_UPDATE",
        "MARITAL_STATUS_UPDATE",
        "CONTACT_DETAILS_UPDATE",
        "EMERGENCY_CONTACTS_UPDATE",
        "IBAN_UPDATE",
        "CONTRACT_EXTENSION",
        "EMPLOYMENT_TERMINATION",
    ]
    expense = definitions[0]
    assert expense["displayName"] == "Declaratie medewerker"
    assert (expense["active"], expense["available"], expense["currentVersion"]) == (
        False,
        False,
        None,
    )
    assert expense["missingProducts"] == ["MIJNLOKET_EXPENSE_CLAIMS"]


async def test_activation_needs_the_products_then_gives_the_default(graphql, db):
    employer = await factories.employer(
        db, "Nieuw B.V.", products=(Product.WORKFLOW_EDITOR, Product.MIJNLOKET)
    )
    refused = (await _activate(graphql, employer, "EXPENSE_CLAIM", as_user="kantoor.admin"))[
        "data"
    ]["setWorkflowActive"]
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("PRODUCT_REQUIRED", ["type"])
    assert "MijnLoket - Declaraties" in error["message"]
    assert refused["definition"] is None
    from app.schema.ids import decode_id

    async with db.reader() as s:
        mine = m.WorkflowDefinition.employer_id == decode_id(employer, "Employer")
        assert (
            await s.scalar(select(func.count()).select_from(m.WorkflowDefinition).where(mine)) == 0
        )

    async with db.writer() as s:
        s.add(
            m.ProductActivation(
                employer_id=decode_id(employer, "Employer"),
                product=Product.MIJNLOKET_EXPENSE_CLAIMS,
                active=True,
            )
        )
    done = (await _activate(graphql, employer, "EXPENSE_CLAIM", as_user="kantoor.admin"))["data"][
        "setWorkflowActive"
    ]
    assert done["errors"] == []
    definition = done["definition"]
    assert (definition["active"], definition["available"], definition["approvalMode"]) == (
        True,
        True,
        "ALL_USERS",
    )
    assert definition["currentVersion"] == {
        "version": 1,
        "createdBy": {"username": "kantoor.admin"},
        "steps": [
            {
                "position": 1,
                "kind": "APPROVAL",
                "name": "Goedkeuren",
                "sendEmail": True,
                "assignee": {"kind": "ALL_USERS", "userType": None, "role": None, "users": []},
            }
        ],
    }


async def test_six_steps_make_a_new_version_and_a_seventh_is_refused(graphql, db, ids):
    employer = await ids.employer()
    activated = (await _activate(graphql, employer, "MARITAL_STATUS_UPDATE"))["data"][
        "setWorkflowActive"
    ]["definition"]
    assert activated["currentVersion"]["steps"][0]["assignee"] == {
        "kind": "USER_TYPE",
        "userType": "EMPLOYER",
        "role": None,
        "users": [],
    }
    hr = await ids.role("HR")
    six = [
        {"kind": "NOTIFICATION", "name": "Melding", "userType": "DEPARTMENT_MANAGER"},
        {"kind": "TASK", "name": "Controleren", "roleId": hr, "sendEmail": True},
        {"kind": "APPROVAL", "name": "Akkoord directie", "roleId": await ids.role("Directie")},
        {"kind": "TASK", "name": "Verwerken", "userType": "PROVIDER"},
        {"kind": "NOTIFICATION", "name": "Kantoor informeren", "userType": "PROVIDER"},
        {"kind": "APPROVAL", "name": "  Laatste   blik ", "userType": "EMPLOYER"},
    ]
    saved = (await _update(graphql, activated["id"], six))["data"]["updateWorkflowSteps"]
    assert saved["errors"] == []
    version = saved["definition"]["currentVersion"]
    assert version["version"] == 2
    assert [s["name"] for s in version["steps"]][-1] == "Laatste blik"
    assert [s["sendEmail"] for s in version["steps"]] == [True, True, False, False, True, False]
    assert version["steps"][1]["assignee"]["role"] == {"name": "HR"}
    assert [v["version"] for v in saved["definition"]["versions"]] == [2, 1]

    before = await _versions(db)
    seventh = [*six, {"kind": "TASK", "name": "Zeven", "userType": "EMPLOYER"}]
    refused = (await _update(graphql, activated["id"], seventh))["data"]["updateWorkflowSteps"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("TOO_MANY_STEPS", ["steps"])]
    assert await _versions(db) == before

    again = (await _update(graphql, activated["id"], six))["data"]["updateWorkflowSteps"]
    assert again["definition"]["currentVersion"]["version"] == 2  # the same steps: no-op
    assert await _versions(db) == before

    empty = (await _update(graphql, activated["id"], []))["data"]["updateWorkflowSteps"]
    assert empty["definition"]["currentVersion"] == {
        "version": 3,
        "createdBy": {"username": "werkgever.hr"},
        "steps": [],
    }


async def test_bad_assignees_are_refused_with_a_field_path(graphql, db, ids):
    employer = await ids.employer()
    definition = (await _activate(graphql, employer, "EXPENSE_CLAIM"))["data"]["setWorkflowActive"][
        "definition"
    ]["id"]
    office = await factories.provider(db, "Kantoor Y")
    async with db.writer() as s:
        foreign = m.Role(provider_id=office, name="Vreemd")
        s.add(foreign)
        await s.flush()
        foreign_role = to_global_id("Role", foreign.id)
    other_employer = await factories.employer(db, "Buur B.V.")
    from app.schema.ids import decode_id

    outsider = await factories.user(
        db, "buur.hr", m.UserType.EMPLOYER, employer_id=decode_id(other_employer, "Employer")
    )
    step = {"kind": "APPROVAL", "name": "Goedkeuren"}
    cases = [
        ({**step, "roleId": foreign_role}, "NOT_FOUND", ["steps", "0", "roleId"]),
        # werkgever.hr cannot see the other employer's users at all.
        ({**step, "userIds": [outsider]}, "NOT_FOUND", ["steps", "0", "userIds", "0"]),
        (
            {**step, "userIds": [await ids.user("wn001")]},
            "USER_NOT_AT_EMPLOYER",
            ["steps", "0", "userIds", "0"],
        ),
        ({**step, "userIds": []}, "INVALID_ASSIGNEE", ["steps", "0", "userIds"]),
        (step, "INVALID_ASSIGNEE", ["steps", "0"]),
        (
            {**step, "userType": "EMPLOYER", "roleId": await ids.role("HR")},
            "INVALID_ASSIGNEE",
            ["steps", "0"],
        ),
        ({**step, "userType": "EMPLOYEE"}, "INVALID_ASSIGNEE", ["steps", "0", "userType"]),
        ({**step, "roleId": "rubbish"}, "INVALID_ID", ["steps", "0", "roleId"]),
        (
            {"kind": "NOTIFICATION", "name": "x", "userType": "EMPLOYER", "sendEmail": False},
            "INVALID_VALUE",
            ["steps", "0", "sendEmail"],
        ),
    ]
    before = await _versions(db)
    for bad, code, field in cases:
        result = (await _update(graphql, definition, [bad]))["data"]["updateWorkflowSteps"]
        assert [(e["code"], e["field"]) for e in result["errors"]] == [(code, field)], bad
        assert result["errors"][0]["message"]
    assert await _versions(db) == before
    # An administrator of the whole office sees that user, and is told why it cannot be chosen.
    result = await _update(
        graphql, definition, [{**step, "userIds": [outsider]}], as_user="kantoor.admin"
    )
    [error] = result["data"]["updateWorkflowSteps"]["errors"]
    assert (error["code"], error["field"]) == (
        "USER_NOT_AT_EMPLOYER",
        ["steps", "0", "userIds", "0"],
    )


async def test_restricted_mode_with_specific_users(graphql, ids):
    definition = (await _activate(graphql, await ids.employer(), "EXPENSE_CLAIM"))["data"][
        "setWorkflowActive"
    ]["definition"]["id"]
    step = {
        "kind": "APPROVAL",
        "name": "Goedkeuren",
        "sendEmail": True,
        "userIds": [await ids.user("werkgever.directie")],
    }
    saved = (await _update(graphql, definition, [step]))["data"]["updateWorkflowSteps"]
    assert saved["definition"]["approvalMode"] == "RESTRICTED"
    assert saved["definition"]["currentVersion"]["steps"][0]["assignee"]["users"] == [
        {"username": "werkgever.directie"}
    ]
    assert saved["definition"]["emailsPerRequest"] == 1
    # Specific users are for expense claims only.
    other = (await _activate(graphql, await ids.employer(), "IBAN_UPDATE"))["data"][
        "setWorkflowActive"
    ]["definition"]["id"]
    refused = (await _update(graphql, other, [step]))["data"]["updateWorkflowSteps"]
    assert refused["errors"][0]["code"] == "INVALID_ASSIGNEE"


async def test_emails_per_request_follows_role_links(graphql, db, ids):
    employer = await ids.employer()
    definition = (await _activate(graphql, employer, "IBAN_UPDATE"))["data"]["setWorkflowActive"][
        "definition"
    ]["id"]
    steps = [
        {
            "kind": "TASK",
            "name": "Controleren",
            "roleId": await ids.role("Directie"),
            "sendEmail": True,
        }
    ]
    saved = (await _update(graphql, definition, steps))["data"]["updateWorkflowSteps"]
    assert saved["definition"]["emailsPerRequest"] == 1  # werkgever.directie holds Directie

    linked = await graphql(
        """mutation ($input: LinkRoleInput!) { linkRole(input: $input) { errors { code } } }""",
        {
            "input": {
                "roleId": await ids.role("Directie"),
                "userId": await ids.user("kantoor.salaris"),
                "employerId": employer,
            }
        },
        as_user="kantoor.admin",
    )
    assert linked["data"]["linkRole"]["errors"] == []
    query = """query ($id: ID!, $employee: ID) { node(id: $id) { ... on WorkflowDefinition {
        emailsPerRequest forWn: emailsPerRequest(employeeId: $employee)
        emailBreakdown { position name kind emails } } } }"""
    after = await graphql(
        query, {"id": definition, "employee": await ids.employee(1)}, as_user="werkgever.hr"
    )
    node = after["data"]["node"]
    assert node["emailsPerRequest"] == 2
    assert node["emailBreakdown"] == [
        {"position": 1, "name": "Controleren", "kind": "TASK", "emails": 2}
    ]
    assert node["forWn"] == 2


async def test_rights_to_read_and_to_change(graphql, ids):
    employer = await ids.employer()
    for user in ("werkgever.directie", "manager.verkoop", "kantoor.salaris", "wn001"):
        result = await _activate(graphql, employer, "IBAN_UPDATE", as_user=user)
        assert errors_of(result) == ["FORBIDDEN"], user
    # Reading needs VIEW_WORKFLOW_EDITOR or MANAGE_WORKFLOW_EDITOR.
    assert "errors" not in await graphql(LIST, {"id": employer}, as_user="kantoor.salaris")
    assert errors_of(await graphql(LIST, {"id": employer}, as_user="werkgever.directie")) == [
        "FORBIDDEN"
    ]
    from app.schema.ids import decode_id

    definition = to_global_id(
        "WorkflowDefinition", f"{decode_id(employer, 'Employer')}.IBAN_UPDATE"
    )
    denied = await _update(graphql, definition, [], as_user="werkgever.directie")
    assert errors_of(denied) == ["FORBIDDEN"]


async def test_department_managers_never_edit_even_with_the_right(graphql, db, ids):
    from app.schema.ids import decode_id

    async with db.writer() as s:
        manager = await s.scalar(select(m.User.id).where(m.User.username == "manager.verkoop"))
        s.add(
            m.RightGrant(
                user_id=manager,
                right=m.Right.MANAGE_WORKFLOW_EDITOR,
                employer_id=decode_id(await ids.employer(), "Employer"),
            )
        )
    result = await _activate(
        graphql, await ids.employer(), "IBAN_UPDATE", as_user="manager.verkoop"
    )
    assert errors_of(result) == ["FORBIDDEN"]
    assert "Afdelingsmanagers" in result["errors"][0]["message"]


async def test_switching_off_and_on_again_keeps_the_last_version(graphql, ids, db):
    employer = await ids.employer()
    definition = (await _activate(graphql, employer, "IBAN_UPDATE"))["data"]["setWorkflowActive"][
        "definition"
    ]["id"]
    await _update(graphql, definition, [])
    off = (await _activate(graphql, employer, "IBAN_UPDATE", active=False))["data"][
        "setWorkflowActive"
    ]["definition"]
    assert (off["active"], off["currentVersion"]["version"]) == (False, 2)
    on = (await _activate(graphql, employer, "IBAN_UPDATE"))["data"]["setWorkflowActive"][
        "definition"
    ]
    assert (on["active"], on["currentVersion"]["version"], on["currentVersion"]["steps"]) == (
        True,
        2,
        [],
    )


async def test_a_role_used_in_a_step_cannot_be_deleted(graphql, ids, db):
    created = await graphql(
        'mutation { createRole(input: {name: "Controleur"}) { role { id } errors { code } } }',
        as_user="kantoor.admin",
    )
    role = created["data"]["createRole"]["role"]["id"]
    definition = (await _activate(graphql, await ids.employer(), "IBAN_UPDATE"))["data"][
        "setWorkflowActive"
    ]["definition"]["id"]
    await _update(graphql, definition, [{"kind": "TASK", "name": "Check", "roleId": role}])
    refused = await graphql(
        "mutation ($id: ID!) { deleteRole(input: {roleId: $id}) { errors { code field } } }",
        {"id": role},
        as_user="kantoor.admin",
    )
    assert refused["data"]["deleteRole"]["errors"] == [{"code": "ROLE_IN_USE", "field": ["roleId"]}]
    async with db.reader() as s:
        assert await s.scalar(select(m.Role.id).where(m.Role.name == "Controleur")) is not None


async def test_department_managers_never_edit_steps_or_approvers(graphql, db, ids):
    from app.schema.ids import decode_id

    employer = await ids.employer()
    async with db.writer() as s:
        manager = await s.scalar(select(m.User.id).where(m.User.username == "manager.verkoop"))
        s.add(
            m.RightGrant(
                user_id=manager,
                right=m.Right.MANAGE_WORKFLOW_EDITOR,
                employer_id=decode_id(employer, "Employer"),
            )
        )
    definition = to_global_id(
        "WorkflowDefinition", f"{decode_id(employer, 'Employer')}.EXPENSE_CLAIM"
    )
    steps = await _update(graphql, definition, [], as_user="manager.verkoop")
    assert errors_of(steps) == ["FORBIDDEN"]
    approver = await graphql(
        """mutation ($input: SetDeviatingApproverInput!) { setDeviatingApprover(input: $input) {
             errors { code } } }""",
        {"input": {"employeeId": await ids.employee(1), "userId": None}},
        as_user="manager.verkoop",
    )
    assert errors_of(approver) == ["FORBIDDEN"]
    async with db.reader() as s:
        versions = await s.scalar(select(func.count()).select_from(m.WorkflowDefinitionVersion))
        assert versions == 3  # the demo's, untouched


async def test_emails_per_request_only_for_employees_of_this_employer(graphql, db, ids):
    other = await factories.employer(db, "Buur B.V.")
    from app.schema.ids import decode_id

    stranger = await factories.employee(db, decode_id(other, "Employer"), 1, "Piet Buur")
    definition = to_global_id(
        "WorkflowDefinition", f"{decode_id(await ids.employer(), 'Employer')}.EXPENSE_CLAIM"
    )
    query = """query ($id: ID!, $e: ID) { node(id: $id) { ... on WorkflowDefinition {
        emailsPerRequest(employeeId: $e) } } }"""
    foreign = await graphql(query, {"id": definition, "e": stranger}, as_user="kantoor.admin")
    assert errors_of(foreign) == ["NOT_FOUND"]
    # Editors without VIEW_EMPLOYEES (kantoor.salaris) can still count for an employee.
    own = await graphql(
        query, {"id": definition, "e": await ids.employee(1)}, as_user="kantoor.salaris"
    )
    assert "errors" not in own
    # wn001 in Verkoop: all-users mode e-mails the Verkoop manager only.
    assert own["data"]["node"]["emailsPerRequest"] == 1
