"""Benchmark: live updates (issue 6), from commit to delivery at 1,000 subscribers on one process.

Prints the commit-to-delivery time at p50 and p99 over every delivery, against as many bare
`broadcaster` subscribers receiving the same message (ratio), and the memory per idle WebSocket
connection and per idle subscription. Not a test: nothing here asserts a timing. See
bench/README.md for what the figures mean.

    .venv/bin/python bench/subscriptions.py [--subscribers N] [--events E] [--per-connection K]
    .venv/bin/python bench/subscriptions.py --broadcast-url redis://127.0.0.1:6379/0
    .venv/bin/python bench/subscriptions.py --database-url postgresql+asyncpg://user@host/db

The server runs in this process (uvicorn on uvloop, the real app), so that an event is committed
and the publisher woken exactly as a mutation does it; the WebSocket clients run in a child
process, the bare broadcaster subscribers in another. With --database-url the schema `public`
of that database is DROPPED and recreated: give the benchmark a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import ctypes
import datetime as dt
import gc
import json
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

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


# --- child: the WebSocket clients ---------------------------------------------------------------


async def clients(args: argparse.Namespace) -> None:
    """Open the connections (say "connected"), subscribe on "subscribe", say "done <eventId>"
    when every subscription received an event, and report every receive time on "report"."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    more_files()
    n_conn = args.subscribers // args.per_connection
    init = json.dumps({"type": "connection_init", "payload": {"Authorization": args.token}})
    limit, sockets, readers = asyncio.Semaphore(50), [], []

    async def open_one():
        async with limit:
            ws = await connect(
                args.url,
                subprotocols=["graphql-transport-ws"],
                compression="deflate" if args.deflate else None,
                ping_interval=None,  # the server pings (and uvicorn); answered below
                max_queue=None,
            )
            await ws.send(init)
            ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if ack["type"] != "connection_ack":
                raise SystemExit(f"no connection_ack: {ack}")
            sockets.append(ws)
            readers.append(asyncio.create_task(receive(ws)))  # answers the server's pings

    times: dict[int, list[float]] = defaultdict(list)
    field = args.field

    async def receive(ws):
        try:
            await receive_all(ws)
        except ConnectionClosed as closed:
            say(error=f"the server closed a connection: {closed}")

    async def receive_all(ws):
        async for raw in ws:
            now = time.monotonic()
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send('{"type":"pong"}')
                continue
            data = (message.get("payload") or {}).get("data") or {}
            if message["type"] != "next" or data.get(field, {}).get("kind") == "RESYNC":
                say(error=message)
                continue
            bucket = times[data[field]["eventId"]]
            bucket.append(now)
            if len(bucket) == args.subscribers:
                say(done=data[field]["eventId"])

    await asyncio.gather(*(open_one() for _ in range(n_conn)))
    say(connected=len(sockets))
    await read_line()  # "subscribe"
    payload = {"query": args.query, "variables": json.loads(args.variables)}
    for ws in sockets:
        for op in range(args.per_connection):
            await ws.send(json.dumps({"id": str(op), "type": "subscribe", "payload": payload}))
    await read_line()  # "report"
    say(times=times)
    for task in readers:
        task.cancel()


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
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
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


async def demo_facts(db, with_instance: bool) -> tuple[int, int, int | None, int]:
    """The demo employer, a department of it, (with_instance) a request in that department, and
    the subscribing user's id."""
    from sqlalchemy import select

    from app.db import models as m
    from app.demo import EMPLOYER_NAME

    async with db.reader() as session:
        employer = await session.scalar(select(m.Employer.id).filter_by(name=EMPLOYER_NAME))
        department = await session.scalar(
            select(m.Department.id).filter_by(employer_id=employer, name="Verkoop")
        )
        instance = None
        if with_instance:
            instance, department = (
                await session.execute(
                    select(m.WorkflowInstance.id, m.Employee.department_id)
                    .join(m.Employee, m.Employee.id == m.WorkflowInstance.employee_id)
                    .where(m.WorkflowInstance.employer_id == employer)
                    .limit(1)
                )
            ).one()
        user = await session.scalar(select(m.User.id).filter_by(username=USER))
    return employer, department, instance, user


class Ours:
    """The server side: commits events and watches the hub, in the server's own process."""

    def __init__(self, args, settings, app, port: int, facts: tuple[int, int, int | None, int]):
        from app.auth import issue_token
        from app.schema.ids import to_global_id

        self.args, self.db, self.events = args, app.state.db, app.state.events
        self.hub = self.events.hub
        self.employer, self.department, self.instance, self.user = facts
        self.field, fields = subscription(args)
        self.query = QUERY % (self.field, fields)
        # The task centre shows an event only to whom the step opened for: the subscriber.
        self.payload = {"openedFor": [self.user]} if args.task_centre else {}
        self.variables = {"employerId": to_global_id("Employer", self.employer)}
        self.token = f"Bearer {issue_token(settings, USER)}"
        self.url = f"ws://127.0.0.1:{port}/graphql"
        self.handed: dict[int, float] = {}  # when the publisher handed each event to the hub
        dispatch = self.hub._dispatch

        def timed_dispatch(batch):
            now = time.monotonic()
            for event in batch:
                self.handed.setdefault(event.seq, now)
            dispatch(batch)

        self.hub._dispatch = timed_dispatch

    async def commit(self) -> float:
        """An event committed the way a mutation commits one, then the publisher woken."""
        from app.db import models as m

        async with self.db.writer() as session:
            session.add(
                m.OutboxEvent(
                    kind="STEP_MOVED", employer_id=self.employer, department_id=self.department,
                    instance_id=self.instance, payload=self.payload,
                )
            )  # fmt: skip
        committed = time.monotonic()
        self.events.wake()
        return committed

    async def listeners(self, count: int, within: float = 600) -> None:
        """Until the hub has `count` subscriptions (polled: the hub has no signal for it)."""
        async with asyncio.timeout(within):
            while len(self.hub.listeners) != count:  # noqa: ASYNC110
                await asyncio.sleep(0.02)

    async def warm_up(self) -> None:
        """One subscription and one event, so that first-use costs are in the idle figures."""
        from websockets.asyncio.client import connect

        async with connect(self.url, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": self.token}}
            await ws.send(json.dumps(init))
            await ws.recv()
            payload = {"query": self.query, "variables": self.variables}
            await ws.send(json.dumps({"id": "w", "type": "subscribe", "payload": payload}))
            await self.listeners(1, 10)
            await self.commit()
            await asyncio.wait_for(ws.recv(), 10)
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
            "--role", "clients", "--url", self.url, "--token", self.token, "--query", self.query,
            "--field", self.field,
            "--variables", json.dumps(self.variables), "--subscribers", str(args.subscribers),
            "--per-connection", str(args.per_connection), *(["--no-deflate"] * (not args.deflate)),
        )  # fmt: skip
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
        await expect(clients_proc, "connected", 600)
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
        return {"rss": rss, "objects": objects, "connect_s": connect_s}

    async def deliveries(self, clients_proc, bare) -> dict:
        """Events one at a time, each followed by one bare broadcaster message; when each event
        was committed and when each subscriber had it."""
        args = self.args
        gc_clock = GcClock()
        profile = cProfile.Profile(time.process_time) if args.profile else None
        if profile is not None:
            profile.enable()
        cpu_start = (cpu_s(), cpu_s(clients_proc.pid))
        committed: dict[int, float] = {}
        for i in range(args.warmup + args.events):
            at = await self.commit()
            seq = (await expect(clients_proc, "done", 120))["done"]
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

    from app.demo import load_demo
    from app.demo_history import load_demo_history
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
        )
        await prepare(settings.sqlalchemy_url)
        app = create_app(settings)
        async with app.state.db.writer() as session:
            await load_demo(session)
            if args.with_instance or args.task_centre:
                await load_demo_history(session)
        async with app.state.db.engine.connect() as conn:
            kind = "SQLite (file in a temp dir)"
            if conn.dialect.name == "postgresql":
                kind = "PostgreSQL " + (await conn.scalar(text("SHOW server_version"))).split()[0]
        facts = await demo_facts(app.state.db, args.with_instance or args.task_centre)
        async with serve(app) as port:
            ours, bare = await Ours(args, settings, app, port, facts).measure()
    report(args, kind, ours, bare)


def row(label: str, values, width: int = 44, fmt: str = ">9.2f") -> str:
    return f"{label:<{width}}" + "".join(f"{v:{fmt}}" for v in values)


def report(args, kind: str, ours: dict, bare: dict) -> None:
    n, connections = args.subscribers, args.subscribers // args.per_connection
    memory, sent = ours["memory"], args.warmup + args.events
    field, fields = subscription(args)
    print(f"database: {kind}; broker: {args.broadcast_url}; Python {sys.version.split()[0]}")
    print(
        f"server: the app under uvicorn + uvloop in this process; clients: one child process, "
        f"{connections:,} WebSocket connections x {args.per_connection} subscription(s), "
        f"permessage-deflate {'on' if args.deflate else 'off'}"
    )
    if not args.broadcast_url.startswith("memory"):
        print("broker backends: app/events/broker.py, in the server and the bare process alike")
    print(f"subscribers: {n:,} x {USER}: {field}(employerId) {{ {fields} }}")
    print(
        f"events: {args.events} after {args.warmup} warm-up, one at a time, "
        f"{args.gap * 1000:.0f} ms apart: {n * args.events:,} deliveries per side "
        f"(signing in the connections took {memory['connect_s']:.1f} s)"
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

    def cpu(label: str, user_system: list[float], per_delivery: bool = True) -> None:
        user, system = (s * 1000 / sent for s in user_system)  # warm-up events included
        each = f"; {(user + system) * 1000 / n:.0f} us per delivery" if per_delivery else ""
        print(f"  {label:<34}{user + system:>7.1f}  (user {user:.1f}, system {system:.1f}{each})")

    print("CPU per event, ms:")
    cpu("server process (ours)", ours["cpu"][0])
    cpu("client process (ours)", ours["cpu"][1], per_delivery=False)
    cpu("bare broadcaster process", bare["cpu"])
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
    for name in ("--url", "--token", "--query", "--variables", "--field"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "main" and args.subscribers % args.per_connection:
        parser.error("--subscribers must be a multiple of --per-connection")
    work = {"main": run, "clients": clients, "bare": bare}[args.role]
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(work(args))


if __name__ == "__main__":
    main()
