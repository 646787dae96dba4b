"""Requests from submission to processed, through the API with the demo data (issue 4)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from app.db import models as m
from app.domain.authz import Right, UserType
from app.schema.ids import from_global_id, to_global_id
from tests import factories
from tests.conftest import errors_of

INSTANCE = """id type status statusLabel submittedAt displayName
  employee { id name } submitter { username }
  expenseClaim { component { name } value amount payrollPeriod processedPeriod }
  openTask { id kind name }
  steps { position kind name state action comment actor { username } }
  auditTrail { kind position comment actor { username } }"""

CLAIM = f"""mutation ($input: SubmitExpenseClaimInput!) {{ submitExpenseClaim(input: $input) {{
  instance {{ {INSTANCE} }} errors {{ code message field }} }} }}"""
ADDRESS = f"""mutation ($input: SubmitAddressUpdateInput!) {{ submitAddressUpdate(input: $input) {{
  instance {{ {INSTANCE} }} errors {{ code message field }} }} }}"""
CONTACT = f"""mutation ($input: SubmitContactDetailsUpdateInput!) {{
  submitContactDetailsUpdate(input: $input) {{
  instance {{ {INSTANCE} }} errors {{ code message field }} }} }}"""
TASKS = """query ($filter: TaskCentreFilter) { taskCentre(filter: $filter) {
  totalCount countsPerType { type count }
  edges { node { id kind name instance { id type status employee { name } } } } } }"""
APPROVE = f"""mutation ($input: TaskActionInput!) {{ approveTask(input: $input) {{
  task {{ id state }} instance {{ {INSTANCE} }} errors {{ code message field }} }} }}"""
REJECT = """mutation ($input: TaskActionInput!) { rejectTask(input: $input) {
  instance { status } errors { code field } } }"""
COMPLETE = """mutation ($input: TaskActionInput!) { completeTask(input: $input) {
  instance { status } errors { code } } }"""
PROCESS = """mutation ($input: ProcessExpenseClaimsInput!) { processExpenseClaims(input: $input) {
  processedCount errors { code }
  results { instanceId instance { status expenseClaim { processedPeriod } } errors { code } } } }"""


async def component_id(db, name: str) -> str:
    async with db.reader() as s:
        pk = await s.scalar(select(m.Component.id).where(m.Component.name == name))
    return to_global_id("Component", pk)


async def claim(graphql, db, user="wn001", *, value="42", name="Kilometers onbelast", **extra):
    variables = {"componentId": await component_id(db, name), "value": value, **extra}
    result = await graphql(CLAIM, {"input": variables}, as_user=user)
    return result["data"]["submitExpenseClaim"]


async def task_ids(graphql, user: str, **filter_) -> list[str]:
    result = await graphql(TASKS, {"filter": filter_ or None}, as_user=user)
    return [e["node"]["id"] for e in result["data"]["taskCentre"]["edges"]]


async def test_expense_claim_from_submission_to_processed(graphql, db):
    submitted = await claim(graphql, db, payrollPeriod="2026-11", description="Klantbezoek")
    assert submitted["errors"] == []
    instance = submitted["instance"]
    assert instance["status"] == "IN_PROGRESS" and instance["statusLabel"] == "In behandeling"
    assert instance["expenseClaim"]["amount"] == "9.66"  # 42 km × €0,23
    assert instance["openTask"]["kind"] == "APPROVAL"

    # All-users mode: Verkoop has a manager, so the claim waits in manager.verkoop's centre.
    centre = (await graphql(TASKS, as_user="manager.verkoop"))["data"]["taskCentre"]
    assert centre["totalCount"] == 1
    assert centre["countsPerType"] == [{"type": "EXPENSE_CLAIM", "count": 1}]
    task = centre["edges"][0]["node"]
    assert task["instance"]["id"] == instance["id"]
    assert task["instance"]["employee"]["name"] == instance["employee"]["name"]
    assert await task_ids(graphql, "werkgever.directie") == []  # managers exist: not them

    approved = await graphql(APPROVE, {"input": {"taskId": task["id"]}}, as_user="manager.verkoop")
    result = approved["data"]["approveTask"]
    assert result["errors"] == []
    assert result["task"]["state"] == "DONE"
    assert result["instance"]["status"] == "COMPLETED"
    assert result["instance"]["steps"][0]["actor"]["username"] == "manager.verkoop"
    assert await task_ids(graphql, "manager.verkoop") == []

    processed = await graphql(
        PROCESS,
        {"input": {"instanceIds": [instance["id"]], "payrollPeriod": "2026-11"}},
        as_user="kantoor.salaris",
    )
    out = processed["data"]["processExpenseClaims"]
    assert out["processedCount"] == 1
    assert out["results"][0]["instance"]["status"] == "PROCESSED"
    assert out["results"][0]["instance"]["expenseClaim"]["processedPeriod"] == "2026-11"

    pk = int(from_global_id(instance["id"])[1])
    async with db.reader() as s:
        row = await s.get(m.WorkflowInstance, pk)
        kinds = list(
            await s.scalars(
                select(m.AuditEntry.kind)
                .where(m.AuditEntry.instance_id == pk)
                .order_by(m.AuditEntry.id)
            )
        )
        mails = list(await s.scalars(select(m.OutboxEmail).where(m.OutboxEmail.instance_id == pk)))
    assert row.status == "PROCESSED" and row.open_position is None and row.finished_at
    assert kinds == [
        "SUBMITTED", "STEP_STARTED", "EMAIL_QUEUED", "APPROVED", "FINISHED", "PROCESSED"
    ]  # fmt: skip
    # E-mail to the employer-side approver only (not to the provider users).
    assert [e.to_address for e in mails] == ["manager.verkoop@example.nl"]


async def test_a_contact_update_with_no_steps_is_applied_at_once(graphql, db):
    result = await graphql(
        CONTACT,
        {"input": {"mobilePhone": "06 12345678", "privateEmail": "Nieuw@Example.nl"}},
        as_user="wn001",
    )
    payload = result["data"]["submitContactDetailsUpdate"]
    assert payload["errors"] == []
    assert payload["instance"]["status"] == "PROCESSED"
    assert payload["instance"]["openTask"] is None and payload["instance"]["steps"] == []
    async with db.reader() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
        mails = await s.scalar(select(func.count()).select_from(m.OutboxEmail))
        open_steps = await s.scalar(
            select(func.count()).select_from(m.InstanceStep).where(m.InstanceStep.state == "OPEN")
        )
    assert employee.mobile_phone == "+31612345678"
    assert employee.private_email == "Nieuw@example.nl"
    assert mails == 0 and open_steps == 0


async def test_an_address_update_notifies_then_waits_for_the_task(graphql, db):
    address = {"street": "Dorpsstraat", "houseNumber": "12a", "postcode": "1234ab", "city": "Ede"}
    payload = (await graphql(ADDRESS, {"input": address}, as_user="wn001"))["data"][
        "submitAddressUpdate"
    ]
    assert payload["errors"] == []
    instance = payload["instance"]
    assert instance["status"] == "IN_PROGRESS"
    assert [s["state"] for s in instance["steps"]] == ["DONE", "OPEN"]
    assert instance["steps"][0]["action"] == "NOTIFIED"
    async with db.reader() as s:
        mails = list(await s.scalars(select(m.OutboxEmail)))
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
    assert [e.to_address for e in mails] == ["manager.verkoop@example.nl"]
    assert "Update adres medewerker" in mails[0].subject
    assert employee.street != "Dorpsstraat"  # not before the task is done

    # The office's Salarisprofessional (role link) has the task; the manager only got mail.
    [task] = await task_ids(graphql, "kantoor.salaris")
    assert await task_ids(graphql, "manager.verkoop") == []
    done = await graphql(COMPLETE, {"input": {"taskId": task}}, as_user="kantoor.salaris")
    assert done["data"]["completeTask"] == {"instance": {"status": "PROCESSED"}, "errors": []}
    async with db.reader() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
    assert (employee.street, employee.house_number, employee.postcode) == (
        "Dorpsstraat", "12a", "1234 AB"
    )  # fmt: skip


async def test_hr_never_sees_its_own_claim(graphql, db):
    # wn002 is werkgever.hr's own employment; Administratie has no manager, so all employer
    # users would get it: werkgever.directie does, werkgever.hr never.
    submitted = await claim(graphql, db, "wn002")
    assert submitted["errors"] == []
    assert await task_ids(graphql, "werkgever.hr") == []
    [task] = await task_ids(graphql, "werkgever.directie")
    refused = await graphql(APPROVE, {"input": {"taskId": task}}, as_user="werkgever.hr")
    assert refused["data"]["approveTask"]["errors"][0]["code"] in ("NOT_ASSIGNED", "NOT_FOUND")
    assert submitted["instance"]["id"] not in str(await graphql(TASKS, as_user="werkgever.hr"))


async def test_twenty_concurrent_approvals_give_one_success(graphql, db):
    await claim(graphql, db)
    [task] = await task_ids(graphql, "manager.verkoop")
    users = ["manager.verkoop", "kantoor.admin"] * 10
    results = await asyncio.gather(
        *(graphql(APPROVE, {"input": {"taskId": task}}, as_user=u) for u in users)
    )
    payloads = [r["data"]["approveTask"] for r in results]
    winners = [p for p in payloads if not p["errors"]]
    assert len(winners) == 1
    assert {p["errors"][0]["code"] for p in payloads if p["errors"]} == {"TASK_ALREADY_DONE"}
    async with db.reader() as s:
        approvals = await s.scalar(
            select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.kind == "APPROVED")
        )
        finished = await s.scalar(
            select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.kind == "FINISHED")
        )
    assert (approvals, finished) == (1, 1)


async def _decisions(db, instance: str) -> list[tuple[str, str]]:
    """(kind, actor) of each approval or rejection of the request `instance` (a global id)."""
    async with db.reader() as s:
        rows = await s.execute(
            select(m.AuditEntry.kind, m.User.username)
            .join(m.User, m.User.id == m.AuditEntry.actor_id)
            .where(m.AuditEntry.instance_id == int(from_global_id(instance)[1]))
            .where(m.AuditEntry.kind.in_(["APPROVED", "REJECTED"]))
        )
        return [tuple(r) for r in rows]


NODE = "query ($id: ID!) { node(id: $id) { id } }"


async def test_an_approver_who_came_second_hears_task_already_done(graphql, db):
    # wn005 works in Magazijn, which has no manager: its claim waits on the employer users and
    # (an approval for all users) the office's. werkgever.directie has no PROCESS_MANAGEMENT:
    # it sees the request only while the request waits on it.
    submitted = await claim(graphql, db, "wn005")
    assert submitted["errors"] == []
    [task] = await task_ids(graphql, "werkgever.directie")
    assert task in await task_ids(graphql, "werkgever.hr")
    never = ("manager.verkoop",)  # a manager of another department: never an approver here
    for user in never:
        refused = await graphql(APPROVE, {"input": {"taskId": task}}, as_user=user)
        assert [e["code"] for e in refused["data"]["approveTask"]["errors"]] == ["NOT_FOUND"]

    won = await graphql(APPROVE, {"input": {"taskId": task}}, as_user="werkgever.hr")
    assert won["data"]["approveTask"]["errors"] == []
    late = await graphql(APPROVE, {"input": {"taskId": task}}, as_user="werkgever.directie")
    assert late["data"]["approveTask"] == {
        "task": None,
        "instance": None,
        "errors": [{"code": "TASK_ALREADY_DONE", "message": "Deze taak is al afgehandeld.",
                    "field": None}],
    }  # fmt: skip
    for action in (REJECT, COMPLETE):
        again = await graphql(
            action, {"input": {"taskId": task, "comment": "Nee"}}, as_user="werkgever.directie"
        )
        payload = next(iter(again["data"].values()))
        assert [e["code"] for e in payload["errors"]] == ["TASK_ALREADY_DONE"]
    # The request itself stays out of its sight, and out of sight of those who never could
    # act on it: the same NOT_FOUND as for a task that does not exist.
    instance = submitted["instance"]["id"]
    assert errors_of(await graphql(NODE, {"id": instance}, as_user="werkgever.directie")) == [
        "NOT_FOUND"
    ]
    for user in never:
        refused = await graphql(APPROVE, {"input": {"taskId": task}}, as_user=user)
        assert refused["data"]["approveTask"]["errors"] == [
            {"code": "NOT_FOUND", "message": "Taak niet gevonden.", "field": ["taskId"]}
        ]
    assert await _decisions(db, instance) == [("APPROVED", "werkgever.hr")]


async def test_concurrent_approvers_out_of_scope_after_the_decision_lose_cleanly(graphql, db):
    # Two employer users without PROCESS_MANAGEMENT race for wn005's claim (Magazijn: no
    # manager, so all employer users approve): whoever wins, the claim leaves the other's
    # sight at that moment, and each of the other's attempts must hear TASK_ALREADY_DONE.
    async with db.reader() as s:
        employer = await s.scalar(select(m.Employer).where(m.Employer.name.like("De Ideale%")))
    await factories.user(
        db,
        "werkgever.assistent",
        UserType.EMPLOYER,
        employer_id=employer.id,
        provider_id=employer.provider_id,
        rights=(Right.VIEW_EMPLOYEES,),
        rights_at=employer.id,
    )
    submitted = await claim(graphql, db, "wn005")
    assert submitted["errors"] == []
    [task] = await task_ids(graphql, "werkgever.directie")
    assert await task_ids(graphql, "werkgever.assistent") == [task]
    users = ["werkgever.directie", "werkgever.assistent"] * 10
    results = await asyncio.gather(
        *(graphql(APPROVE, {"input": {"taskId": task}}, as_user=u) for u in users)
    )
    payloads = [r["data"]["approveTask"] for r in results]
    [winner] = [u for u, p in zip(users, payloads, strict=True) if not p["errors"]]
    losers = [(u, p["errors"]) for u, p in zip(users, payloads, strict=True) if p["errors"]]
    assert {e[0]["code"] for _, e in losers} == {"TASK_ALREADY_DONE"}
    assert {u for u, _ in losers} == {"werkgever.directie", "werkgever.assistent"}
    assert await _decisions(db, submitted["instance"]["id"]) == [("APPROVED", winner)]


async def test_reject_needs_a_comment_and_ends_the_request(graphql, db):
    await claim(graphql, db)
    [task] = await task_ids(graphql, "manager.verkoop")
    bare = await graphql(REJECT, {"input": {"taskId": task}}, as_user="manager.verkoop")
    assert bare["data"]["rejectTask"]["errors"] == [
        {"code": "COMMENT_REQUIRED", "field": ["comment"]}
    ]
    done = await graphql(
        REJECT, {"input": {"taskId": task, "comment": "Geen bon"}}, as_user="manager.verkoop"
    )
    assert done["data"]["rejectTask"] == {"instance": {"status": "REJECTED"}, "errors": []}
    assert await task_ids(graphql, "manager.verkoop") == []


async def test_the_deviating_approver_handles_wn003s_claim(graphql, db):
    assert (await claim(graphql, db, "wn003"))["errors"] == []
    assert await task_ids(graphql, "manager.verkoop") == []
    assert await task_ids(graphql, "kantoor.admin") == []  # not via the office either
    assert len(await task_ids(graphql, "werkgever.directie")) == 1


async def test_running_requests_keep_their_version(graphql, db, ids):
    first = (await claim(graphql, db))["instance"]
    definition = to_global_id(
        "WorkflowDefinition", f"{from_global_id(await ids.employer())[1]}.EXPENSE_CLAIM"
    )
    quiet = {"kind": "APPROVAL", "sendEmail": False}
    two_steps = [
        {**quiet, "name": "Manager", "userType": "DEPARTMENT_MANAGER"},
        {**quiet, "name": "Directie", "roleId": await ids.role("Directie")},
    ]
    changed = await graphql(
        """mutation ($input: UpdateWorkflowStepsInput!) { updateWorkflowSteps(input: $input) {
        errors { code } } }""",
        {"input": {"definitionId": definition, "steps": two_steps}},
        as_user="werkgever.hr",
    )
    assert changed["data"]["updateWorkflowSteps"]["errors"] == []
    second = (await claim(graphql, db, value="10"))["instance"]
    assert len(first["steps"]) == 1 and len(second["steps"]) == 2
    tasks = await task_ids(graphql, "manager.verkoop")
    assert len(tasks) == 2
    for task in tasks:
        await graphql(APPROVE, {"input": {"taskId": task}}, as_user="manager.verkoop")
    statuses = await graphql(
        "query ($a: ID!, $b: ID!) { a: node(id: $a) { ... on WorkflowInstance { status } }"
        " b: node(id: $b) { ... on WorkflowInstance { status openTask { name } } } }",
        {"a": first["id"], "b": second["id"]},
        as_user="wn001",
    )
    assert statuses["data"]["a"] == {"status": "COMPLETED"}
    assert statuses["data"]["b"] == {"status": "IN_PROGRESS", "openTask": {"name": "Directie"}}


async def test_an_idempotency_key_returns_the_first_request(graphql, db):
    first = await claim(graphql, db, idempotencyKey="klik-1")
    again = await claim(graphql, db, idempotencyKey="klik-1")
    assert first["instance"]["id"] == again["instance"]["id"]
    other = await claim(graphql, db, value="43", idempotencyKey="klik-1")
    assert other["errors"] == [
        {
            "code": "INVALID_VALUE",
            "message": "Deze idempotentiesleutel is al gebruikt voor een andere aanvraag.",
            "field": ["idempotencyKey"],
        }
    ]
    racing = await asyncio.gather(*(claim(graphql, db, idempotencyKey="klik-2") for _ in range(5)))
    assert len({r["instance"]["id"] for r in racing}) == 1
    async with db.reader() as s:
        count = await s.scalar(select(func.count()).select_from(m.WorkflowInstance))
    assert count == 2


async def test_bad_input_is_refused_with_codes_and_nothing_is_written(graphql, db, ids):
    cases = [
        ({"value": "0"}, "INVALID_EXPENSE_VALUE", ["value"]),
        ({"value": "10001"}, "INVALID_EXPENSE_VALUE", ["value"]),
        ({"payrollPeriod": "2026-13"}, "INVALID_PAYROLL_PERIOD", ["payrollPeriod"]),
        ({"payrollPeriod": "2026-03"}, "PERIOD_CLOSED", ["payrollPeriod"]),
        ({"name": "Gewerkte uren"}, "COMPONENT_NOT_DECLARABLE", ["componentId"]),
    ]
    for extra, code, field in cases:
        result = await claim(graphql, db, **extra)
        assert result["instance"] is None
        assert [(e["code"], e["field"]) for e in result["errors"]] == [(code, field)], extra
    bad_id = await graphql(CLAIM, {"input": {"componentId": "x", "value": "1"}}, as_user="wn001")
    assert bad_id["data"]["submitExpenseClaim"]["errors"][0]["code"] == "INVALID_ID"
    address = {"street": "A", "houseNumber": "1", "postcode": "0123 AB", "city": "B"}
    bad = (await graphql(ADDRESS, {"input": address}, as_user="wn001"))["data"][
        "submitAddressUpdate"
    ]
    assert [e["code"] for e in bad["errors"]] == ["INVALID_POSTCODE"]
    await graphql(
        """mutation ($e: ID!) { setWorkflowActive(input: {employerId: $e, type: IBAN_UPDATE,
        active: true}) { errors { code } } }""",
        {"e": await ids.employer()},
        as_user="werkgever.hr",
    )
    iban = await graphql(
        """mutation { submitIbanUpdate(input: {iban: "NL91ABNA0417164301"}) {
        errors { code field } } }""",
        as_user="wn001",
    )
    assert iban["data"]["submitIbanUpdate"]["errors"] == [
        {"code": "INVALID_IBAN", "field": ["iban"]}
    ]
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.WorkflowInstance)) == 0


async def test_on_call_workers_declare_hours_and_excluded_employees_nothing(graphql, db):
    # wn014 is an on-call worker with the Oproepkrachten set; employee 49 may not declare.
    result = await claim(graphql, db, "wn014", name="Gewerkte uren", value="12.5")
    assert result["errors"] == [] and result["instance"]["expenseClaim"]["amount"] is None
    normal = await claim(graphql, db, "wn014")
    assert normal["errors"][0]["code"] == "COMPONENT_NOT_DECLARABLE"
    components = await graphql(
        "{ viewer { employments { declarableComponents { name label unit } } } }", as_user="wn014"
    )
    listed = components["data"]["viewer"]["employments"][0]["declarableComponents"]
    assert {c["name"] for c in listed} == {"Gewerkte uren", "Gewerkte dagen"}


async def test_a_workflow_that_is_off_cannot_be_started(graphql):
    result = await graphql(
        "mutation { submitMaritalStatusUpdate(input: {maritalStatus: MARRIED}) {"
        " errors { code } } }",
        as_user="wn001",
    )
    assert result["data"]["submitMaritalStatusUpdate"]["errors"] == [
        {"code": "WORKFLOW_NOT_ACTIVE"}
    ]


async def test_withdrawing_removes_the_task(graphql, db):
    instance = (await claim(graphql, db))["instance"]
    withdraw = """mutation ($id: ID!) { withdrawRequest(input: {instanceId: $id}) {
      instance { status } errors { code } } }"""
    other = await graphql(withdraw, {"id": instance["id"]}, as_user="manager.verkoop")
    assert other["data"]["withdrawRequest"]["errors"][0]["code"] == "NOT_ALLOWED"
    done = await graphql(withdraw, {"id": instance["id"]}, as_user="wn001")
    assert done["data"]["withdrawRequest"] == {"instance": {"status": "WITHDRAWN"}, "errors": []}
    assert await task_ids(graphql, "manager.verkoop") == []
    again = await graphql(withdraw, {"id": instance["id"]}, as_user="wn001")
    assert again["data"]["withdrawRequest"]["errors"][0]["code"] == "REQUEST_CLOSED"


async def test_who_may_submit_and_act(graphql, db):
    staff = await graphql(
        """mutation { submitContactDetailsUpdate(input: {phone: "0201234567"}) {
        errors { code } } }""",
        as_user="werkgever.hr",
    )
    assert errors_of(staff) == ["FORBIDDEN"]
    instance = (await claim(graphql, db))["instance"]
    [task] = await task_ids(graphql, "manager.verkoop")
    employee = await graphql(APPROVE, {"input": {"taskId": task}}, as_user="wn003")
    assert errors_of(employee) == ["FORBIDDEN"]
    assert (await graphql(TASKS, as_user="wn001"))["data"]["taskCentre"]["totalCount"] == 0
    # Another employee cannot read the request; its own submitter can.
    look = "query ($id: ID!) { node(id: $id) { id } }"
    assert errors_of(await graphql(look, {"id": instance["id"]}, as_user="wn003")) == ["NOT_FOUND"]
    assert (await graphql(look, {"id": instance["id"]}, as_user="wn001"))["data"]["node"]
    # Processing needs PROCESS_MANAGEMENT and is not for department managers.
    await graphql(APPROVE, {"input": {"taskId": task}}, as_user="manager.verkoop")
    variables = {"input": {"instanceIds": [instance["id"]], "payrollPeriod": "2026-11"}}
    by_manager = await graphql(PROCESS, variables, as_user="manager.verkoop")
    assert by_manager["data"]["processExpenseClaims"]["results"][0]["errors"] == [
        {"code": "NOT_ALLOWED"}
    ]
    by_directie = await graphql(PROCESS, variables, as_user="werkgever.directie")
    assert by_directie["data"]["processExpenseClaims"]["results"][0]["errors"][0]["code"] in (
        "NOT_FOUND",
        "NOT_ALLOWED",
    )


async def test_a_contract_extension_is_applied_after_approval(graphql, db, ids):
    employer = await ids.employer()
    activate = await graphql(
        """mutation ($e: ID!) { setWorkflowActive(input: {employerId: $e, type: CONTRACT_EXTENSION,
        active: true}) { errors { code } } }""",
        {"e": employer},
        as_user="werkgever.hr",
    )
    assert activate["data"]["setWorkflowActive"]["errors"] == []
    async with db.writer() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 10))
        employee.contract_end = dt.date(2026, 12, 31)
    start = """mutation ($e: ID!, $d: Date!) { submitContractExtension(input: {employeeId: $e,
      newContractEnd: $d}) { instance { status } errors { code field } } }"""
    too_early = await graphql(
        start, {"e": await ids.employee(10), "d": "2026-06-30"}, as_user="werkgever.hr"
    )
    assert too_early["data"]["submitContractExtension"]["errors"][0]["code"] == "INVALID_DATE_ORDER"
    own = await graphql(
        start, {"e": await ids.employee(2), "d": "2027-06-30"}, as_user="werkgever.hr"
    )
    assert own["data"]["submitContractExtension"]["errors"][0]["code"] == "SELF_APPROVAL"
    ok = await graphql(
        start, {"e": await ids.employee(10), "d": "2027-06-30"}, as_user="werkgever.hr"
    )
    assert ok["data"]["submitContractExtension"]["errors"] == []
    [task] = await task_ids(graphql, "werkgever.directie")
    done = await graphql(APPROVE, {"input": {"taskId": task}}, as_user="werkgever.directie")
    assert done["data"]["approveTask"]["instance"]["status"] == "PROCESSED"
    async with db.reader() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 10))
    assert employee.contract_end == dt.date(2027, 6, 30)


async def test_a_step_only_the_employee_could_handle_is_flagged_not_approved(graphql, db, ids):
    # Restricted mode with werkgever.hr as the only approver; wn002 is werkgever.hr itself.
    definition = to_global_id(
        "WorkflowDefinition", f"{from_global_id(await ids.employer())[1]}.EXPENSE_CLAIM"
    )
    step = {"kind": "APPROVAL", "name": "HR", "userIds": [await ids.user("werkgever.hr")]}
    changed = await graphql(
        """mutation ($input: UpdateWorkflowStepsInput!) { updateWorkflowSteps(input: $input) {
        errors { code } } }""",
        {"input": {"definitionId": definition, "steps": [{**step, "sendEmail": True}]}},
        as_user="werkgever.hr",
    )
    assert changed["data"]["updateWorkflowSteps"]["errors"] == []
    instance = (await claim(graphql, db, "wn002"))["instance"]
    for user in ("werkgever.hr", "werkgever.directie", "kantoor.admin", "manager.verkoop"):
        assert await task_ids(graphql, user) == [], user
    flag = "query ($id: ID!) { node(id: $id) { ... on WorkflowInstance { noEligibleAssignee } } }"
    seen = await graphql(flag, {"id": instance["id"]}, as_user="kantoor.salaris")
    assert seen["data"]["node"] == {"noEligibleAssignee": True}
    assert errors_of(await graphql(flag, {"id": instance["id"]}, as_user="wn002")) == ["FORBIDDEN"]
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.OutboxEmail)) == 0
    # With a deviating approver the step has someone again, and only that user.
    await graphql(
        """mutation ($e: ID!, $u: ID!) { setDeviatingApprover(input: {employeeId: $e,
        userId: $u}) { errors { code } } }""",
        {"e": await ids.employee(2), "u": await ids.user("werkgever.directie")},
        as_user="werkgever.hr",
    )
    seen = await graphql(flag, {"id": instance["id"]}, as_user="kantoor.salaris")
    assert seen["data"]["node"] == {"noEligibleAssignee": False}
    assert len(await task_ids(graphql, "werkgever.directie")) == 1


async def test_the_audit_trail_cannot_be_changed(graphql, db):
    await claim(graphql, db)
    with pytest.raises(DBAPIError):
        async with db.writer() as s:
            await s.execute(update(m.AuditEntry).values(comment="vervalst"))
    async with db.reader() as s:
        comments = set(await s.scalars(select(m.AuditEntry.comment)))
    assert "vervalst" not in comments


async def test_task_centre_filters_pages_and_bulk_approval(graphql, db, ids):
    for value in ("1", "2", "3"):
        submitted = await claim(graphql, db, "wn014", name="Gewerkte uren", value=value)
        assert submitted["errors"] == []
    address = {"street": "Laan", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}
    await graphql(ADDRESS, {"input": address}, as_user="wn014")
    # wn014 works in Magazijn (no manager): the claims go to the employer users; the address
    # task to the office's Salarisprofessional.
    everything = (await graphql(TASKS, as_user="werkgever.hr"))["data"]["taskCentre"]
    assert everything["totalCount"] == 3
    name = everything["edges"][0]["node"]["instance"]["employee"]["name"]
    today = dt.date.today().isoformat()
    filters = [
        ({"types": ["EXPENSE_CLAIM"]}, 3),
        ({"types": ["ADDRESS_UPDATE"]}, 0),
        ({"kinds": ["TASK"]}, 0),
        ({"kinds": ["APPROVAL"], "employerId": await ids.employer()}, 3),
        ({"submittedFrom": today, "submittedTo": today}, 3),
        ({"submittedTo": "2000-01-01"}, 0),
        ({"employeeSearch": name.split()[-1].upper()}, 3),
        ({"employeeSearch": "%"}, 0),  # wildcards are taken literally
    ]
    for filter_, expected in filters:
        result = await graphql(TASKS, {"filter": filter_}, as_user="werkgever.hr")
        assert result["data"]["taskCentre"]["totalCount"] == expected, filter_
    bad = await graphql(TASKS, {"filter": {"employerId": "nonsense"}}, as_user="werkgever.hr")
    assert errors_of(bad) == ["BAD_USER_INPUT"]

    page = """query ($after: String) { taskCentre(first: 2, after: $after) {
      pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    first = (await graphql(page, as_user="werkgever.hr"))["data"]["taskCentre"]
    assert first["pageInfo"]["hasNextPage"] and len(first["edges"]) == 2
    rest = await graphql(page, {"after": first["pageInfo"]["endCursor"]}, as_user="werkgever.hr")
    second = rest["data"]["taskCentre"]
    assert not second["pageInfo"]["hasNextPage"] and len(second["edges"]) == 1
    seen = [e["node"]["id"] for e in first["edges"] + second["edges"]]
    assert sorted(seen) == sorted(e["node"]["id"] for e in everything["edges"])

    comment = await graphql(
        """mutation ($t: ID!) { commentOnTask(input: {taskId: $t, comment: "Even checken"}) {
        instance { status auditTrail { kind comment } } errors { code } } }""",
        {"t": seen[0]},
        as_user="werkgever.hr",
    )
    commented = comment["data"]["commentOnTask"]
    assert commented["errors"] == [] and commented["instance"]["status"] == "IN_PROGRESS"
    assert {"kind": "COMMENTED", "comment": "Even checken"} in commented["instance"]["auditTrail"]

    bulk = await graphql(
        """mutation ($ids: [ID!]!) { approveTasks(input: {taskIds: $ids}) { approvedCount
        results { taskId instance { status } errors { code } } errors { code } } }""",
        {"ids": [*seen, seen[0], to_global_id("Task", 10**9)]},
        as_user="werkgever.hr",
    )
    out = bulk["data"]["approveTasks"]
    assert out["approvedCount"] == 3 and out["errors"] == []
    assert [r["errors"] for r in out["results"]] == [[], [], [], [{"code": "NOT_FOUND"}]]
    assert (await graphql(TASKS, as_user="werkgever.hr"))["data"]["taskCentre"]["totalCount"] == 0


async def test_a_new_iban_is_masked_for_who_may_not_see_ibans(graphql, db, ids):
    await graphql(
        """mutation ($e: ID!) { setWorkflowActive(input: {employerId: $e, type: IBAN_UPDATE,
        active: true}) { errors { code } } }""",
        {"e": await ids.employer()},
        as_user="werkgever.hr",
    )
    submitted = await graphql(
        """mutation { submitIbanUpdate(input: {iban: "NL91 ABNA 0417 1643 00"}) {
        instance { id } errors { code } } }""",
        as_user="wn001",
    )
    instance = submitted["data"]["submitIbanUpdate"]["instance"]["id"]
    look = """query ($id: ID!) { node(id: $id) {
      ... on WorkflowInstance { requestedChange { value } } } }"""
    seen = {}
    for user in ("wn001", "werkgever.hr", "manager.verkoop", "kantoor.salaris"):
        result = await graphql(look, {"id": instance}, as_user=user)
        seen[user] = result["data"]["node"]["requestedChange"][0]["value"]
    assert seen["wn001"] == seen["werkgever.hr"] == "NL91ABNA0417164300"
    assert seen["manager.verkoop"] == seen["kantoor.salaris"] == "NL91 **** **** **43 00"


async def test_department_managers_never_act_outside_their_departments(graphql, db, ids):
    # Linked to the Salarisprofessional role, manager.verkoop still gets only Verkoop's tasks.
    link = await graphql(
        """mutation ($r: ID!, $u: ID!, $e: ID!) { linkRole(input: {roleId: $r, userId: $u,
        employerId: $e}) { errors { code } } }""",
        {
            "r": await ids.role("Salarisprofessional"),
            "u": await ids.user("manager.verkoop"),
            "e": await ids.employer(),
        },
        as_user="kantoor.admin",
    )
    assert link["data"]["linkRole"]["errors"] == []
    address = {"street": "Laan", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}
    for user in ("wn001", "wn005"):  # Verkoop, and another department
        await graphql(ADDRESS, {"input": address}, as_user=user)
    tasks = (await graphql(TASKS, as_user="manager.verkoop"))["data"]["taskCentre"]["edges"]
    names = {t["node"]["instance"]["employee"]["name"] for t in tasks}
    async with db.reader() as s:
        verkoop = await s.scalar(select(m.Employee.name).where(m.Employee.employee_number == 1))
    assert names == {verkoop}


async def test_the_submitter_of_a_management_action_cannot_approve_it(graphql, db, ids):
    await graphql(
        """mutation ($e: ID!) { setWorkflowActive(input: {employerId: $e,
        type: EMPLOYMENT_TERMINATION, active: true}) { errors { code } } }""",
        {"e": await ids.employer()},
        as_user="werkgever.hr",
    )
    started = await graphql(
        """mutation ($e: ID!) { submitEmploymentTermination(input: {employeeId: $e,
        endDate: "2027-01-31", reason: "Op eigen verzoek"}) { errors { code } } }""",
        {"e": await ids.employee(10)},
        as_user="werkgever.hr",
    )
    assert started["data"]["submitEmploymentTermination"]["errors"] == []
    assert await task_ids(graphql, "werkgever.hr") == []
    assert len(await task_ids(graphql, "werkgever.directie")) == 1


async def test_hostile_comments_and_filters_are_refused_cleanly(graphql, db):
    await claim(graphql, db)
    [task] = await task_ids(graphql, "manager.verkoop")
    for comment in ("x\u0000y", "a\u202eb", "x" * 2001):
        result = await graphql(
            REJECT, {"input": {"taskId": task, "comment": comment}}, as_user="manager.verkoop"
        )
        assert result["data"]["rejectTask"]["errors"] == [
            {"code": "INVALID_VALUE", "field": ["comment"]}
        ]
    ok = await graphql(
        REJECT,
        {"input": {"taskId": task, "comment": "Regel 1\nRegel 2"}},
        as_user="manager.verkoop",
    )
    assert ok["data"]["rejectTask"] == {"instance": {"status": "REJECTED"}, "errors": []}
    for filter_ in ({"employeeSearch": "a\u0000"}, {"submittedTo": "9999-12-31"}):
        result = await graphql(TASKS, {"filter": filter_}, as_user="manager.verkoop")
        assert errors_of(result) == ["BAD_USER_INPUT"], filter_


async def test_an_overtaken_contract_extension_is_not_applied(graphql, db, ids):
    await graphql(
        """mutation ($e: ID!) { setWorkflowActive(input: {employerId: $e, type: CONTRACT_EXTENSION,
        active: true}) { errors { code } } }""",
        {"e": await ids.employer()},
        as_user="werkgever.hr",
    )
    async with db.writer() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 10))
        employee.contract_end = dt.date(2026, 12, 31)
    start = """mutation ($e: ID!, $d: Date!) { submitContractExtension(input: {employeeId: $e,
      newContractEnd: $d}) { errors { code } } }"""
    employee_id = await ids.employee(10)
    for end, user in (("2027-06-30", "werkgever.hr"), ("2027-12-31", "kantoor.admin")):
        result = await graphql(start, {"e": employee_id, "d": end}, as_user=user)
        assert result["data"]["submitContractExtension"]["errors"] == []
    tasks = await task_ids(graphql, "werkgever.directie")
    assert len(tasks) == 2  # newest first: the extension to 2027-12-31
    first = await graphql(APPROVE, {"input": {"taskId": tasks[0]}}, as_user="werkgever.directie")
    assert first["data"]["approveTask"]["errors"] == []
    late = await graphql(APPROVE, {"input": {"taskId": tasks[1]}}, as_user="werkgever.directie")
    assert late["data"]["approveTask"]["errors"][0]["code"] == "CHANGE_OUTDATED"
    async with db.reader() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 10))
    assert employee.contract_end == dt.date(2027, 12, 31)  # never shortened


async def test_declarable_components_per_employee_in_a_list(graphql, ids):
    result = await graphql(
        """query ($e: ID!) { node(id: $e) { ... on Employer { employees(first: 100) { edges {
        node { employeeNumber isOnCall declarableComponents { name } } } } } } }""",
        {"e": await ids.employer()},
        as_user="werkgever.hr",
    )
    employees = [e["node"] for e in result["data"]["node"]["employees"]["edges"]]
    sets = {e["employeeNumber"]: {c["name"] for c in e["declarableComponents"]} for e in employees}
    assert sets[49] == set()  # excluded from declaring
    assert sets[14] == {"Gewerkte uren", "Gewerkte dagen"}  # on-call set
    assert sets[1] == {
        "Kilometers onbelast",
        "Kilometers belast",
        "Brandstofkosten",
        "Thuiswerkdagen",
    }


async def test_component_sets_and_labels_are_managed_through_the_api(graphql, db, ids):
    employer = await ids.employer()
    sets = await graphql(
        """query ($e: ID!) { node(id: $e) { ... on Employer { componentSets {
        id name isDefault components { id name label displayName } } } } }""",
        {"e": employer},
        as_user="werkgever.hr",
    )
    listed = sets["data"]["node"]["componentSets"]
    assert [(s["name"], s["isDefault"]) for s in listed] == [
        ("Standaard", True),
        ("Oproepkrachten", False),
    ]
    on_call = listed[1]["id"]
    fuel = next(c for c in listed[0]["components"] if c["name"] == "Brandstofkosten")
    move = """mutation ($e: ID!, $s: ID, $x: Boolean!) { setEmployeeComponentSet(input: {
      employeeId: $e, componentSetId: $s, excludedFromDeclaring: $x}) { errors { code field } } }"""
    wn001 = await ids.employee(1)
    moved = await graphql(move, {"e": wn001, "s": on_call, "x": False}, as_user="werkgever.hr")
    assert moved["data"]["setEmployeeComponentSet"]["errors"] == []
    assert (await claim(graphql, db, "wn001", name="Gewerkte dagen", value="3"))["errors"] == []
    excluded = await graphql(move, {"e": wn001, "s": None, "x": True}, as_user="werkgever.hr")
    assert excluded["data"]["setEmployeeComponentSet"]["errors"] == []
    refused = await claim(graphql, db, "wn001")
    assert refused["errors"][0]["code"] == "NOT_ALLOWED"
    by_manager = await graphql(move, {"e": wn001, "s": None, "x": False}, as_user="manager.verkoop")
    assert errors_of(by_manager) == ["FORBIDDEN"]

    label = """mutation ($c: ID!, $l: String) { setComponentLabel(input: {componentId: $c,
      label: $l}) { component { displayName } errors { code } } }"""
    named = await graphql(label, {"c": fuel["id"], "l": "Benzine"}, as_user="werkgever.hr")
    assert named["data"]["setComponentLabel"] == {
        "component": {"displayName": "Benzine"},
        "errors": [],
    }
    assert errors_of(await graphql(label, {"c": fuel["id"], "l": "X"}, as_user="wn001")) == [
        "FORBIDDEN"
    ]
    async with db.reader() as s:
        row = await s.scalar(select(m.Component).where(m.Component.name == "Brandstofkosten"))
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
    assert row.label == "Benzine"
    assert employee.excluded_from_declaring and employee.component_set_id is None


async def test_a_manager_loses_sight_of_a_request_when_the_employee_moves(graphql, db):
    instance = (await claim(graphql, db))["instance"]
    [task] = await task_ids(graphql, "manager.verkoop")
    await graphql(APPROVE, {"input": {"taskId": task}}, as_user="manager.verkoop")
    look = "query ($id: ID!) { node(id: $id) { id } }"
    assert (await graphql(look, {"id": instance["id"]}, as_user="manager.verkoop"))["data"]["node"]
    async with db.writer() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
        employee.department_id = await s.scalar(
            select(m.Department.id).where(m.Department.name == "Magazijn")
        )
    moved = await graphql(look, {"id": instance["id"]}, as_user="manager.verkoop")
    assert errors_of(moved) == ["NOT_FOUND"]
