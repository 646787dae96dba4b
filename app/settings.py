"""Settings from the environment (prefix ``LOKETFLOW_``).

Every knob has a default that runs on one laptop: an SQLite file under ``./var``, an in-memory
broadcaster and a JWT secret generated once and kept beside the database, so that the server and
``loketflow token`` agree without any configuration. Production refuses to start half-configured.
"""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """The service cannot run with this configuration; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOKETFLOW_", env_file=".env", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("var")
    database_url: str = ""  # empty: an SQLite file in data_dir
    broadcast_url: str = "memory://"
    # The broker channel the processes of one deployment share (one per deployment).
    broadcast_channel: str = Field(default="loketflow_events", pattern=r"^[a-z0-9_]{1,60}$")
    smtp_url: str | None = None

    # The e-mail relay of the outbox (app/workers/mail).
    smtp_from: str = "loketflow <no-reply@loketflow.invalid>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_poll_seconds: float = Field(default=2.0, gt=0)
    # With 30 s doubling up to an hour between tries: about two days of SMTP outage.
    mail_max_attempts: int = Field(default=55, ge=1)
    mail_backoff_seconds: float = Field(default=30.0, gt=0)
    # How long a claimed e-mail is left alone by other relays; must outlast one SMTP send.
    mail_lease_seconds: float = Field(default=300.0, gt=0)

    # Browser origins allowed to call the API (CORS), e.g. ["https://app.example.nl"]; none:
    # no CORS headers, so only same-origin pages and non-browser clients.
    cors_origins: list[str] = []
    log_level: str = "INFO"
    # On SIGTERM: how long open requests and WebSocket connections get to finish.
    shutdown_grace_seconds: float = Field(default=20.0, ge=0)

    # The service's address as clients reach it (behind a proxy), for links such as
    # `Export.url`; empty: taken from the request.
    public_url: str = ""

    # Mutations per user per minute (0: no limit); in Redis when several processes serve.
    rate_limit_mutations_per_minute: int = Field(default=120, ge=0)
    # Query cost points (max_query_cost's measure) per user per minute, for queries and
    # subscriptions (0: no limit). Both are token buckets (app/web/ratelimit.py).
    rate_limit_query_cost_per_minute: int = Field(default=500_000, ge=0)
    rate_limit_url: str = ""
    # Reverse proxies (IP addresses or networks, JSON: ["10.0.0.0/8"]) whose X-Forwarded-For
    # names the client (app/web/proxies.py); empty: forwarded headers are ignored.
    trusted_proxies: list[str] = []

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: list[str]) -> list[str]:
        from app.web.proxies import parse_networks

        return [str(network) for network in parse_networks(value)]

    # Query limits (app/schema/limits.py): per operation, fragments expanded.
    max_query_bytes: int = Field(default=100_000, ge=100)
    max_query_tokens: int = Field(default=5_000, ge=10)
    max_query_depth: int = Field(default=15, ge=2)
    max_query_aliases: int = Field(default=30, ge=0)
    # A field costs 1; a connection's selections count `first` times (50 when not given),
    # other lists their bound (app/schema/list_bounds.py). The heaviest screen of the demo
    # costs about 32,000 (bench/limits.py).
    max_query_cost: int = Field(default=100_000, ge=10)
    # POST bodies (app/web/http.py): larger ones are refused (413) before they are read whole. A
    # query is at most max_query_bytes; the rest is room for variables.
    max_body_bytes: int = Field(default=1_048_576, ge=1_000)
    # An uploaded file (importEmployees: GraphQL multipart, bearer token only): a multipart body
    # over this plus max_body_bytes is refused (413) before it is read whole.
    import_max_bytes: int = Field(default=10 * 1_048_576, ge=1_000)
    # Items in any list, and entries in any object, of `variables`: refused before anything is
    # executed. The largest list the API takes is 1,000 people (startMijnLoketMigration).
    max_variable_items: int = Field(default=1_000, ge=1)

    # Live updates (app/events). The publisher numbers committed events and hands them to the
    # broker (LOKETFLOW_BROADCAST_URL); it also looks this often for events nobody published.
    events_poll_seconds: float = Field(default=1.0, gt=0)
    # Each process checks the database for events it missed and its broker connection (a
    # heartbeat through the broker must come back within `broker_timeout_seconds`).
    events_check_seconds: float = Field(default=2.0, gt=0)
    broker_timeout_seconds: float = Field(default=5.0, gt=0)
    # Frames waiting per subscription whose client reads slower than events come; beyond
    # this its backlog is dropped and it is told to resync.
    subscriber_queue_size: int = Field(default=256, ge=1)
    # WebSocket subscriptions that ask the same thing with the same rights share one execution
    # per event (app/events/fanout.py). Off: each executes every event on its own (slower; for
    # comparison and as an escape hatch).
    live_sharing: bool = True
    # At most this many missed events are replayed on `after`; more: told to resync.
    events_replay_max: int = Field(default=1000, ge=1)
    # WebSocket: `connection_init` must arrive within this time; subscriptions per connection;
    # the server pings this often and closes a connection that stops answering.
    ws_init_timeout_seconds: float = Field(default=5.0, gt=0)
    ws_max_subscriptions: int = Field(default=10, ge=1)
    # Connections per user and per process, live subscriptions per user (per process): one user
    # cannot fill a process with fan-out work (issue 13.2).
    ws_max_connections_per_user: int = Field(default=20, ge=1)
    ws_max_connections: int = Field(default=10_000, ge=1)
    ws_max_subscriptions_per_user: int = Field(default=60, ge=1)
    ws_ping_seconds: float = Field(default=20.0, gt=0)
    # permessage-deflate on WebSocket frames. Off by default (decision): live frames are small
    # JSON, and compressing costs every connection ~40 KiB of zlib state and every frame CPU
    # (bench/subscriptions.py); turn it on where bandwidth is scarcer than CPU and memory.
    ws_compression: bool = False

    # The collective move to MijnLoket (app/mijnloket). The invitation link points at the page
    # of the MijnLoket frontend that calls `activateMijnLoket` (`?token=...` is appended).
    mijnloket_activation_url: str = "http://127.0.0.1:8000/mijnloket/activeren"
    invitation_valid_days: int = Field(default=30, ge=1)
    # An unused invitation gets one reminder after this many days.
    invitation_reminder_days: float = Field(default=7, gt=0)
    collective_poll_seconds: float = Field(default=5.0, gt=0)
    collective_lease_seconds: float = Field(default=120.0, gt=0)

    # Excel downloads of the process-management overview (app/export).
    # Up to this many rows the file is built within the request; more go to the background.
    export_inline_rows: int = Field(default=2_000, ge=0)
    # How long a finished file can be downloaded (its link, `Export.url`), in minutes.
    export_link_minutes: int = Field(default=30, ge=1)
    # Rows read from the database and written per step; bounds the memory of a running export.
    export_chunk_rows: int = Field(default=2_000, ge=1, le=50_000)
    # Rows per sheet, header included; Excel's own limit is the default (tests lower it).
    export_rows_per_sheet: int = Field(default=1_048_576, ge=2, le=1_048_576)
    export_poll_seconds: float = Field(default=2.0, gt=0)
    # A running export renews its claim as it goes; a process that died loses it after this.
    export_lease_seconds: float = Field(default=120.0, gt=0)
    export_max_attempts: int = Field(default=3, ge=1)
    # Background exports waiting or running per user at a time (a fair share of the workers).
    export_max_waiting_per_user: int = Field(default=3, ge=1)
    # PostgreSQL: the export's one long read may run longer than ordinary statements.
    export_statement_timeout_ms: int = Field(default=30 * 60_000, ge=0)

    # Sign-in. HS256 with a shared secret, or RS256 verified against an identity provider's JWKS.
    jwt_secret: str | None = None
    jwt_jwks_url: str | None = None
    jwt_algorithm: str = "HS256"
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = 30
    token_ttl_minutes: int = 8 * 60

    # Database tuning.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout_seconds: float = 10.0
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    db_echo: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == Environment.PRODUCTION

    @property
    def sqlalchemy_url(self) -> str:
        """The async driver URL, accepting the plain forms people paste (postgres://, sqlite://)."""
        url = self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'loketflow.db'}"
        for plain, async_form in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return async_form + url[len(plain) :]
        return url

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "jwt-secret"

    def signing_secret(self) -> str | None:
        """The HS256 secret: configured, or in development generated once and kept in a file."""
        if self.jwt_secret:
            return self.jwt_secret
        if self.is_production:
            return None
        path = self.secret_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            candidate = secrets.token_urlsafe(48)
            try:
                # O_EXCL: when two processes start at once, exactly one secret wins; created
                # with mode 0600, so it is never readable by others, not even for a moment.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(candidate)
            except FileExistsError:
                pass
        return path.read_text(encoding="utf-8").strip()

    def check_for_serving(self) -> None:
        """Refuse to serve production without a way to verify tokens."""
        if self.is_production and not (self.jwt_secret or self.jwt_jwks_url):
            raise ConfigurationError(
                "LOKETFLOW_ENV=production needs LOKETFLOW_JWT_SECRET or LOKETFLOW_JWT_JWKS_URL"
            )
        if self.jwt_jwks_url and self.jwt_algorithm == "HS256":
            raise ConfigurationError(
                "LOKETFLOW_JWT_JWKS_URL verifies asymmetric tokens: set LOKETFLOW_JWT_ALGORITHM "
                "(for example RS256)"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
