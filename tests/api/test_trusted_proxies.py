"""The anonymous rate limit counts per client address, read from X-Forwarded-For only when a
trusted proxy sent it (issue 13.10): rotating the header wins no new budget, and behind a proxy
each client keeps a budget of its own."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from app.db import models as m
from app.server import create_app
from app.settings import Settings
from app.web.proxies import uvicorn_options
from tests.api.live import serve_process

# Anonymous, as a guesser of invitation links sends it: every guess counts.
GUESS = """mutation ($t: String!) { activateMijnLoket(input: {token: $t, password: "geheim"}) {
  errors { code } } }"""


@contextlib.asynccontextmanager
async def _peer(settings, address: str, **update):
    """A client connecting from `address` to an app with 3 mutations a minute."""
    update = {"rate_limit_mutations_per_minute": 3, **update}
    application = create_app(settings.model_copy(update=update))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def _guesses(client, forwarded_for: list[str | None]) -> list[int]:
    statuses = []
    for n, value in enumerate(forwarded_for):
        headers = {"X-Forwarded-For": value} if value else {}
        response = await client.post(
            "/graphql", json={"query": GUESS, "variables": {"t": f"gok-{n}"}}, headers=headers
        )
        statuses.append(response.status_code)
    return statuses


async def _accounts(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.User))


async def test_a_rotated_forwarded_for_from_an_untrusted_peer_is_ignored(settings, db):
    before = await _accounts(db)
    async with _peer(settings, "198.51.100.7", trusted_proxies=["10.0.0.0/8"]) as client:
        rotated = [f"203.0.113.{n}" for n in range(5)]
        assert await _guesses(client, rotated) == [200, 200, 200, 429, 429]
    assert await _accounts(db) == before


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(settings, db):
    async with _peer(settings, "10.0.0.5", trusted_proxies=["10.0.0.0/8"]) as proxy:
        first = await _guesses(proxy, ["203.0.113.5"] * 4)
        # Another client behind the same proxy: a budget of its own.
        second = await _guesses(proxy, ["203.0.113.6"] * 3)
        # What the client wrote itself stands left of what the proxy appended: ignored, as is
        # a hop through a second proxy of ours.
        spoofed = await _guesses(proxy, ["1.1.1.1, 203.0.113.5", "9.9.9.9, 203.0.113.5, 10.0.0.9"])
    assert first == [200, 200, 200, 429]
    assert second == [200, 200, 200]
    assert spoofed == [429, 429]


async def test_without_trusted_proxies_the_peer_is_the_client(settings, db):
    """The default: no proxy trusted, forwarded headers ignored even from a private address."""
    async with _peer(settings, "10.0.0.5") as client:
        assert await _guesses(client, ["203.0.113.5", "203.0.113.6", None, "x"]) == [
            200,
            200,
            200,
            429,
        ]


def test_trusted_proxies_must_be_addresses():
    assert Settings(trusted_proxies=["10.1.2.3/8", "::1"]).trusted_proxies == [
        "10.0.0.0/8",
        "::1/128",
    ]
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(trusted_proxies=["proxy.example"])


def test_loketflow_serve_hands_uvicorn_the_same_proxies():
    assert uvicorn_options(Settings()) == {"proxy_headers": False}
    assert uvicorn_options(Settings(trusted_proxies=["10.0.0.0/8"])) == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.0/8"],
    }


def _env(settings, **extra) -> dict[str, str]:
    return {
        "LOKETFLOW_DATABASE_URL": settings.database_url,
        "LOKETFLOW_DATA_DIR": str(settings.data_dir),
        "LOKETFLOW_JWT_SECRET": settings.jwt_secret,
        "LOKETFLOW_RATE_LIMIT_MUTATIONS_PER_MINUTE": "3",
        # uvicorn's own default would trust 127.0.0.1, where this test connects from.
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        **extra,
    }


async def test_loketflow_serve_ignores_forwarded_for_by_default(settings, db):
    async with serve_process(_env(settings)) as base, httpx.AsyncClient(base_url=base) as client:
        rotated = [f"203.0.113.{n}" for n in range(4)]
        assert await _guesses(client, rotated) == [200, 200, 200, 429]


async def test_loketflow_serve_behind_a_trusted_proxy(settings, db):
    env = _env(settings, LOKETFLOW_TRUSTED_PROXIES='["127.0.0.1"]')
    async with serve_process(env) as base, httpx.AsyncClient(base_url=base) as client:
        assert await _guesses(client, ["203.0.113.5"] * 4) == [200, 200, 200, 429]
        assert await _guesses(client, ["1.1.1.1, 203.0.113.6"] * 3) == [200, 200, 200]
