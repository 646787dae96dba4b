"""Sign-in with JWT bearer tokens (API.md): the token's `sub` is the username.

Two ways to verify: a shared HS256 secret (development, and offices that issue their own tokens)
or an identity provider's JWKS (RS256 and friends). PyJWT does the cryptography and the claim
checks; we only choose the key and translate failures into `UNAUTHENTICATED`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import jwt

from app.domain.errors import Unauthenticated
from app.settings import ConfigurationError, Settings


def issue_token(settings: Settings, username: str, ttl_minutes: int | None = None) -> str:
    """A signed token for `username` (what `loketflow token` prints)."""
    secret = settings.signing_secret()
    if not secret:
        raise ConfigurationError(
            "No signing secret: tokens come from the identity provider (LOKETFLOW_JWT_JWKS_URL)"
            " or set LOKETFLOW_JWT_SECRET"
        )
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "sub": username,
        "iat": now,
        "nbf": now,
        "exp": now + dt.timedelta(minutes=ttl_minutes or settings.token_ttl_minutes),
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, secret, algorithm="HS256")


class TokenVerifier:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._secret = settings.signing_secret() if not settings.jwt_jwks_url else None
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None

    async def username(self, authorization: str | None) -> str | None:
        """The username a request signs in as; None when it sends no credentials at all."""
        signed = await self.sign_in(authorization)
        return None if signed is None else signed[0]

    async def sign_in(self, authorization: str | None) -> tuple[str, float] | None:
        """The username and the moment (epoch seconds, leeway included) its token stops being
        accepted; None when no credentials were sent at all."""
        if authorization is None or not authorization.strip():
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Gebruik 'Authorization: Bearer <token>' om in te loggen.")
        claims = await self._decode(token.strip())
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise Unauthenticated("Het token noemt geen gebruiker (sub).")
        return sub, float(claims["exp"]) + self.settings.jwt_leeway_seconds

    async def _decode(self, token: str) -> dict[str, Any]:
        options = {"require": ["exp", "sub"], "verify_aud": self.settings.jwt_audience is not None}
        try:
            if self._jwks is not None:
                # PyJWKClient fetches (and caches) keys with blocking I/O: keep it off the loop.
                key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
                algorithms = [self.settings.jwt_algorithm]
            else:
                key, algorithms = self._secret, ["HS256"]
            return jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=self.settings.jwt_leeway_seconds,
                options=options,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Het token is verlopen; log opnieuw in.") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated("Het token is ongeldig.") from exc
