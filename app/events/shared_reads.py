"""Rows read once per event for every group of subscriptions (app/events/fanout.py).

When an event is rendered for many groups (many users, each with its own rights), the request it
is about, its steps, audit trail, declaration, employee, employer and the users it names
(submitter, who acted) are read once, by a system read without scoping, and each group is given
what its principal may see, decided in memory by the mirror of the SQL rules
(app/domain/visibility.py, compared with app/db/scoping.py by tests/test_request_visibility.py).
Where the facts read here cannot decide (e.g. the employer of an employee's own other
employment), the group's ordinary scoped loader asks the database.

The group's other loaders stay as they are: scoped reads per group, cached for the event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from app.db import models as m
from app.db.loaders import steps_of_instances
from app.db.request_facts import load_request_facts
from app.domain.authz import Principal
from app.domain.visibility import may_see_request, may_see_request_subject, may_see_user


class SharedReads:
    """The system reads of one event, shared by the groups rendered for it."""

    def __init__(self, db):
        self.db = db
        self._session = None
        self._lock = asyncio.Lock()  # one statement at a time on the session
        self.requests = DataLoader(self._requests)
        self.steps = DataLoader(self._per_instance(m.InstanceStep, m.InstanceStep.position))
        self.audit = DataLoader(self._per_instance(m.AuditEntry, m.AuditEntry.id))
        self.claims = DataLoader(self._claims)
        self.config = DataLoader(self._config)
        self.employers = DataLoader(self._by_id(m.Employer))
        self.departments = DataLoader(self._by_id(m.Department))
        self.employees = DataLoader(self._employees)
        self.users = DataLoader(self._users)
        self._facts_of_employee: dict[int, list[Any]] = {}  # the requests read, per employee

    # --- the system reads ------------------------------------------------------------------

    async def _run(self, work: Callable[[Any], Awaitable[Any]]) -> Any:
        async with self._lock:
            if self._session is None:
                self._session = self.db.reader()
            return await work(self._session)

    async def _requests(self, ids: Sequence[int]) -> list[Any]:
        found = await self._run(lambda s: load_request_facts(s, ids))
        for _row, facts in found.values():
            self._facts_of_employee.setdefault(facts.employee_id, []).append(facts)
        return [found.get(i) for i in ids]

    def _per_instance(self, model, order):
        async def load(ids: Sequence[int]) -> list[list[Any]]:
            stmt = (
                select(model)
                .where(model.instance_id.in_(sorted(set(ids))))
                .order_by(model.instance_id, order)
            )
            rows = await self._run(lambda s: s.scalars(stmt))
            out: dict[int, list[Any]] = {i: [] for i in ids}
            for row in rows:
                out[row.instance_id].append(row)
            return [out[i] for i in ids]

        return load

    async def _claims(self, ids: Sequence[int]) -> list[Any]:
        stmt = select(m.ExpenseClaim).where(m.ExpenseClaim.instance_id.in_(sorted(set(ids))))
        found = {r.instance_id: r for r in await self._run(lambda s: s.scalars(stmt))}
        return [found.get(i) for i in ids]

    async def _config(self, ids: Sequence[int]) -> list[dict[int, Any]]:
        # The configuration each request runs on; who may see it is decided per group below.
        return await steps_of_instances(None, self, system=True)(ids)

    async def rows(self, stmt) -> list[Any]:
        return await self._run(lambda s: _all(s, stmt))

    def _by_id(self, model):
        async def load(ids: Sequence[int]) -> list[Any]:
            stmt = select(model).where(model.id.in_(sorted(set(ids))))
            found = {r.id: r for r in await self._run(lambda s: s.scalars(stmt))}
            return [found.get(i) for i in ids]

        return load

    async def _employees(self, ids: Sequence[int]) -> list[Any]:
        stmt = (
            select(m.Employee, m.Employer.provider_id)
            .join(m.Employer, m.Employer.id == m.Employee.employer_id)
            .where(m.Employee.id.in_(sorted(set(ids))))
        )
        found = {e.id: (e, p) for e, p in await self._run(lambda s: _all(s, stmt))}
        return [found.get(i) for i in ids]

    async def _users(self, ids: Sequence[int]) -> list[Any]:
        stmt = (
            select(m.User, m.Employer.provider_id)
            .outerjoin(m.Employer, m.Employer.id == m.User.employer_id)
            .where(m.User.id.in_(sorted(set(ids))))
        )
        found = {u.id: (u, p) for u, p in await self._run(lambda s: _all(s, stmt))}
        return [found.get(i) for i in ids]

    async def close(self) -> None:
        async with self._lock:
            if self._session is not None:
                await self._session.close()
                self._session = None

    # --- what one group may see ------------------------------------------------------------

    async def visible_request(self, principal: Principal, instance_id: int) -> Any:
        found = await self.requests.load(instance_id)
        if found is None:
            return None
        row, facts = found
        return row if may_see_request(principal, facts) else None

    def attach(self, loaders, context) -> None:
        """Point the group's loaders for requests and what hangs off them at the shared reads."""
        principal = context.principal
        scoped_subject = loaders.request_subject
        scoped_employer = loaders.employer
        scoped_department = loaders.department
        scoped_user = loaders.user

        async def instances(ids):
            return [await self.visible_request(principal, i) for i in ids]

        def through_request(shared: DataLoader, empty):
            async def load(ids):
                out = []
                for i in ids:
                    seen = await self.visible_request(principal, i) is not None
                    out.append(await shared.load(i) if seen else empty)
                return out

            return load

        def judged(shared: DataLoader, scoped: DataLoader, decide, row=lambda found: found):
            """Rows of the shared reads, each shown (True), hidden (False) or, when the facts
            read cannot decide (None), asked of the group's scoped loader."""

            async def load(ids):
                out = []
                for i in ids:
                    found = await shared.load(i)
                    verdict = None if found is None else decide(found)
                    if found is None or verdict is False:
                        out.append(None)
                    else:
                        out.append(row(found) if verdict else await scoped.load(i))
                return out

            return load

        def subject(found) -> bool | None:
            employee, provider_id = found
            return may_see_request_subject(
                principal,
                employee.employer_id,
                employee.department_id,
                employee.person_id,
                employer_provider_id=provider_id,
                visible_request=self._subject_of_visible(principal, employee.id),
            )

        def user(found) -> bool | None:
            row, provider_id = found
            return may_see_user(
                principal,
                row.id,
                row.user_type,
                row.employer_id,
                row.provider_id,
                employer_provider_id=provider_id,
            )

        def reached(employer_id: int) -> bool | None:
            """Employers it reaches; an employee user's own other employments: SQL decides."""
            if employer_id in principal.reachable_employer_ids:
                return True
            return False if principal.person_id is None else None

        first = lambda found: found[0]  # noqa: E731 (rows read with their office)
        loaders.instance = DataLoader(instances)
        loaders.instance_steps = DataLoader(through_request(self.steps, []))
        loaders.audit = DataLoader(through_request(self.audit, []))
        loaders.expense_claim = DataLoader(through_request(self.claims, None))
        loaders.instance_config = DataLoader(through_request(self.config, {}))
        loaders.request_subject = DataLoader(judged(self.employees, scoped_subject, subject, first))
        loaders.user = DataLoader(judged(self.users, scoped_user, user, first))
        loaders.employer = DataLoader(
            judged(self.employers, scoped_employer, lambda row: reached(row.id))
        )
        loaders.department = DataLoader(
            judged(self.departments, scoped_department, lambda row: reached(row.employer_id))
        )

    def _subject_of_visible(self, principal: Principal, employee_id: int) -> bool:
        """A request read for this event is about the employee and the principal sees it."""
        facts = self._facts_of_employee.get(employee_id, ())
        return any(may_see_request(principal, f) for f in facts)


async def _all(session, stmt) -> list[Any]:
    return list(await session.execute(stmt))
