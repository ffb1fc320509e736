"""Shared web plumbing: the app state (project, catalog, lock), authentication, errors and rendering.

Authentication: ``Authorization: Bearer <token>`` (API), the ``metricmind_token`` cookie (browser, set by
``/login``). Anonymous people may read; writes need a token and a role (viewer < editor < approver < admin).
Every error, HTML pages aside, is ``MetricmindError.to_dict()``: ``{"error", "message", "hint", ...}``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from metricmind.errors import (
    ConflictError,
    MetricmindError,
    PermissionDenied,
    QueryError,
    QuestionTooLongError,
    UnknownNameError,
)
from metricmind.project import Project, json_value

COOKIE = "metricmind_token"
ROLES = ("viewer", "editor", "approver", "admin")
HERE = Path(__file__).parent


class NotAuthenticated(MetricmindError):
    """No token, or a token nobody has."""

    code = "unauthorized"


class NotFound(MetricmindError):
    """No such page, object or route."""

    code = "not_found"


class Unavailable(MetricmindError):
    """A part the request needs (the catalog store, the resolver) is not available."""

    code = "unavailable"


class BadRequest(MetricmindError):
    """The request is malformed."""

    code = "invalid_request"


class TooLong(MetricmindError):
    """A field (a question, a name, a description) is longer than the server accepts (422)."""

    code = "too_long"


class TooLarge(MetricmindError):
    """The request body is larger than ``web.max_body_bytes`` (413)."""

    code = "too_large"


class UntrustedHost(MetricmindError):
    """The ``Host`` header names a host not in ``web.trusted_hosts`` (421, as the MCP HTTP server)."""

    code = "untrusted_host"


class CsrfRejected(MetricmindError):
    """A cookie-driven write without this session's CSRF token, or from another origin (403)."""

    code = "csrf_rejected"


class VersionRequired(MetricmindError):
    """A replacing write without ``expected_version`` (428: it would overwrite blindly)."""

    code = "version_required"


_STATUS: dict[type[MetricmindError], int] = {
    NotAuthenticated: 401,
    CsrfRejected: 403,
    NotFound: 404,
    UntrustedHost: 421,
    TooLarge: 413,
    TooLong: 422,
    QuestionTooLongError: 422,
    VersionRequired: 428,
    Unavailable: 503,
}


def status_of(exc: MetricmindError) -> int:
    """The HTTP status for an error."""
    for kind, status in _STATUS.items():
        if isinstance(exc, kind):
            return status
    if isinstance(exc, PermissionDenied) or exc.code == "forbidden":
        return 403
    if isinstance(exc, UnknownNameError):
        return 404
    if isinstance(exc, ConflictError) or exc.code == "conflict":
        return 409
    if exc.code == "too_long":  # the catalog's own length limits (``catalog.definitions.TooLong``)
        return 422
    if isinstance(exc, QueryError | BadRequest) or exc.code in ("invalid_spec", "workflow", "invalid"):
        return 400
    if exc.code in ("warehouse_error",):
        return 502
    return 400


@dataclass
class User:
    """Who is asking: a name and a role."""

    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is at least ``role``."""
        return rank(self.role) >= rank(role)

    def to_dict(self) -> dict[str, str]:
        """JSON view."""
        return {"name": self.name, "role": self.role}


def rank(role: str) -> int:
    """Position of ``role`` in viewer < editor < approver < admin (-1 when unknown)."""
    return ROLES.index(role) if role in ROLES else -1


class WebState:
    """What every request shares: the project, its catalog (when available), one lock, the templates."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.lock = threading.RLock()
        self.env = Environment(
            loader=FileSystemLoader(str(HERE / "templates")),
            autoescape=select_autoescape(["html", "svg"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.secret = secrets.token_bytes(32)  # signs CSRF tokens; a restart asks open pages to reload
        self._catalog: Any = None
        self.cache: dict[str, Any] = {}
        self._catalog_error: str | None = None

    @property
    def catalog(self) -> Any:
        """The project's catalog (``Project.catalog``), or None when it cannot be opened."""
        if self._catalog is None and self._catalog_error is None:
            try:
                self._catalog = getattr(self.project, "catalog", None)
                if self._catalog is None:
                    self._catalog_error = "this metricmind has no catalog"
            except MetricmindError as exc:
                self._catalog_error = exc.message
        return self._catalog

    def need_catalog(self) -> Any:
        """The catalog, or ``Unavailable``."""
        cat = self.catalog
        if cat is None:
            raise Unavailable(
                f"the catalog store is not available: {self._catalog_error}",
                hint="Check `store.url` and that the store is migrated.",
            )
        return cat

    def reload(self) -> None:
        """Load the project files again (after a definition was published), keeping the catalog."""
        with self.lock:
            fresh = Project.load(self.project.root)
            fresh.listeners = self.project.listeners
            cat = self._catalog
            old = self.project
            if cat is not None:
                # Keep the opened catalog on the new project object (the property caches per instance).
                fresh.__dict__["catalog"] = cat
                if hasattr(cat, "sync"):
                    try:
                        cat.sync(fresh.defined)
                    except TypeError:
                        cat.sync()
            self.project = fresh
            old.__dict__.pop("catalog", None)  # the fresh project holds it now
            old.close()


def state(request: Request) -> WebState:
    """The app's ``WebState``."""
    st: WebState = request.app.state.web
    return st


def token_of(request: Request) -> str | None:
    """The token sent with the request (header, then cookie)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


def current_user(request: Request) -> User | None:
    """The authenticated user, None when anonymous; a bad token is ``NotAuthenticated``."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    token = token_of(request)
    user: User | None = None
    if token:
        user = user_for_token(state(request), token)
        if user is None and request.headers.get("authorization"):
            raise NotAuthenticated(
                "the token is not valid", hint="Ask an admin: metricmind users add NAME --role R"
            )
    request.state.user = user
    return user


def user_for_token(st: WebState, token: str) -> User | None:
    """Look ``token`` up in the catalog."""
    cat = st.catalog
    if cat is None:
        return None
    found = cat.user_for_token(token)
    if found is None:
        return None
    if isinstance(found, dict):
        return User(str(found["name"]), str(found["role"]))
    return User(str(found.name), str(getattr(found.role, "value", found.role)))


def csrf_token(request: Request) -> str:
    """This browser session's CSRF token: an HMAC of its sign-in cookie under the server's secret.

    Bound to the cookie, so a token planted from another port of the same host (cookies ignore ports)
    is useless without the session it was made for; forms send it as ``csrf_token``, htmx as ``X-CSRF-Token``.
    """
    session = request.cookies.get(COOKIE, "")
    return hmac.new(state(request).secret, session.encode(), hashlib.sha256).hexdigest()


def require(request: Request, role: str) -> User:
    """The user, when at least ``role``; else 401 (anonymous) or 403 (too low a role)."""
    user = current_user(request)
    if user is None:
        raise NotAuthenticated(
            f"this needs a signed-in {role}", hint="Send Authorization: Bearer <token>, or sign in at /login."
        )
    if not user.can(role):
        raise PermissionDenied(
            f"user '{user.name}' is a {user.role}; this needs {role} or above",
            hint="Ask an admin for a higher role.",
        )
    return user


def wants_json(request: Request) -> bool:
    """True for API paths, ``?format=json`` and ``Accept: application/json``."""
    if request.url.path.startswith("/api/") or request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def to_json(data: Any) -> Any:
    """JSON-safe data (dates, decimals, dataclasses with ``to_dict``)."""
    if isinstance(data, dict):
        return {str(k): to_json(v) for k, v in data.items() if not str(k).startswith("_")}
    if isinstance(data, list | tuple):
        return [to_json(v) for v in data]
    if hasattr(data, "to_dict") and callable(data.to_dict):
        return to_json(data.to_dict())
    return json_value(data)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """The page: JSON of ``context`` when asked for, else the template (partials for htmx)."""
    if wants_json(request):
        return JSONResponse(to_json(context), status_code=status)
    st = state(request)
    try:
        user = current_user(request)
    except NotAuthenticated:
        user = None
    html = st.env.get_template(template).render(
        request=request,
        user=user,
        project_name=st.project.model.name,
        csrf_token=csrf_token(request),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def error_response(request: Request, exc: MetricmindError, status: int | None = None) -> Response:
    """The one error shape as JSON, or an HTML page with the same content."""
    code = status or status_of(exc)
    body = exc.to_dict()
    plain_form = "text/html" in request.headers.get("accept", "")  # a browser's own form post (sign-in)
    if (
        wants_json(request)
        or request.method != "GET"
        and not request.headers.get("hx-request")
        and not plain_form
    ):
        return JSONResponse(to_json(body), status_code=code)
    st = state(request)
    template = "_error_fragment.html" if request.headers.get("hx-request") else "error.html"
    try:
        user = current_user(request)
    except NotAuthenticated:
        user = None
    html = st.env.get_template(template).render(
        request=request,
        user=user,
        project_name=st.project.model.name,
        csrf_token=csrf_token(request),
        error=body,
        status=code,
    )
    return HTMLResponse(html, status_code=code)
