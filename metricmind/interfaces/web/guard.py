"""What reaches a handler at all, and who may call each route.

- ``Guard`` (ASGI middleware): every response says no other page may frame it (clickjacking would
  otherwise get around the CSRF token); the ``Host`` header must name a trusted host
  (``web.trusted_hosts``, loopback names by default; else 421, as the MCP HTTP server answers), so a
  DNS-rebinding page cannot reach a local server; a write (any method but GET, HEAD, OPTIONS) whose
  ``Origin`` (or, without one, ``Referer``) is not this server's own host and port is refused (403),
  another port of the same host included; a body larger than ``web.max_body_bytes`` is 413.
- Gates: every route that writes or previews declares who may call it with one dependency, ``Anyone``
  (signed in or not), ``Editor`` or ``Approver`` (``route_role`` reads it back; a test fails when a
  non-GET route declares none). A gate checks the CSRF token first when the request rides on the sign-in
  cookie: forms send ``csrf_token``, htmx and fetch send ``X-CSRF-Token`` (``core.csrf_token``).
  Requests with ``Authorization: Bearer`` are not cookie-driven and need no token.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from metricmind.errors import MetricmindError
from metricmind.interfaces.web.core import (
    COOKIE,
    CsrfRejected,
    TooLarge,
    UntrustedHost,
    User,
    csrf_token,
    current_user,
    require,
    status_of,
    to_json,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
ANYONE = "anyone"


def parse_hosts(value: Any) -> frozenset[str]:
    """Host names from the setting: a comma-separated string or a list; lower case, no ports."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    names = [str(i).strip() for i in items]
    return frozenset(
        host_name(f"[{h}]" if h.count(":") > 1 and not h.startswith("[") else h) for h in names if h
    )


def host_name(host: str) -> str:
    """``host[:port]`` → the lower-case host (``[::1]`` keeps its brackets)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _split_host(host: str) -> tuple[str, int | None]:
    name = host_name(host)
    rest = host.strip()[len(name) :]
    port = rest[1:] if rest.startswith(":") else ""
    return name, int(port) if port.isdigit() else None


def same_origin(origin: str, host: str) -> bool:
    """True when ``origin`` (``scheme://host[:port]``) is this server, reached at ``host`` (the Host header)."""
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    if not parts.scheme or not parts.hostname:
        return False
    origin_host = parts.hostname.lower()
    origin_host = f"[{origin_host}]" if ":" in origin_host else origin_host
    name, port = _split_host(host)
    if origin_host != name:
        return False
    if port is None:  # Host without a port: the default one of either scheme (a TLS proxy may sit in front)
        return origin_port in (80, 443)
    return origin_port == port


def _origin_of(headers: Headers) -> str | None:
    origin = headers.get("origin")
    if origin is not None:
        return origin
    referer = headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"
    return None


class Guard:
    """ASGI middleware: trusted hosts, same-origin writes and the body size limit (see the module doc)."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str], max_body: int) -> None:
        self.app = app
        self.hosts = frozenset(hosts)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer an untrusted host, a foreign write or a too-large body; else run the app."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _framing_refused(send)
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if "*" not in self.hosts and host_name(host) not in self.hosts:
            shown = host[:100] or "(none)"
            err: MetricmindError = UntrustedHost(
                f"host {shown!r} is not a trusted host of this server",
                hint="Open the server by a trusted name (default: localhost, 127.0.0.1, [::1]), or add "
                "the name to `web.trusted_hosts` (METRICMIND_WEB_TRUSTED_HOSTS).",
            )
            await _reply(err, scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            origin = _origin_of(headers)
            if origin is not None and not same_origin(origin, host):
                err = CsrfRejected(
                    f"a {scope['method']} from {origin[:100]!r} to {host!r} is refused: it comes from another origin",
                    hint="Send writes from this server's own pages, or from a client with "
                    "Authorization: Bearer <token> and no foreign Origin header.",
                )
                await _reply(err, scope, receive, send)
                return
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _reply(self._too_large(declared), scope, receive, send)
            return
        await self._limited(scope, receive, send)

    def _too_large(self, size: str) -> TooLarge:
        return TooLarge(
            f"the request body ({size} bytes) is larger than the {self.max_body:,} bytes this server accepts",
            hint="Send less, or raise `web.max_body_bytes` (METRICMIND_WEB_MAX_BODY_BYTES).",
        )

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, counting a streamed body: past the limit, the app's response becomes a 413."""
        seen = 0
        over = False
        replaced = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    over = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def sending(message: Message) -> None:
            nonlocal replaced
            if over and message["type"] == "http.response.start":
                replaced = True  # the app's own answer to a cut body becomes the 413
                await _reply(self._too_large(f"over {self.max_body:,}"), scope, counted, send)
                return
            if not replaced:
                await send(message)

        await self.app(scope, counted, sending)


SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),  # no other page may frame ours (a framed Approve button is clickjacking)
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


def _framing_refused(send: Send) -> Send:
    """``send`` adding ``SECURITY_HEADERS`` to every response."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
        await send(message)

    return sending


async def _reply(err: MetricmindError, scope: Scope, receive: Receive, send: Send) -> None:
    """The one JSON error shape, before any route ran."""
    await JSONResponse(to_json(err.to_dict()), status_code=status_of(err))(scope, receive, send)


# -- gates ------------------------------------------------------------------------------------------------
async def check_csrf(request: Request) -> None:
    """Refuse a cookie-driven write without this session's CSRF token (``CsrfRejected``, 403)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # the token travels in a header no other site can set: not cookie-driven
    if not request.cookies.get(COOKIE):
        return  # no session rides on this request (anonymous writes are the same from anywhere)
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), csrf_token(request).encode()):
        raise CsrfRejected(
            f"{request.method} {request.url.path} came with the sign-in cookie but without this session's "
            "CSRF token (or with a stale one)",
            hint="Reload the page and try again (pages carry the token); API clients send "
            "Authorization: Bearer <token> instead of the cookie.",
        )


class Gate:
    """A route's declared role, as a FastAPI dependency: the CSRF check, then the role check."""

    def __init__(self, role: str) -> None:
        self.role = role

    def __repr__(self) -> str:
        return f"Gate({self.role!r})"


class Open(Gate):
    """Anyone may call the route (signed in or not); the handler gets the user or None."""

    def __init__(self) -> None:
        super().__init__(ANYONE)

    async def __call__(self, request: Request) -> User | None:
        await check_csrf(request)
        return current_user(request)


class Needs(Gate):
    """Only a signed-in user whose role is at least ``role`` (401 anonymous, 403 too low)."""

    async def __call__(self, request: Request) -> User:
        await check_csrf(request)
        return require(request, self.role)


Anyone = Annotated[User | None, Depends(Open())]
Editor = Annotated[User, Depends(Needs("editor"))]
Approver = Annotated[User, Depends(Needs("approver"))]


def route_roles(app: FastAPI) -> list[tuple[str, str, str | None]]:
    """``(method, path, declared role or None)`` for every route of ``app`` (included routers too)."""
    out = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        methods = getattr(route, "methods", None) or ()
        role = route_role(route) if isinstance(route, APIRoute) else None
        out += [(method, str(context.path), role) for method in sorted(methods)]
    return out


def route_role(route: APIRoute) -> str | None:
    """The role a route declares with a gate (``anyone``, ``editor``, ``approver``…), None without one."""
    pending = list(route.dependant.dependencies)
    while pending:
        dep = pending.pop()
        if isinstance(dep.call, Gate):
            return dep.call.role
        pending.extend(dep.dependencies)
    return None


__all__ = [
    "Anyone",
    "Approver",
    "Editor",
    "Gate",
    "Guard",
    "check_csrf",
    "parse_hosts",
    "route_role",
    "route_roles",
]
