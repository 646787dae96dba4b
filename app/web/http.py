"""GraphQL over HTTP, as the GraphQL-over-HTTP specification asks, around strawberry's view:

- the response media type follows `Accept`: `application/graphql-response+json` when asked for
  by name (preferred on equal weight), else `application/json` (also for `*/*` and no Accept);
  neither acceptable: 406;
- with `application/graphql-response+json`, a request that could not be executed (parse or
  validation error, a refused limit) answers 4xx, and its body has no `data` entry (the
  specification's SHOULD: graphql-http's audit warns otherwise); with `application/json`
  always 200;
- `GET` runs queries only: a mutation over GET is 405 with `Allow: POST`;
- a subscription, over GET or POST, is a request error with the code `WEBSOCKET_REQUIRED`
  (app/web/view.py): subscriptions run over WebSocket (graphql-transport-ws) only;
- CORS (`CrossOrigin`): pages on the origins in LOKETFLOW_CORS_ORIGINS may call the API; a
  preflight from any other origin is 403 `ORIGIN_NOT_ALLOWED`, and logged: the browser shows
  the page only "Failed to fetch", so the server's log is where a developer can read why;
- `POST` bodies must be `application/json`: anything else is 415. That also makes the API
  CSRF-safe: a browser's "simple" cross-site requests (text/plain, form encodings) never run;
  the one exception, file uploads (`multipart/form-data`, the GraphQL multipart request
  specification), is taken only with `Authorization: Bearer` (401 BEARER_REQUIRED otherwise),
  which no cross-site form can send, and up to `import_max_bytes` plus `max_body_bytes`;
- malformed JSON (also nested deeper than any request needs, or than Python's parser can
  take) and a missing `query` are 400, always as a JSON error body; so are malformed GET
  `variables`;
- a POST body over `max_body_bytes` is 413, refused on its Content-Length before any of it is
  read, or as soon as the bytes streamed in pass the limit: the rest is never read.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.http.websocket_origin import normalize_allowed_origins

from app.settings import ConfigurationError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MULTIPART = "multipart/form-data"
# A GraphQL request nests a few levels (body, variables, input, a list in it). Deeper JSON is
# refused here, so that no later reader of it (strawberry parses the body again, on a deeper
# stack) can run out of recursion on it.
MAX_JSON_NESTING = 64
DEFAULT_MAX_BODY_BYTES = 1_048_576
SUBSCRIPTION_OVER_HTTP = (
    "Een subscription loopt via WebSocket: verbind met /graphql (ws:// of wss://) met het "
    "protocol graphql-transport-ws."
)

log = logging.getLogger("loketflow.http")


class _TooLarge(Exception):
    """The body is over the limit: stop reading it."""


def _error(status: int, code: str, message: str, media: str = JSON, **headers) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, media_type=media, headers=headers)


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither."""
    if not accept:
        return JSON  # the specification's default for clients that do not say
    best, best_q = None, 0.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        choice = {
            GRAPHQL_RESPONSE: GRAPHQL_RESPONSE,
            JSON: JSON,
            # Wildcards: the legacy type, which every client understands (the specification
            # lets the server choose; graphql-response+json only when asked for by name).
            "application/*": JSON,
            "*/*": JSON,
        }.get(media.lower())
        # Equal weights: graphql-response+json wins (the specification prefers it).
        if choice and (q > best_q or (q == best_q and choice == GRAPHQL_RESPONSE)):
            best, best_q = choice, q
    return best if best_q > 0 else None


def parse_json(text: bytes | str) -> tuple[bool, object]:
    """(True, the value) for JSON within MAX_JSON_NESTING, else (False, None): malformed, or
    nested too deep (Python's parser gives up on deep nesting with a RecursionError)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False, None
    # Iterative, so that measuring the nesting cannot exhaust the stack either.
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_NESTING:
            return False, None
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True, value


async def _check_operations(scope, body: bytes, settings) -> Response | None:
    """The `operations` part of an upload is held to what a JSON body is held to: at most
    `max_body_bytes`, valid JSON within the nesting limit, one operation with a `query`."""

    async def once():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(scope, once).form(max_files=10, max_fields=10) as form:
            operations = form.get("operations")
    except Exception:  # python-multipart refuses a malformed body
        return _error(400, "BAD_REQUEST", "De upload is geen geldige multipart-body.")
    if not isinstance(operations, str):
        return _error(400, "BAD_REQUEST", "Geef de operatie mee in het veld 'operations'.")
    limit = getattr(settings, "max_body_bytes", DEFAULT_MAX_BODY_BYTES)
    if len(operations.encode()) > limit:
        return _error(413, "PAYLOAD_TOO_LARGE", f"'operations' is groter dan {limit} bytes.")
    valid, data = parse_json(operations.encode())
    if not valid:
        return _error(400, "BAD_REQUEST", "'operations' is geen geldige JSON.")
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return _error(400, "BAD_REQUEST", "Stuur één operatie met een GraphQL-query ('query').")
    return None


async def read_body(headers: Headers, receive, limit: int) -> bytes:
    """The whole body, or _TooLarge as soon as it is known to be over `limit` bytes: from a
    Content-Length before reading anything, else while the chunks stream in."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _operation_type(query: str, operation_name: str | None) -> OperationType | None:
    """The type of the operation the request runs; None when the view will refuse it anyway
    (a syntax error, no such operation, several and no `operationName`)."""
    try:
        document = parse(query, no_location=True, max_tokens=20_000)
    except GraphQLError:
        return None  # the view answers the syntax error
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0].operation if len(operations) == 1 else None
    for operation in operations:
        if operation.name and operation.name.value == operation_name:
            return operation.operation
    return None


class CrossOrigin(CORSMiddleware):
    """Starlette's CORS, with a refused preflight that says why (and is logged). Installed
    also without configured origins, so that every preflight gets that answer."""

    def preflight_response(self, request_headers: Headers) -> Response:
        origin = request_headers["origin"]
        if self.is_allowed_origin(origin=origin):
            return super().preflight_response(request_headers)
        log.warning("CORS preflight refused: origin %r is not in LOKETFLOW_CORS_ORIGINS", origin)
        message = f"De origin {origin[:200]} mag deze API niet aanroepen (LOKETFLOW_CORS_ORIGINS)."
        return _error(403, "ORIGIN_NOT_ALLOWED", message)


def allowed_origins(settings) -> list[str]:
    """LOKETFLOW_CORS_ORIGINS as browsers send an `Origin` (lower case, no default port); the
    WebSocket handshake is checked against the same list (app/web/view.py)."""
    try:
        return sorted(normalize_allowed_origins(settings.cors_origins))
    except (TypeError, ValueError) as error:
        raise ConfigurationError(f"LOKETFLOW_CORS_ORIGINS: {error}") from error


class GraphQLOverHTTP:
    """ASGI wrapper of the GraphQL view for HTTP requests; WebSocket passes straight through."""

    def __init__(self, view, *, graphiql: bool):
        self.view, self.graphiql = view, graphiql

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.view(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method = scope["method"]
        accept = headers.get("accept")
        if method == "GET" and self.graphiql and "text/html" in (accept or ""):
            await self.view(scope, receive, send)  # GraphiQL (development)
            return
        media = negotiate(accept)
        if media is None:
            response = _error(406, "NOT_ACCEPTABLE", f"Antwoord als {GRAPHQL_RESPONSE} of {JSON}.")
            await response(scope, receive, send)
            return
        if method == "GET":
            refusal = self._check_get(scope)
        elif method == "POST":
            refusal, receive = await self._check_post(headers, receive, scope)
        else:
            refusal = _error(405, "METHOD_NOT_ALLOWED", "Gebruik GET of POST.", Allow="GET, POST")
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.view(scope, receive, self._answer_as(media, send))

    def _check_get(self, scope):
        params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        query = (params.get("query") or [None])[0]
        if not query:
            return _error(400, "BAD_REQUEST", "Geef een GraphQL-query mee ('query').")
        for field in ("variables", "extensions"):
            value = (params.get(field) or [None])[0]
            if value is not None and not parse_json(value)[0]:
                return _error(400, "BAD_REQUEST", f"'{field}' is geen geldige JSON.")
        name = (params.get("operationName") or [None])[0]
        if _operation_type(query, name) is OperationType.MUTATION:
            return _error(405, "METHOD_NOT_ALLOWED", "Mutaties alleen met POST.", Allow="POST")
        return None

    async def _check_post(self, headers: Headers, receive, scope):
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == MULTIPART:
            return await self._check_upload(headers, receive, scope)
        if content_type != JSON:
            return _error(415, "UNSUPPORTED_MEDIA_TYPE", f"Stuur de query als {JSON}."), receive
        settings = getattr(self.view, "settings", None)
        limit = getattr(settings, "max_body_bytes", DEFAULT_MAX_BODY_BYTES)
        try:
            body = await read_body(headers, receive, limit)
        except _TooLarge:
            message = f"De body is groter dan {limit} bytes."
            # Closing the connection stops the client from sending the rest to a server that
            # would only read and drop it.
            return _error(413, "PAYLOAD_TOO_LARGE", message, Connection="close"), receive
        valid, data = parse_json(body)
        if not valid:
            return _error(400, "BAD_REQUEST", "De body is geen geldige JSON."), receive
        if isinstance(data, list):
            return _error(400, "BAD_REQUEST", "Stuur één operatie per verzoek."), receive
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return _error(400, "BAD_REQUEST", "Geef een GraphQL-query mee ('query')."), receive
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return None, replay

    async def _check_upload(self, headers: Headers, receive, scope):
        """A file upload: only with a bearer token (never cookies or anonymous: CSRF), and
        within the upload limit; strawberry's view parses the multipart body."""
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            message = (
                "Een upload (multipart/form-data) kan alleen met een token: stuur de header "
                "Authorization: Bearer <token>."
            )
            refusal = _error(401, "BEARER_REQUIRED", message, **{"WWW-Authenticate": "Bearer"})
            return refusal, receive
        settings = getattr(self.view, "settings", None)
        limit = getattr(settings, "import_max_bytes", 10 * DEFAULT_MAX_BODY_BYTES)
        limit += getattr(settings, "max_body_bytes", DEFAULT_MAX_BODY_BYTES)
        try:
            body = await read_body(headers, receive, limit)
        except _TooLarge:
            message = f"Het bestand is te groot: de body is groter dan {limit} bytes."
            return _error(413, "PAYLOAD_TOO_LARGE", message, Connection="close"), receive
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        refusal = await _check_operations(scope, body, settings)
        return refusal, replay

    def _answer_as(self, media: str, send):
        """Set the media type; with graphql-response+json, a result without data is 400."""
        start: dict | None = None

        async def wrapped(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message  # held back until the body says what the status must be
                return
            if message["type"] == "http.response.body" and start is not None:
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-type"]
                status = start["status"]
                is_json = any(
                    k.lower() == b"content-type" and v.startswith(b"application/json")
                    for k, v in start["headers"]
                )
                if is_json:
                    headers.append((b"content-type", f"{media}; charset=utf-8".encode()))
                    if media == GRAPHQL_RESPONSE and status == 200:
                        status = _status_of(message.get("body", b""), message.get("more_body"))
                        if status == 400:  # a request error: no `data` entry at all
                            message = {**message, "body": _without_data(message["body"])}
                            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                            headers.append((b"content-length", str(len(message["body"])).encode()))
                else:
                    headers = start["headers"]
                await send({**start, "status": status, "headers": headers})
                start = None
            await send(message)

        return wrapped


def _status_of(body: bytes, more: bool | None) -> int:
    """200 when the operation ran (there is a `data` entry, even null from a field error),
    400 when it could not run (request errors: no `data`, or null data with no error path)."""
    if more:
        return 200
    try:
        result = json.loads(body)
    except ValueError:
        return 200
    if not isinstance(result, dict):
        return 200
    errors = result.get("errors") or []
    if "data" not in result:
        return 400
    if result["data"] is None and errors and all("path" not in e for e in errors):
        return 400
    return 200


def _without_data(body: bytes) -> bytes:
    result = json.loads(body)
    result.pop("data", None)
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
