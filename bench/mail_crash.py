"""Crash benchmark: duplicate e-mails after `kill -9` of a relay (issue 13, point 13).

Prints how many e-mails a relay sends twice, and loses, when it is killed at random moments
during a steady flow of e-mail. Not a test: nothing here asserts. See bench/README.md.

    .venv/bin/python bench/mail_crash.py [--kills 100] [--rate 20] [--lease 5] [--seed 13]
    .venv/bin/python bench/mail_crash.py --database-url postgresql+asyncpg://user@host/db

In this process: a real SMTP server (aiosmtpd on 127.0.0.1) that records the Message-ID of every
message it accepts. In a child process, the flow: `--rate` outbox e-mails a second, each written
in a transaction of its own as a request would. Two `loketflow serve` processes on the same
database relay them (their outbox relays share the work through leases). Each round waits until both
answer /healthz, lets them work a random 0.5-2.5 s, then kills one of the two with SIGKILL and
starts it again. A killed relay's e-mail in hand is sent again by either process once its
lease (`--lease` seconds) has expired. After the last kill the flow stops, the outbox drains,
and the script prints what the SMTP server received against what was written.

With --database-url the schema `public` of that database is DROPPED and recreated: give the
benchmark a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import re
import shlex
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from email.parser import BytesHeaderParser
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

# This script and its relays run the code of the tree it is in, also in a copy of another
# commit (to measure before and after a change), not whatever the virtualenv points at.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db import models as m  # noqa: E402
from app.db.migrate import upgrade  # noqa: E402
from app.db.session import Database  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.workers.mail import message_id  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """The receiving side: every accepted message's Message-ID, and the IDs per recipient."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.accepted_at: defaultdict[str, list[float]] = defaultdict(list)  # wall clock
        self.ids_by_recipient: defaultdict[str, set[str]] = defaultdict(set)
        self._lock = threading.Lock()
        self._parser = BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):
        headers = self._parser.parsebytes(envelope.original_content)
        with self._lock:
            self.received[headers["Message-ID"]] += 1
            self.accepted_at[headers["Message-ID"]].append(time.time())
            self.ids_by_recipient[headers["To"]].add(headers["Message-ID"])
        return "250 Message accepted for delivery"


class Relay:
    """One `loketflow serve` process; its output goes to a log file in the work directory."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name, self.env, self.log_dir = name, env, log_dir
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0
        self.starts = 0

    async def start(self) -> None:
        self.port, self.starts = free_port(), self.starts + 1
        path = self.log_dir / f"{self.name}-{self.starts}.log"
        with open(path, "wb") as log:  # noqa: ASYNC230 (a local file, once per start)
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                # The relay's debug line per e-mail (when its 250 came, when it was marked),
                # without the debug output of everything else.
                "import logging; logging.getLogger('loketflow.mail').setLevel(logging.DEBUG);"
                " from app.cli import main; main()",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                cwd=ROOT,
                env={**os.environ, **self.env, "PYTHONPATH": str(ROOT)},
                stdout=log,
                stderr=log,
            )

    async def until_up(self, client: httpx.AsyncClient) -> None:
        for _ in range(600):
            assert self.process is not None
            if self.process.returncode is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_dir}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start; see {self.log_dir}")

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                await self.kill()


async def prepare(url: str) -> None:
    engine = create_async_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine)
    finally:
        await engine.dispose()


async def flow(url: str, rate: float) -> None:
    """The child process: `rate` e-mails a second, each in a transaction of its own, at an
    even pace, until SIGTERM. Not in the SMTP server's process: a Python server thread that
    waits for the interpreter lock while the flow runs would answer its 250 later."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    db = Database(Settings(database_url=url))
    began, written = loop.time(), 0
    try:
        while not stop.is_set():
            written += 1
            key = f"crash:{written}"
            async with db.writer() as session:
                session.add(
                    m.OutboxEmail(
                        dedupe_key=key,
                        to_address=f"{key.replace(':', '-')}@example.nl",
                        subject=f"Taak {key}",
                        body="Beste collega,\n\nEr staat een taak voor u klaar.\n",
                    )
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), began + written / rate - loop.time())
    finally:
        await db.dispose()


async def outbox(db: Database) -> tuple[list[str], int]:
    """Every e-mail written, and how many of them are not SENT."""
    async with db.reader() as session:
        rows = (await session.execute(select(m.OutboxEmail.dedupe_key, m.OutboxEmail.status))).all()
    return [key for key, _ in rows], sum(1 for _, status in rows if status != m.EmailStatus.SENT)


async def claimed(db: Database) -> dict[int, dt.datetime]:
    """E-mails a relay has in hand now: PENDING under a lease that has not expired."""
    async with db.reader() as session:
        rows = await session.execute(
            select(m.OutboxEmail.id, m.OutboxEmail.claimed_until)
            .where(m.OutboxEmail.status == m.EmailStatus.PENDING)
            .where(m.OutboxEmail.claimed_until > m.utcnow())
        )
        return {r.id: r.claimed_until for r in rows}


async def abandoned(db: Database, at_kills: list[dict[int, dt.datetime]]) -> list[list[str]]:
    """Per kill, the e-mails the killed relay had in hand: those claimed at the kill that were
    marked SENT only after that claim expired (the live relay marks its own within its lease)."""
    async with db.reader() as session:
        rows = await session.execute(
            select(m.OutboxEmail.id, m.OutboxEmail.dedupe_key, m.OutboxEmail.sent_at)
        )
        sent = {r.id: (r.dedupe_key, r.sent_at) for r in rows}
    per_kill, seen = [], set()
    for held in at_kills:
        # Still claimed at the next kill (its lease had not expired yet): counted once.
        fresh = {(i, until) for i, until in held.items()} - seen
        seen |= fresh
        per_kill.append([sent[i][0] for i, until in fresh if sent[i][1] and sent[i][1] >= until])
    return per_kill


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="mail-crash-"))
    url = args.database_url or f"sqlite+aiosqlite:///{work / 'loketflow.db'}"
    await prepare(url)
    recorder = Recorder()
    smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        "LOKETFLOW_DATABASE_URL": url,
        "LOKETFLOW_DATA_DIR": str(work),
        "LOKETFLOW_JWT_SECRET": "mail-crash-" + "x" * 40,
        "LOKETFLOW_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
        "LOKETFLOW_MAIL_LEASE_SECONDS": str(args.lease),
        "LOKETFLOW_LOG_LEVEL": "WARNING",
    }
    relays = [Relay(name, env, work) for name in ("a", "b")]
    db = Database(Settings(database_url=url, data_dir=work))
    rng = random.Random(args.seed)
    at_kills: list[dict[int, dt.datetime]] = []
    began = time.monotonic()
    flowing = None
    try:
        for relay in relays:
            await relay.start()
        async with httpx.AsyncClient(timeout=2) as client:
            await asyncio.gather(*(r.until_up(client) for r in relays))
            flowing = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--flow", "--database-url", url, "--rate", str(args.rate)
            )
            for kill in range(1, args.kills + 1):
                await asyncio.gather(*(r.until_up(client) for r in relays))
                await asyncio.sleep(rng.uniform(0.5, 2.5))
                victim = rng.choice(relays)
                await victim.kill()
                at_kills.append(await claimed(db))
                await victim.start()
                if kill % 10 == 0:
                    written, _ = await outbox(db)
                    print(f"  {kill} kills, {len(written)} e-mails written", flush=True)
            flowing.terminate()
            await flowing.wait()
            deadline = time.monotonic() + args.lease + 120
            # The relays' processes drain it (the killed ones' claims once their leases expire).
            while (await outbox(db))[1] and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.5)
            await asyncio.sleep(1.0)  # anything still under way arrives
        written, waiting = await outbox(db)
        abandoned_at_kills = await abandoned(db, at_kills)
    finally:
        if flowing is not None and flowing.returncode is None:
            flowing.kill()
            await flowing.wait()
        for relay in relays:
            await relay.stop()
        smtp.stop()
        await db.dispose()
    report(
        args, written, recorder, abandoned_at_kills, waiting, time.monotonic() - began, url, work
    )


MARKED = re.compile(r"sent as (<[^>]+>): 250 at ([0-9.]+), marked SENT ([0-9.]+) ms later")


def windows(log_dir: Path, recorder: Recorder) -> list[float]:
    """Per e-mail sent, seconds from the server taking it to its SENT mark's commit: a kill
    in between sends it twice. From the relays' debug lines; none from a relay without them."""
    found = []
    for path in log_dir.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if not (match := MARKED.search(line)):
                continue
            replied, marked = float(match[2]), float(match[2]) + float(match[3]) / 1000
            # The acceptance this 250 answered: the last one before it (a resend's own).
            taken = [t for t in recorder.accepted_at.get(match[1], []) if t <= replied]
            if taken:
                found.append(marked - taken[-1])
    return sorted(found)


def report(args, written, recorder, abandoned_at_kills, waiting, seconds, url, work) -> None:
    expected = {message_id(key) for key in written}
    in_hand = sum(1 for keys in abandoned_at_kills if keys)
    in_window = sum(
        1 for keys in abandoned_at_kills for k in keys if recorder.received[message_id(k)] > 1
    )
    lost = sum(1 for mid in expected if recorder.received[mid] == 0)
    duplicates = sum(count - 1 for mid, count in recorder.received.items() if mid in expected)
    strangers = sum(count for mid, count in recorder.received.items() if mid not in expected)
    # A resend under another Message-ID would show as one recipient with two IDs.
    other_ids = sum(1 for ids in recorder.ids_by_recipient.values() if len(ids) > 1)
    backend = url.split(":", 1)[0]
    print(
        f"\nmail_crash: {backend}, {args.rate:g} e-mails/s, lease {args.lease:g} s, {seconds:.0f} s"
    )
    rows = [
        ("kills (SIGKILL of a relay)", args.kills),
        ("e-mails written", len(written)),
        ("e-mails not SENT in the outbox at the end", waiting),
        ("lost (never received)", lost),
        ("duplicates (received twice or more)", duplicates),
        ("duplicates per 100 kills", f"{100 * duplicates / max(args.kills, 1):.1f}"),
        ("resends under another Message-ID", other_ids),
        ("messages not written by the flow", strangers),
        ("kills with an e-mail in hand", in_hand),
        ("  of which the server had it already", in_window),
    ]
    spans = windows(work, recorder)
    if spans:
        mean = sum(spans) / len(spans)
        p99 = spans[int(len(spans) * 0.99)]
        # A kill at a random moment hits the victim's window with the share of time it spends
        # in one: its e-mails a second (half the flow) times the mean window.
        expected = 100 * args.rate / 2 * mean
        rows += [
            (
                "window: server took it -> SENT committed",
                f"mean {mean * 1000:.2f} ms, "
                f"p99 {p99 * 1000:.2f} ms, max {spans[-1] * 1000:.1f} ms ({len(spans)} e-mails)",
            ),
            ("  duplicates per 100 kills it predicts", f"{expected:.2f}"),
        ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print("command: " + shlex.join([sys.executable, *sys.argv]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="e-mails written per second")
    parser.add_argument("--lease", type=float, default=5.0, help="LOKETFLOW_MAIL_LEASE_SECONDS")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--flow", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    asyncio.run(flow(arguments.database_url, arguments.rate) if arguments.flow else main(arguments))
