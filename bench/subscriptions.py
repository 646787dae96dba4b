"""Benchmark: live updates (issue 6), from commit to delivery at 1,000 subscribers on one process.

Prints the commit-to-delivery time at p50 and p99 over every delivery, against as many bare
`broadcaster` subscribers receiving the same message (ratio), and the memory per idle WebSocket
connection and per idle subscription. Not a test: nothing here asserts a timing. See
bench/README.md for what the figures mean.

    .venv/bin/python bench/subscriptions.py [--subscribers N] [--events E] [--per-connection K]
    .venv/bin/python bench/subscriptions.py --users 100 [--task-centre]
    .venv/bin/python bench/subscriptions.py --client websockets
    .venv/bin/python bench/subscriptions.py --broadcast-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/subscriptions.py --database-url postgresql+asyncpg://user@host/db

The server runs in this process (uvicorn on uvloop, the real app), so that an event is committed
and the publisher woken exactly as a mutation does it; the WebSocket clients run in a child
process, the bare broadcaster subscribers in another. With --database-url the schema `public`
of that database is DROPPED and recreated: give the benchmark a database of its own.

With --users N the subscribers are N staff users of the demo office with different scopes
(created here), and each event concerns only some of them: which ones is decided in advance with
the service's own rules (app/domain/events.py), so every figure counts real deliveries and the
clients check that each subscription received exactly the events it should.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import cProfile
import ctypes
import datetime as dt
import gc
import hashlib
import json
import os
import pstats
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import uvloop

OVERVIEW = "processOverviewChanged"
TASK_CENTRE = "taskCentreChanged"
QUERY = """subscription ($employerId: ID!) { %s(employerId: $employerId) { %s } }"""
FIELDS = "eventId kind"
FIELDS_WITH_INSTANCE = "eventId kind instance { id status }"
# The task centre as the README's example and the tests select it: two fields that read.
FIELDS_TASK_CENTRE = "eventId kind openCount instance { id status }"
USER = "werkgever.hr"
AT = dt.datetime(2026, 11, 2, 12, 0, tzinfo=dt.UTC)
CHANNEL = f"bench_events_{os.getpid()}"  # its own broker channel: others may share the broker
# --users: each event opens a task for about this share of the users (a fixed seed: every run
# draws the same events).
OPENED_SHARE = 0.3
SEED = 6


def subscription(args: argparse.Namespace) -> tuple[str, str]:
    """The subscription field and the selection the clients ask for."""
    if args.task_centre:
        return TASK_CENTRE, FIELDS_TASK_CENTRE
    return OVERVIEW, FIELDS_WITH_INSTANCE if args.with_instance else FIELDS


# --- measuring helpers (every process) ----------------------------------------------------------


def rss_kib(pid: int | str = "self") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_s(pid: int | str = "self") -> tuple[float, float]:
    """User and system CPU seconds of a process so far."""
    if pid == "self":  # finer than the clock ticks of /proc
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime, usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpu_since(start: tuple[float, float], pid: int | str = "self") -> tuple[float, float]:
    now = cpu_s(pid)
    return now[0] - start[0], now[1] - start[1]


def settle() -> None:
    """Collect garbage and hand freed heap back, so that RSS counts what is alive."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class GcClock:
    """Collections of the garbage collector and their time, per generation, while it runs."""

    def __init__(self) -> None:
        # Per generation: collections, wall seconds, CPU seconds (less than wall on a busy box).
        self.totals = [[0, 0.0, 0.0] for _ in range(3)]
        self.full: list[float] = []  # when each full (generation 2) collection started
        self._start = (0.0, 0.0)
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = (time.perf_counter(), time.thread_time())
            if info["generation"] == 2:
                self.full.append(time.monotonic())
        else:
            total = self.totals[info["generation"]]
            total[0] += 1
            total[1] += time.perf_counter() - self._start[0]
            total[2] += time.thread_time() - self._start[1]

    def stop(self) -> None:
        gc.callbacks.remove(self._callback)


def print_allocations(what: str, stats, count: int, top: int = 12) -> None:
    """Where the Python heap of `what` was allocated (tracemalloc), per item, to stderr."""
    stats = [s for s in stats if getattr(s, "size_diff", s.size) > 0]
    total = sum(getattr(s, "size_diff", s.size) for s in stats)
    print(
        f"\nPython heap of {what}: {total / count / 1024:.1f} KiB each; largest:", file=sys.stderr
    )
    for stat in sorted(stats, key=lambda s: -getattr(s, "size_diff", s.size))[:top]:
        size = getattr(stat, "size_diff", stat.size)
        # Innermost frame first, each called from the next.
        frames = [f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback)]
        print(f"  {size / count:>8.0f} B  {' < '.join(frames[:6])}", file=sys.stderr)


def more_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def say(**message) -> None:
    with contextlib.suppress(BrokenPipeError):  # the main process stopped early
        print(json.dumps(message), flush=True)


async def read_line() -> str:
    return (await asyncio.to_thread(sys.stdin.readline)).strip()


# --- the subscribing users and the events (--users) ---------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A kind of staff user the benchmark creates, as app/demo/base.py's STAFF describes its own.
    Every profile holds PROCESS_MANAGEMENT at the demo employer (itself, or at provider level),
    so that both subscriptions accept every user."""

    label: str
    user_type: str  # app.domain.authz.UserType
    rights: tuple[str, ...]  # app.domain.authz.Right; "*": every right
    roles: tuple[str, ...] = ()  # demo roles linked at the demo employer
    departments: int = 0  # department managers: how many departments of the demo employer


PM, VE, VWE = "PROCESS_MANAGEMENT", "VIEW_EMPLOYEES", "VIEW_WORKFLOW_EDITOR"
# Users are made in this order, round and round: half employer users (most with role links),
# three in ten department managers (one or two departments each, in turn), two in ten office
# users (rights at provider level).
PROFILES = (
    Profile("employer user, role HR", "EMPLOYER", (PM, VE, VWE), roles=("HR",)),
    Profile("department manager", "DEPARTMENT_MANAGER", (PM, VE), departments=1),
    Profile("office user, role Salarisprofessional", "PROVIDER", (PM, VWE),
            roles=("Salarisprofessional",)),
    Profile("employer user, no role", "EMPLOYER", (PM,)),
    Profile("department manager", "DEPARTMENT_MANAGER", (PM, VE), departments=1),
    Profile("employer user, role Salarisprofessional", "EMPLOYER", (PM, VE),
            roles=("Salarisprofessional",)),
    Profile("office user, every right", "PROVIDER", ("*",)),
    Profile("employer user, role Directie", "EMPLOYER", (PM, VE), roles=("Directie",)),
    Profile("department manager of two departments", "DEPARTMENT_MANAGER", (PM, VE),
            departments=2),
    Profile("employer user, roles HR and Directie", "EMPLOYER", (PM, VE), roles=("HR", "Directie")),
)  # fmt: skip


def profile_of(index: int) -> Profile:
    return PROFILES[index % len(PROFILES)]


def audience(count: int) -> str:
    """The mix of `count` bench users, in words (for the header)."""
    kinds = [profile_of(i) for i in range(count)]
    employer = [p for p in kinds if p.user_type == "EMPLOYER"]
    managers = sum(p.user_type == "DEPARTMENT_MANAGER" for p in kinds)
    office = sum(p.user_type == "PROVIDER" for p in kinds)
    with_roles = sum(bool(p.roles) for p in employer)
    return (
        f"{len(employer)} employer users, {with_roles} of them with role links; {managers} "
        f"department managers; {office} office users"
    )


async def create_users(session, count: int) -> list[str]:
    """`count` staff users of the demo office (bench.u001 ...), with their rights, role links
    and departments, in the caller's transaction. Made after the demo history, so that the
    history's requests stay what they are in the other runs."""
    from sqlalchemy import select

    from app.db import models as m
    from app.demo.base import DEMO_AT, DEPARTMENTS, EMPLOYER_NAME
    from app.domain.authz import Right, UserType

    employer = await session.scalar(select(m.Employer).filter_by(name=EMPLOYER_NAME))
    departments = {
        d.name: d.id
        for d in await session.scalars(select(m.Department).filter_by(employer_id=employer.id))
    }
    roles = {
        r.name: r.id
        for r in await session.scalars(select(m.Role).filter_by(provider_id=employer.provider_id))
    }
    usernames, managers = [], 0
    for i in range(count):
        profile, username = profile_of(i), f"bench.u{i + 1:03d}"
        office = profile.user_type == "PROVIDER"
        user = m.User(
            username=username,
            display_name=f"Bench {i + 1} ({profile.label})",
            user_type=UserType(profile.user_type),
            provider_id=employer.provider_id if office else None,
            employer_id=None if office else employer.id,
            email=f"{username}@example.nl",
            active=True,
            created_at=DEMO_AT,
        )
        session.add(user)
        await session.flush()
        rights = tuple(Right) if profile.rights == ("*",) else map(Right, profile.rights)
        for right in rights:
            level = None if office else employer.id  # office users: at provider level
            session.add(m.RightGrant(user_id=user.id, right=right, employer_id=level))
        for name in profile.roles:
            session.add(m.RoleLink(role_id=roles[name], user_id=user.id, employer_id=employer.id))
        for k in range(profile.departments):  # Verkoop, Magazijn, ... in turn
            name = DEPARTMENTS[(managers + k) % len(DEPARTMENTS)]
            session.add(m.UserDepartment(user_id=user.id, department_id=departments[name]))
        managers += profile.departments > 0
        usernames.append(username)
    await session.flush()
    return usernames


async def load_principals(db, usernames: list[str]) -> list:
    """Each user's `Principal`, as the server loads it when the user signs in."""
    from app.db.principals import load_principal

    async with db.reader() as session:
        principals = [await load_principal(session, name) for name in usernames]
    if None in principals:
        raise SystemExit(f"no active user {usernames[principals.index(None)]}")
    return principals


@dataclass(frozen=True)
class Planned:
    """One event as it is committed, and the users (their indexes) it concerns."""

    department_id: int
    instance_id: int | None
    payload: dict
    concerned: tuple[int, ...]


class Plan:
    """The events, each drawn just before it is committed, and whom each one concerns.

    Who must receive an event is decided with the service's own pure rules (`task_change` for
    the task centre, `concerns_process_overview` for the process overview) on each user's
    `Principal`, so that the clients know how many subscriptions must have it (and which), and
    every figure counts real deliveries. Without --users it is today's one event, every time.
    """

    def __init__(self, args, employer: int, requests, principals, subscriptions: list[int]):
        from app.domain.events import concerns_process_overview, task_change

        self.employer, self.requests, self.principals = employer, requests, principals
        self.subscriptions = subscriptions  # per user
        self.users = bool(args.users)
        self.rng = random.Random(SEED)
        if args.task_centre:
            self.rule = lambda p, event: task_change(p, event, employer) is not None
        else:
            self.rule = lambda p, event: concerns_process_overview(p, event, employer)
        # Without --users: the task centre shows an event only to whom the step opened for, the
        # subscriber; the overview needs no payload.
        opened = [principals[0].user_id] if args.task_centre else None
        self.fixed = self._planned(requests[0], opened)

    def _planned(self, request: tuple[int | None, int], opened: list[int] | None) -> Planned:
        from app.domain.events import Event, InstanceChange, payload_to_json

        instance, department = request
        change = None
        if opened is not None:  # a step of an open claim moved on, to these users
            change = InstanceChange("EXPENSE_CLAIM", "IN_PROGRESS", opened_for=tuple(opened))
        payload = payload_to_json(change)  # as the outbox row stores it
        event = Event(
            seq=0, kind="STEP_MOVED", at=AT, employer_id=self.employer, department_id=department,
            instance_id=instance, payload=change,
        )  # fmt: skip
        concerned = tuple(
            i
            for i, principal in enumerate(self.principals)
            if self.subscriptions[i] and self.rule(principal, event)
        )
        return Planned(department, instance, payload, concerned)

    def next(self) -> Planned:
        """The next event: a demo request drawn at random, a task opened for about
        OPENED_SHARE of the users; drawn again while it concerns no subscriber."""
        if not self.users:
            return self.fixed
        for _ in range(1000):
            request = self.rng.choice(self.requests)
            opened = [p.user_id for p in self.principals if self.rng.random() < OPENED_SHARE]
            planned = self._planned(request, opened)
            if planned.concerned:
                return planned
        raise SystemExit("no event drawn concerns any subscriber")

    def for_first_user(self) -> Planned:
        """An event that concerns the first user (the warm-up's subscriber)."""
        if not self.users:
            return self.fixed
        for request in self.requests:
            planned = self._planned(request, [self.principals[0].user_id])
            if 0 in planned.concerned:
                return planned
        raise SystemExit("no event concerns the first user")


# --- child: the WebSocket clients ---------------------------------------------------------------

PING_REPLY = '{"type":"pong"}'
JSON_VALUE = json.JSONDecoder().scan_once  # (text, index) -> (value, end)


class Recorder:
    """What the subscriptions of this process received, checked as it arrives.

    Connection c signs in as user c % users, with `per_connection` subscriptions (operation ids
    "0", "1", ...). Before each event the main process names the users it concerns
    (`expect`); the first new eventId to arrive is that event. A delivery to a subscription of
    any other user, a second delivery of an event, a RESYNC, an `error` or `complete`, a field
    error: each is reported (`say(error=...)`, which stops the run). "done" once every
    subscription that must have the event has it; `check` at the end: none was missed.
    """

    def __init__(self, field: str, connections: int, per_connection: int, users: int):
        self.field, self.per_connection = field, per_connection
        self.user_of = [c % users for c in range(connections)]
        self.subscriptions_of = [0] * users
        for user in self.user_of:
            self.subscriptions_of[user] += per_connection
        self.last = [0] * (connections * per_connection)  # per subscription: its last eventId
        self.times: dict[int, list[float]] = {}  # per event: when each delivery was read
        self.expected: dict[int, tuple[frozenset[int], int]] = {}  # per event: users, count
        self.pending: tuple[frozenset[int], int] | None = None  # for the next new eventId
        self.errors = 0
        self.operations = {str(op): op for op in range(per_connection)}  # "0" -> 0

    def expect(self, users: list[int]) -> int:
        count = sum(self.subscriptions_of[u] for u in users)
        self.pending = (frozenset(users), count)
        return count

    def error(self, what) -> None:
        self.errors += 1
        if self.errors <= 10:  # the first stops the run; a flood helps nobody
            say(error=what)

    def message(self, connection: int, raw: str | bytes, now: float) -> bool:
        """One graphql-transport-ws message read at `now`; True when it is a ping (the caller
        answers with a pong)."""
        text = raw.decode() if type(raw) is bytes else raw
        try:  # json.loads without its wrappers (half the time); the whole text must be JSON
            message, end = JSON_VALUE(text, 0)
        except StopIteration:
            end = -1
        if (end != len(text) and (end < 0 or text[end:].strip())) or type(message) is not dict:
            self.error(f"connection {connection}: not a JSON object: {text!r}")
            return False
        kind = message.get("type")
        if kind != "next":
            if kind == "ping":
                return True
            if kind != "pong":
                self.error(message)
            return False
        payload = message.get("payload") or {}
        shown = (payload.get("data") or {}).get(self.field) or {}
        event_id = shown.get("eventId")
        if payload.get("errors") or shown.get("kind") == "RESYNC" or type(event_id) is not int:
            self.error(message)
            return False
        op = self.operations.get(message.get("id"))
        if op is None:
            self.error(f"connection {connection}: an unknown operation: {message}")
            return False
        subscription = connection * self.per_connection + op
        if event_id <= self.last[subscription]:
            last = self.last[subscription]
            self.error(f"subscription {subscription}: event {event_id} after event {last}")
            return False
        self.last[subscription] = event_id
        bucket = self.times.get(event_id)
        if bucket is None:
            if self.pending is None:
                self.error(f"event {event_id} arrived, but no event was announced")
                return False
            self.expected[event_id], self.pending = self.pending, None
            bucket = self.times[event_id] = []
        users, count = self.expected[event_id]
        if self.user_of[connection] not in users:
            self.error(f"event {event_id} reached user #{self.user_of[connection]}, not concerned")
            return False
        bucket.append(now)
        if len(bucket) == count:
            say(done=event_id)
        return False

    def check(self) -> None:
        """Every event reached every subscription that must have it (the rest is checked as
        deliveries arrive)."""
        if self.pending is not None:
            self.error(f"an event for {self.pending[1]} subscriptions never arrived")
        for event_id, (_users, count) in self.expected.items():
            if len(self.times[event_id]) != count:
                got = len(self.times[event_id])
                self.error(f"event {event_id}: {got} of the {count} subscriptions received it")


WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3


class LeanWebSocket(asyncio.Protocol):
    """One connection of the lean client: a WebSocket (RFC 6455, permessage-deflate RFC 7692)
    written for this benchmark, so that the clients cost little next to the server.

    The `websockets` library runs a task per connection and several coroutines per message:
    50-120 us of client CPU per message at 1,000 subscribers, as much as a fast fan-out costs
    the server per delivery, so that the clients' own backlog would show up as latency. Here a
    frame is parsed where it arrives (`data_received`, on uvloop) and handed to the `Recorder`
    at once: no task, no future per message; ~5 us of Python per message, the rest is the
    wake-up and read of the socket (bench/README.md). The time of a message is taken as soon
    as its last frame is in, before it is inflated and decoded. Everything the server may send
    is handled (fragments, pings, close) and anything it must not send (a masked frame, RSV
    bits not negotiated, a stray continuation) is an error.
    """

    def __init__(self, index: int, url, deflate: bool, recorder: Recorder):
        loop = asyncio.get_running_loop()
        self.index, self.url, self.deflate, self.recorder = index, url, deflate, recorder
        self.upgraded, self.acknowledged = loop.create_future(), loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.extensions = ""  # what the server answered in Sec-WebSocket-Extensions
        self.closing = False
        self._head: bytes | None = b""  # the HTTP answer while the handshake is on
        self._accept = ""
        self._buffer = b""  # an incomplete frame
        self._fragments: list[bytes] | None = None  # a fragmented message being read
        self._compressed = False  # ... and whether it is compressed
        self._inflater = None  # zlib.decompressobj: permessage-deflate was negotiated
        self._window_bits = 15
        self._inflater_per_message = False  # server_no_context_takeover

    # --- the opening handshake ---------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16))
        self._accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
        lines = [
            f"GET {self.url.path or '/'} HTTP/1.1",
            f"Host: {self.url.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key.decode()}",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: graphql-transport-ws",
        ]
        if self.deflate:  # as browsers offer it
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _handshake(self, data: bytes) -> None:
        self._head += data
        end = self._head.find(b"\r\n\r\n")
        if end < 0:
            if len(self._head) > 65536:
                self._fail("no end to the HTTP answer")
            return
        head, rest = self._head[:end], self._head[end + 4 :]
        self._head = None
        problem = self._upgrade(head.decode("latin-1"))
        if problem:
            self._fail(problem)
            return
        self.upgraded.set_result(None)
        if rest:
            self.data_received(rest)

    def _upgrade(self, head: str) -> str | None:
        """None if the server switched to graphql-transport-ws as asked, else what is wrong."""
        status, *lines = head.split("\r\n")
        if status.split(" ")[1:2] != ["101"]:
            return f"the server did not upgrade: {head!r}"
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if headers.get("upgrade", "").lower() != "websocket":
            return f"no Upgrade: websocket in {head!r}"
        if "upgrade" not in headers.get("connection", "").lower():
            return f"no Connection: upgrade in {head!r}"
        if headers.get("sec-websocket-accept") != self._accept:
            return f"a wrong Sec-WebSocket-Accept in {head!r}"
        if headers.get("sec-websocket-protocol") != "graphql-transport-ws":
            return f"not the subprotocol graphql-transport-ws: {head!r}"
        self.extensions = headers.get("sec-websocket-extensions", "")
        if not self.extensions:
            return None
        name, *params = (part.strip() for part in self.extensions.split(";"))
        if not self.deflate or name != "permessage-deflate" or "," in self.extensions:
            return f"an extension that was not offered: {self.extensions!r}"
        agreed = {}
        for param in params:
            key, _, value = param.partition("=")
            agreed[key.strip().lower()] = value.strip().strip('"')
        known = {"server_no_context_takeover", "client_no_context_takeover",
                 "server_max_window_bits", "client_max_window_bits"}  # fmt: skip
        if set(agreed) - known:
            return f"unknown permessage-deflate parameters: {self.extensions!r}"
        # client_*: how we would compress; we send uncompressed messages, which RFC 7692 allows.
        self._window_bits = int(agreed.get("server_max_window_bits") or 15)
        if not 8 <= self._window_bits <= 15:
            return f"server_max_window_bits out of range: {self.extensions!r}"
        self._inflater_per_message = "server_no_context_takeover" in agreed
        self._inflater = zlib.decompressobj(-self._window_bits)
        return None

    # --- frames in ---------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._head is not None:
            self._handshake(data)
            return
        if self._buffer:
            data, self._buffer = self._buffer + data, b""
        pos, end = 0, len(data)
        while end - pos >= 2:
            first, length = data[pos], data[pos + 1]
            if length & 0x80:
                self._fail("a masked frame from the server")
                return
            start = pos + 2
            if length == 126:
                start = pos + 4
                if start > end:
                    break
                length = int.from_bytes(data[pos + 2 : start], "big")
            elif length == 127:
                start = pos + 10
                if start > end:
                    break
                length = int.from_bytes(data[pos + 2 : start], "big")
            stop = start + length
            if stop > end:
                break
            self._frame(first, data[start:stop])
            if self.transport is None or self.transport.is_closing():
                return
            pos = stop
        if pos < end:
            self._buffer = data[pos:]

    def _frame(self, first: int, payload: bytes) -> None:
        opcode = first & 0x0F
        if opcode & 0x08:
            self._control(first, opcode, payload)
        elif first & 0x30:
            self._fail("RSV2 or RSV3 set")
        elif opcode == 0x0:  # continuation
            if self._fragments is None:
                self._fail("a continuation frame outside a message")
            elif first & 0x40:
                self._fail("RSV1 on a continuation frame")
            else:
                self._fragments.append(payload)
                if first & 0x80:
                    payload, self._fragments = b"".join(self._fragments), None
                    self._message(payload, self._compressed)
        elif opcode == 0x1:  # text; graphql-transport-ws sends nothing else
            compressed = bool(first & 0x40)
            if self._fragments is not None:
                self._fail("a new message inside a fragmented one")
            elif compressed and self._inflater is None:
                self._fail("a compressed frame without permessage-deflate")
            elif first & 0x80:
                self._message(payload, compressed)
            else:
                self._fragments, self._compressed = [payload], compressed
        else:
            self._fail(f"an unexpected opcode {opcode:#x}")

    def _control(self, first: int, opcode: int, payload: bytes) -> None:
        if not first & 0x80 or len(payload) > 125 or first & 0x70:
            self._fail("a fragmented, long or flagged control frame")
        elif opcode == 0x9:  # ping (uvicorn's keep-alive): pong with the same payload
            self._send(0xA, payload)
        elif opcode == 0x8:  # close
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            if not self.closing:
                reason = payload[2:].decode("utf-8", "replace")
                self.recorder.error(f"the server closed connection {self.index}: {code} {reason}")
            self.closing = True
            self._send(0x8, payload[:2])
            self.transport.close()
        elif opcode != 0xA:  # an unsolicited pong is fine
            self._fail(f"an unknown control opcode {opcode:#x}")

    def _message(self, payload: bytes, compressed: bool) -> None:
        now = time.monotonic()
        if compressed:  # RFC 7692 7.2.2: the empty stored block the sender took off, back on
            inflater = self._inflater
            if self._inflater_per_message:  # each message a fresh window
                inflater = zlib.decompressobj(-self._window_bits)
            payload = inflater.decompress(payload + b"\x00\x00\xff\xff")
        if not self.acknowledged.done():
            self._before_ack(payload)
        elif self.recorder.message(self.index, payload, now):
            self._send(0x1, PING_REPLY.encode())

    def _before_ack(self, payload: bytes) -> None:
        message = json.loads(payload)
        if message.get("type") == "connection_ack":
            self.acknowledged.set_result(None)
        elif message.get("type") == "ping":
            self._send(0x1, PING_REPLY.encode())
        else:
            self._fail(f"no connection_ack: {message}")

    # --- frames out, and the end ---------------------------------------------------------------

    def _send(self, opcode: int, data: bytes) -> None:
        """One frame, masked as every client frame must be (RFC 6455 5.3)."""
        n = len(data)
        if n < 126:
            header = bytes((0x80 | opcode, 0x80 | n))
        elif n < 65536:
            header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
        else:
            header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
        mask = os.urandom(4)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        self.transport.write(header + mask + (int.from_bytes(data, "big") ^ key).to_bytes(n, "big"))

    async def send(self, text: str) -> None:
        self._send(0x1, text.encode())

    def _fail(self, problem: str) -> None:
        self.recorder.error(f"connection {self.index}: {problem}")
        for waiter in (self.upgraded, self.acknowledged):
            if not waiter.done():
                waiter.set_exception(ConnectionError(problem))
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closing:
            self._fail(f"lost ({exc or 'closed by the server'})")

    async def close(self) -> None:
        self.closing = True
        if not self.transport.is_closing():
            self._send(0x8, (1000).to_bytes(2, "big"))
            self.transport.close()


class WebsocketsConnection:
    """One connection of the `websockets` client (--client websockets, the former one): a task
    per connection reads its messages."""

    def __init__(self, ws, index: int, recorder: Recorder):
        self.ws, self.index, self.recorder, self.closing = ws, index, recorder, False
        self.extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        self.reader = asyncio.create_task(self._receive())  # answers the server's pings

    async def _receive(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                now = time.monotonic()
                if self.recorder.message(self.index, raw, now):
                    await self.ws.send(PING_REPLY)
        except ConnectionClosed as closed:
            if not self.closing:
                self.recorder.error(f"the server closed a connection: {closed}")

    async def send(self, text: str) -> None:
        await self.ws.send(text)

    async def close(self) -> None:
        self.closing = True
        self.reader.cancel()


async def open_lean(args, index: int, init: str, recorder: Recorder) -> LeanWebSocket:
    url = urlsplit(args.url)
    loop = asyncio.get_running_loop()
    _transport, connection = await loop.create_connection(
        lambda: LeanWebSocket(index, url, args.deflate, recorder), url.hostname, url.port
    )
    await asyncio.wait_for(connection.upgraded, 60)
    await connection.send(init)
    await asyncio.wait_for(connection.acknowledged, 60)
    return connection


async def open_websockets(args, index: int, init: str, recorder: Recorder) -> WebsocketsConnection:
    from websockets.asyncio.client import connect

    ws = await connect(
        args.url,
        subprotocols=["graphql-transport-ws"],
        compression="deflate" if args.deflate else None,
        ping_interval=None,  # the server pings (and uvicorn); answered by the reader
        max_queue=None,
    )
    await ws.send(init)
    ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if ack["type"] != "connection_ack":
        raise SystemExit(f"no connection_ack: {ack}")
    return WebsocketsConnection(ws, index, recorder)


async def clients(args: argparse.Namespace) -> None:
    """Read each user's token (the first line), open the connections, connection c signed in as
    user c % users (say "connected"), subscribe on "subscribe"; on "expect [users]" note whom
    the next event concerns (say "expecting"), then say "done <eventId>" when every
    subscription of those users has it; check and report every receive time on "report"."""
    more_files()
    tokens = json.loads(await read_line())
    n_conn = args.subscribers // args.per_connection
    recorder = Recorder(args.field, n_conn, args.per_connection, len(tokens))
    opener = open_lean if args.client == "lean" else open_websockets
    limit, connections = asyncio.Semaphore(50), [None] * n_conn

    async def open_one(index: int) -> None:
        token = tokens[index % len(tokens)]
        init = json.dumps({"type": "connection_init", "payload": {"Authorization": token}})
        async with limit:
            connections[index] = await opener(args, index, init, recorder)

    await asyncio.gather(*(open_one(c) for c in range(n_conn)))
    say(connected=n_conn, extensions=connections[0].extensions)
    await read_line()  # "subscribe"
    payload = {"query": args.query, "variables": json.loads(args.variables)}
    for connection in connections:
        for op in range(args.per_connection):
            await connection.send(
                json.dumps({"id": str(op), "type": "subscribe", "payload": payload})
            )
    if args.client == "lean":  # what is alive now stays: no full collection walks it again
        gc.freeze()
    while (line := await read_line()).startswith("expect "):
        say(expecting=recorder.expect(json.loads(line.removeprefix("expect "))))
    recorder.check()  # on "report"
    say(times=recorder.times)
    for connection in connections:
        await connection.close()


# --- child: bare broadcaster subscribers --------------------------------------------------------


async def bare(args: argparse.Namespace) -> None:
    """`--subscribers` bare broadcaster subscriptions in this process (say "ready" with the RSS
    without and with them); on each "send", the message the hub would publish for the next
    event, then "done" once every subscriber has it; the publish-to-receive times on "report"."""
    from app.domain.events import Event
    from app.events.broker import new_broadcast

    # broadcaster with the server's own backends (app/events/broker.py): as released, its
    # Redis backend receives nothing at all.
    broadcast = new_broadcast(args.broadcast_url)
    await broadcast.connect()
    times: dict[str, list[float]] = defaultdict(list)
    subscribed, ready, done = 0, asyncio.Event(), asyncio.Event()

    async def subscriber(count: int, record: bool = True):
        nonlocal subscribed
        async with broadcast.subscribe(CHANNEL) as subscription:
            subscribed += 1
            if subscribed == count:
                ready.set()
            async for event in subscription:
                if not record:
                    continue
                bucket = times[event.message]
                bucket.append(time.monotonic())
                if len(bucket) == count:
                    done.set()

    def message(seq: int) -> str:
        event = Event(seq=seq, kind="STEP_MOVED", at=AT, employer_id=1, department_id=1)
        return json.dumps({"events": [event.to_json()]}, separators=(",", ":"))

    async def send(seq: int) -> float:
        done.clear()
        start = time.monotonic()
        await broadcast.publish(CHANNEL, message(seq))
        await asyncio.wait_for(done.wait(), 60)
        return start

    # First use of the broker, then RSS empty. A quiet subscriber stays throughout: broadcaster's
    # Redis backend does not recover when the last subscriber of a channel leaves.
    warm = asyncio.create_task(subscriber(1))
    await ready.wait()  # subscribe returns once the broker confirmed it
    await send(0)
    tasks = [asyncio.create_task(subscriber(0, record=False))]  # keeps the channel subscribed
    await asyncio.sleep(0.2)
    warm.cancel()
    await asyncio.sleep(0.2)
    times.clear()
    settle()
    empty = {"rss": rss_kib(), "objects": len(gc.get_objects())}
    subscribed = 0
    ready.clear()
    tasks += [asyncio.create_task(subscriber(args.subscribers)) for _ in range(args.subscribers)]
    await ready.wait()
    await asyncio.sleep(0.5)
    settle()
    say(ready={"empty": empty, "full": {"rss": rss_kib(), "objects": len(gc.get_objects())}})
    cpu_start, sent, seq = cpu_s(), {}, 0
    while await read_line() == "send":
        seq += 1
        sent[message(seq)] = await send(seq)
        say(done=seq)
    cpu = cpu_since(cpu_start)
    latencies = {
        seq: [(t - start) * 1000 for t in times[text]]
        for seq, (text, start) in enumerate(sent.items(), start=1)
    }
    say(latencies=latencies, cpu=cpu, subscribers=len(tasks) - 1)
    os._exit(0)  # leaving the subscriptions one by one only trips over broadcaster's clean-up


# --- this process: the server, the events, the tables -------------------------------------------


async def prepare(url: str) -> None:
    """A migrated, empty schema (on PostgreSQL: schema public dropped first, as in the tests)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db.migrate import upgrade

    engine = create_async_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def serve(app):
    """The app under uvicorn in this process's loop (as tests/api/live.py); yields the port."""
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:  # as `loketflow serve` runs it (older servers: uvicorn's defaults)
        from app.server import server_options

        options = server_options(app.state.settings)
    except ImportError:
        options = {}
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def child(*argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, __file__, *argv,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**28,
    )  # fmt: skip


async def expect(proc: asyncio.subprocess.Process, key: str, within: float):
    """The next message of a child that carries `key` (a subscription error stops the run)."""
    while True:
        line = await asyncio.wait_for(proc.stdout.readline(), within)
        if not line:
            raise SystemExit(f"the {key!r} child ended early (exit code {await proc.wait()})")
        message = json.loads(line)
        if "error" in message:
            raise SystemExit(f"a subscription answered: {message['error']}")
        if key in message:
            return message


async def demo_facts(db, with_instance: bool, every_request: bool) -> tuple[int, list]:
    """The demo employer and the requests events may name, each as (instance id or None, its
    department): without --users one, (with_instance) a request of the demo history or else
    none, in department Verkoop; with --users (every_request) every request of the demo
    employer."""
    from sqlalchemy import select

    from app.db import models as m
    from app.demo.base import EMPLOYER_NAME

    async with db.reader() as session:
        employer = await session.scalar(select(m.Employer.id).filter_by(name=EMPLOYER_NAME))
        department = await session.scalar(
            select(m.Department.id).filter_by(employer_id=employer, name="Verkoop")
        )
        requests = [(None, department)]
        if with_instance or every_request:
            stmt = (
                select(m.WorkflowInstance.id, m.Employee.department_id)
                .join(m.Employee, m.Employee.id == m.WorkflowInstance.employee_id)
                .where(m.WorkflowInstance.employer_id == employer)
            )
            stmt = stmt.order_by(m.WorkflowInstance.id) if every_request else stmt.limit(1)
            requests = [tuple(row) for row in await session.execute(stmt)]
    return employer, requests


class Ours:
    """The server side: commits events and watches the hub, in the server's own process."""

    def __init__(self, args, settings, app, port: int, employer: int, usernames, plan: Plan):
        from app.schema.ids import to_global_id
        from app.web.auth import issue_token

        self.args, self.db, self.events = args, app.state.db, app.state.events
        self.hub = self.events.hub
        self.employer, self.plan = employer, plan
        self.field, fields = subscription(args)
        self.query = QUERY % (self.field, fields)
        self.variables = {"employerId": to_global_id("Employer", self.employer)}
        # Each user's token; connection c signs in as user c % len(tokens).
        self.tokens = [f"Bearer {issue_token(settings, name)}" for name in usernames]
        self.url = f"ws://127.0.0.1:{port}/graphql"
        self.handed: dict[int, float] = {}  # when the publisher handed each event to the hub
        dispatch = self.hub._dispatch

        def timed_dispatch(batch):
            now = time.monotonic()
            for event in batch:
                self.handed.setdefault(event.seq, now)
            dispatch(batch)

        self.hub._dispatch = timed_dispatch

    async def commit(self, planned: Planned) -> float:
        """An event committed the way a mutation commits one, then the publisher woken."""
        from app.db import models as m

        async with self.db.writer() as session:
            session.add(
                m.OutboxEvent(
                    kind="STEP_MOVED", employer_id=self.employer,
                    department_id=planned.department_id, instance_id=planned.instance_id,
                    payload=planned.payload,
                )
            )  # fmt: skip
        committed = time.monotonic()
        self.events.wake()
        return committed

    def subscriptions(self) -> int:
        """Live subscriptions in the server: `Events.subscriptions()` where the server has it
        (a shared fan-out: the hub then has one listener for all), else one hub listener each."""
        count = getattr(self.events, "subscriptions", None)
        return count() if callable(count) else len(self.hub.listeners)

    async def listeners(self, count: int, within: float = 600) -> None:
        """Until the server has `count` subscriptions (polled: it has no signal for it)."""
        async with asyncio.timeout(within):
            while self.subscriptions() != count:  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    async def warm_up(self) -> None:
        """One subscription and one event, so that first-use costs are in the idle figures."""
        from websockets.asyncio.client import connect

        async with connect(self.url, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": self.tokens[0]}}
            await ws.send(json.dumps(init))
            await ws.recv()
            payload = {"query": self.query, "variables": self.variables}
            await ws.send(json.dumps({"id": "w", "type": "subscribe", "payload": payload}))
            await self.listeners(1, 10)
            await self.commit(self.plan.for_first_user())
            message = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if message.get("type") != "next" or message["payload"].get("errors"):
                raise SystemExit(f"the warm-up subscription answered: {message}")
        await self.listeners(0, 10)
        await asyncio.sleep(0.3)

    async def measure(self) -> tuple[dict, dict]:
        """Ours and the bare broadcaster's figures, their events sent in turn (drift hits both
        alike)."""
        args = self.args
        await self.warm_up()
        settle()
        if args.gc_freeze:
            gc.freeze()
        clients = await child(
            "--role", "clients", "--client", args.client, "--url", self.url, "--query", self.query,
            "--field", self.field,
            "--variables", json.dumps(self.variables), "--subscribers", str(args.subscribers),
            "--per-connection", str(args.per_connection), *(["--no-deflate"] * (not args.deflate)),
        )  # fmt: skip
        clients.stdin.write(json.dumps(self.tokens).encode() + b"\n")  # too long for argv
        bare = None
        try:
            ours = {"memory": await self.memory(clients)}
            bare = await child(
                "--role", "bare", "--broadcast-url", args.broadcast_url,
                "--subscribers", str(args.subscribers),
            )  # fmt: skip
            bare_memory = (await expect(bare, "ready", 600))["ready"]
            ours.update(await self.deliveries(clients, bare))
            bare.stdin.write(b"report\n")
            bare_result = await expect(bare, "latencies", 120)
            bare_result.update(bare_memory)
        finally:
            for proc in (clients, bare):
                if proc is not None and proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        if args.trace_memory:
            connected, subscribed = self.snapshots
            connections = args.subscribers // args.per_connection
            print_allocations("the connections", connected.statistics("traceback"), connections)
            diff = subscribed.compare_to(connected, "traceback")
            print_allocations("the subscriptions", diff, args.subscribers)
        return ours, bare_result

    async def memory(self, clients_proc) -> dict:
        """RSS and objects idle, with the connections open, with a subscription on each."""
        args = self.args

        def measure(label: str) -> None:
            settle()
            rss[label], objects[label] = rss_kib(), len(gc.get_objects())

        rss, objects = {}, {}
        measure("idle")
        if args.trace_memory:
            tracemalloc.start(8)
        start = time.monotonic()
        connected = await expect(clients_proc, "connected", 600)
        connect_s = time.monotonic() - start
        await asyncio.sleep(0.5)
        measure("connected")
        snapshot = tracemalloc.take_snapshot() if args.trace_memory else None
        clients_proc.stdin.write(b"subscribe\n")
        await self.listeners(args.subscribers)
        await asyncio.sleep(0.5)
        measure("subscribed")
        if snapshot is not None:  # compared at the end: that blocks the loop for a while
            self.snapshots = (snapshot, tracemalloc.take_snapshot())
            tracemalloc.stop()
        extensions = connected["extensions"]  # what the server answered the first connection
        return {"rss": rss, "objects": objects, "connect_s": connect_s, "extensions": extensions}

    async def deliveries(self, clients_proc, bare) -> dict:
        """Events one at a time, each followed by one bare broadcaster message; when each event
        was committed and when each subscription it concerns had it. Before each commit the
        clients hear whom the event concerns, and say so (outside the times measured)."""
        args = self.args
        gc_clock = GcClock()
        profile = cProfile.Profile(time.process_time) if args.profile else None
        if profile is not None:
            profile.enable()
        cpu_start = (cpu_s(), cpu_s(clients_proc.pid))
        committed: dict[int, float] = {}
        for i in range(args.warmup + args.events):
            planned = self.plan.next()
            clients_proc.stdin.write(f"expect {json.dumps(planned.concerned)}\n".encode())
            await expect(clients_proc, "expecting", 60)
            at = await self.commit(planned)
            try:
                seq = (await expect(clients_proc, "done", 120))["done"]
            except TimeoutError:  # the clients say which subscriptions miss it
                clients_proc.stdin.write(b"report\n")
                await expect(clients_proc, "times", 60)
                raise SystemExit("an event did not reach all its subscriptions in 120 s") from None
            if i >= args.warmup:
                committed[seq] = at
            await asyncio.sleep(args.gap)
            bare.stdin.write(b"send\n")
            await expect(bare, "done", 120)
            await asyncio.sleep(args.gap)
        cpu = (cpu_since(cpu_start[0]), cpu_since(cpu_start[1], clients_proc.pid))
        gc_clock.stop()
        if profile is not None:
            profile.disable()
            profile.dump_stats(Path(tempfile.gettempdir()) / "bench-subscriptions.prof")
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(40)
        await asyncio.sleep(0.5)
        held = self.db.engine.pool.checkedout()  # read connections kept by idle subscriptions
        clients_proc.stdin.write(b"report\n")
        times = (await expect(clients_proc, "times", 120))["times"]
        await clients_proc.wait()
        per_event = {s: [(t - at) * 1000 for t in times[str(s)]] for s, at in committed.items()}
        # Events during whose delivery a full collection started.
        collected = {
            s for s, at in committed.items()
            if any(at <= t <= at + max(per_event[s]) / 1000 for t in gc_clock.full)
        }  # fmt: skip
        return {
            # Every delivery of the event phase, warm-up included (as the CPU figures are).
            "delivered": sum(len(values) for values in times.values()),
            "latencies": [ms for values in per_event.values() for ms in values],
            "without_full_gc": [
                ms for s, values in per_event.items() if s not in collected for ms in values
            ],
            "full_gc_events": len(collected),
            "first": [min(values) for values in per_event.values()],
            "last": [max(values) for values in per_event.values()],
            "handed": [(self.handed[s] - at) * 1000 for s, at in committed.items()],
            "cpu": cpu,
            "gc": gc_clock.totals,
            "held": held,
        }


async def run(args: argparse.Namespace) -> None:
    from sqlalchemy import text

    from app.demo.base import load_demo
    from app.demo.history import load_demo_history
    from app.server import create_app
    from app.settings import Settings

    more_files()
    with tempfile.TemporaryDirectory(prefix="loketflow-bench-") as tmp:
        settings = Settings(
            database_url=args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            data_dir=Path(tmp),
            jwt_secret="bench-" + "x" * 40,
            broadcast_url=args.broadcast_url,
            broadcast_channel=CHANNEL,
            ws_max_subscriptions=max(10, args.per_connection),
            # The default shape is 1,000 tabs of one user: lift the per-user limits (issue 13).
            **{
                name: value
                for name, value in (
                    ("ws_max_connections_per_user", args.subscribers),
                    ("ws_max_subscriptions_per_user", args.subscribers),
                    ("ws_compression", args.ws_compression),
                )
                if name in Settings.model_fields
            },
        )
        await prepare(settings.sqlalchemy_url)
        app = create_app(settings)
        history = args.with_instance or args.task_centre or args.users > 0
        async with app.state.db.writer() as session:
            await load_demo(session)
            if history:  # events name a real request
                await load_demo_history(session)
            usernames = await create_users(session, args.users) if args.users else [USER]
        async with app.state.db.engine.connect() as conn:
            kind = "SQLite (file in a temp dir)"
            if conn.dialect.name == "postgresql":
                kind = "PostgreSQL " + (await conn.scalar(text("SHOW server_version"))).split()[0]
        employer, requests = await demo_facts(
            app.state.db, args.with_instance or args.task_centre, args.users > 0
        )
        # Connection c signs in as user c % users, with --per-connection subscriptions.
        n_conn = args.subscribers // args.per_connection
        per_user = [len(range(u, n_conn, len(usernames))) * args.per_connection
                    for u in range(len(usernames))]  # fmt: skip
        principals = await load_principals(app.state.db, usernames)
        plan = Plan(args, employer, requests, principals, per_user)
        async with serve(app) as port:
            ours, bare = await Ours(args, settings, app, port, employer, usernames, plan).measure()
    report(args, kind, ours, bare)


def row(label: str, values, width: int = 44, fmt: str = ">9.2f") -> str:
    return f"{label:<{width}}" + "".join(f"{v:{fmt}}" for v in values)


def report(args, kind: str, ours: dict, bare: dict) -> None:
    n, connections = args.subscribers, args.subscribers // args.per_connection
    memory, sent = ours["memory"], args.warmup + args.events
    field, fields = subscription(args)
    client = {
        "lean": "lean (an asyncio.Protocol per connection on uvloop)",
        "websockets": "websockets (the library, a task per connection)",
    }[args.client]
    answered = f" (server: {memory['extensions']})" if args.deflate else ""
    print(f"database: {kind}; broker: {args.broadcast_url}; Python {sys.version.split()[0]}")
    print(
        f"server: the app under uvicorn + uvloop in this process; clients: one child process, "
        f"{connections:,} WebSocket connections x {args.per_connection} subscription(s), "
        f"permessage-deflate {'on' if args.deflate else 'off'}{answered}"
    )
    print(f"client: {client}")
    if not args.broadcast_url.startswith("memory"):
        print("broker backends: app/events/broker.py, in the server and the bare process alike")
    if args.users:
        print(
            f"subscribers: {n:,} over {args.users} users ({audience(args.users)}), round-robin: "
            f"{field}(employerId) {{ {fields} }}"
        )
        delivered = len(ours["latencies"])
        deliveries = (
            f"{delivered:,} deliveries (ours: only to whom each event concerns, "
            f"{delivered / args.events:,.0f} per event; bare: {n * args.events:,})"
        )
    else:
        print(f"subscribers: {n:,} x {USER}: {field}(employerId) {{ {fields} }}")
        deliveries = f"{n * args.events:,} deliveries per side"
    print(
        f"events: {args.events} after {args.warmup} warm-up, one at a time, "
        f"{args.gap * 1000:.0f} ms apart: {deliveries} "
        f"(signing in the connections took {memory['connect_s']:.1f} s)"
    )
    if args.users:
        print(
            f"each event: STEP_MOVED on a demo request drawn at random (seed {SEED}), a task "
            f"opened for ~{OPENED_SHARE:.0%} of the users; who receives it decided by "
            f"app/domain/events.py"
        )
    print()
    o = ours["latencies"]
    b = [ms for seq, values in bare["latencies"].items() if int(seq) > args.warmup for ms in values]
    print(f"{'commit -> delivery, ms':<44}{'p50':>9}{'p99':>9}{'max':>9}")
    print(row("ours (loketflow, over WebSocket)", (pct(o, 50), pct(o, 99), max(o))))
    print(row("bare broadcaster subscribers", (pct(b, 50), pct(b, 99), max(b))))
    ratios = (pct(o, 50) / pct(b, 50), pct(o, 99) / pct(b, 99), max(o) / max(b))
    print(row("ours / bare", ratios, fmt=">9.1f"))
    w = ours["without_full_gc"]
    if w:
        label = f"ours, the {args.events - ours['full_gc_events']} events without a full GC"
        print(row(label, (pct(w, 50), pct(w, 99), max(w))))
    print()
    print(f"{'ours, per event (ms; p50, p99 over the events)':<44}{'p50':>9}{'p99':>9}")
    print(row("commit -> handed to the hub", (pct(ours["handed"], 50), pct(ours["handed"], 99))))
    print(row("commit -> first subscriber", (pct(ours["first"], 50), pct(ours["first"], 99))))
    print(row("commit -> last subscriber", (pct(ours["last"], 50), pct(ours["last"], 99))))
    if args.verbose:
        print("each event, ms: handed to the hub / first / last subscriber")
        for values in zip(ours["handed"], ours["first"], ours["last"], strict=True):
            print("  " + " / ".join(f"{v:.1f}" for v in values))
    print()

    def cpu(label: str, user_system: list[float], each: float, what: str = "delivery") -> None:
        """`each`: deliveries (or messages) per event."""
        user, system = (s * 1000 / sent for s in user_system)  # warm-up events included
        per = f"; {(user + system) * 1000 / each:.0f} us per {what}"
        print(f"  {label:<34}{user + system:>7.1f}  (user {user:.1f}, system {system:.1f}{per})")

    # Per actual delivery: with --users an event reaches only the subscriptions it concerns.
    delivered = ours["delivered"] / sent
    print("CPU per event, ms:")
    cpu("server process (ours)", ours["cpu"][0], delivered)
    cpu("client process (ours)", ours["cpu"][1], delivered, "message")
    cpu("bare broadcaster process", bare["cpu"], n)
    collections = ", ".join(
        f"gen {g} {count / sent:.2f} x {wall / max(count, 1) * 1000:.1f} ms "
        f"(CPU {busy / max(count, 1) * 1000:.1f})"
        for g, (count, wall, busy) in enumerate(ours["gc"])
    )
    print(f"  server garbage collections per event: {collections}")
    print(f"  read connections still held once every subscription is idle: {ours['held']}")
    print()
    rss, objects = memory["rss"], memory["objects"]
    print(
        f"{'memory of the process':<48}{'RSS before':>11}{'after MiB':>10}{'KiB each':>10}"
        f"{'objects each':>14}"
    )
    rows = (
        (f"{connections:,} idle WebSocket connections (signed in)", "idle", "connected",
         connections),
        (f"+ {n:,} idle subscriptions on them", "connected", "subscribed", n),
        (f"{n:,} subscriptions with their connections", "idle", "subscribed", n),
    )  # fmt: skip
    for label, before, after, count in rows:
        kib = (rss[after] - rss[before]) / count
        each = (objects[after] - objects[before]) / count
        print(
            f"{label:<48}{rss[before] / 1024:>11.1f}{rss[after] / 1024:>10.1f}{kib:>10.1f}"
            f"{each:>14.0f}"
        )
    empty, full = bare["empty"], bare["full"]
    kib, each = (full["rss"] - empty["rss"]) / n, (full["objects"] - empty["objects"]) / n
    print(
        f"{f'{n:,} bare broadcaster subscriptions':<48}{empty['rss'] / 1024:>11.1f}"
        f"{full['rss'] / 1024:>10.1f}{kib:>10.1f}{each:>14.0f}"
    )
    print(f"(objects tracked by the server's garbage collector: {objects['subscribed']:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000, help="subscriptions per side")
    parser.add_argument("--per-connection", type=int, default=1, help="subscriptions per WebSocket")
    parser.add_argument("--events", type=int, default=50, help="events measured, one at a time")
    parser.add_argument("--warmup", type=int, default=3, help="events sent first, not counted")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between events")
    parser.add_argument(
        "--database-url",
        help="postgresql+asyncpg://... (its schema public is dropped!); default: SQLite in a "
        "temp dir",
    )
    parser.add_argument("--broadcast-url", default="memory://", help="default: memory://")
    parser.add_argument(
        "--with-instance",
        action="store_true",
        help="select `instance { id status }` too (events name a demo request): one read per "
        "subscriber and event",
    )
    parser.add_argument(
        "--task-centre",
        action="store_true",
        help="subscribe to taskCentreChanged { eventId kind openCount instance { id status } } "
        "instead (events open a task for the subscriber): two reads per subscriber and event, "
        "the shape the README and the tests use",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=0,
        help="N > 0: the subscribers are spread round-robin over N staff users of the demo office "
        "with different scopes (made here: employer users with and without role links, "
        "department managers, office users), and each event concerns some of them (a task "
        "opened for ~30%%, the request's department); default 0: all are werkgever.hr",
    )
    parser.add_argument(
        "--client",
        choices=("lean", "websockets"),
        default="lean",
        help="the WebSocket client of the clients process: lean (default; an asyncio.Protocol "
        "per connection, ~10x cheaper per message) or websockets (the library, a task per "
        "connection)",
    )
    parser.add_argument(
        "--ws-compression",
        action="store_true",
        help="the server accepts permessage-deflate (LOKETFLOW_WS_COMPRESSION=true; off by "
        "default since issue 12)",
    )
    parser.add_argument(
        "--no-deflate",
        dest="deflate",
        action="store_false",
        help="clients do not offer permessage-deflate (browsers do)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the server during the events, to stderr (slows it: times are then off)",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="experiment: gc.freeze() in the server once it is warm and idle (what the app could "
        "do at the end of its startup), before the connections open",
    )
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="where the Python heap of connections and subscriptions is allocated (tracemalloc, "
        "to stderr; the RSS figures then include its own bookkeeping)",
    )
    parser.add_argument("--verbose", action="store_true", help="print each event's times too")
    # The child processes (not for people).
    parser.add_argument(
        "--role", choices=("main", "clients", "bare"), default="main", help=argparse.SUPPRESS
    )
    for name in ("--url", "--query", "--variables", "--field"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "main" and args.subscribers % args.per_connection:
        parser.error("--subscribers must be a multiple of --per-connection")
    if args.users < 0:
        parser.error("--users must be 0 or more")
    work = {"main": run, "clients": clients, "bare": bare}[args.role]
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(work(args))


if __name__ == "__main__":
    main()
