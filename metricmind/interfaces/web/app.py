"""The FastAPI application: REST API under ``/api`` (OpenAPI at ``/docs``) and the Metric Explorer pages.

from metricmind.interfaces.web.app import create_app
app = create_app(Project.load("path"))   # serve with uvicorn
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from metricmind import __version__
from metricmind.errors import MetricmindError
from metricmind.interfaces.web import (
    analyses,
    api,
    ask,
    define_pages,
    explore,
    knowledge,
    learn,
    pages,
    views,
    vocabulary,
)
from metricmind.interfaces.web.core import HERE, BadRequest, NotFound, WebState, error_response
from metricmind.interfaces.web.guard import Guard, parse_hosts
from metricmind.project import Project
from metricmind.spec.query import MetricQuery


class _Lazy:
    """The search index and resolver, built on first use and reset when definitions change."""

    def __init__(self, st: WebState) -> None:
        self.st = st
        self.lock = threading.Lock()
        self._index: views.SearchIndex | None = None
        self._resolver: Any = None
        self._resolver_loaded = False
        self._vocabulary: tuple[int, int] | None = None

    def search(self) -> views.SearchIndex:
        with self.lock:
            if self._index is None:
                self._index = views.SearchIndex(self.st.project.model.metrics.values())
            return self._index

    def reset(self) -> None:
        with self.lock:
            self._index = None
            self._resolver_loaded = False
            self._resolver = None

    def resolver(self) -> Any:
        with self.lock:
            # shared words approved in another process (the CLI, another server) apply at once
            signature = ask.vocabulary_signature(self.st.project.root)
            if not self._resolver_loaded or signature != self._vocabulary:
                self._resolver = ask.load_resolver(self.st.project)
                self._resolver_loaded = True
                self._vocabulary = signature
            return self._resolver


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.knowledge.close()  # the knowledge graph's store connections


def create_app(project: Project, *, hosts: Iterable[str] = ()) -> FastAPI:
    """The web app for ``project`` (its warehouse is opened read-only, queries run one at a time).

    It answers only the hosts of ``web.trusted_hosts`` and ``hosts`` (``serve --host`` adds the address it
    listens on), and refuses bodies over ``web.max_body_bytes`` (see ``guard``).
    """
    app = FastAPI(
        lifespan=_lifespan,
        title="metricmind",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description=(
            "Metric catalog, governance and queries over a MetricFlow-compatible semantic layer. "
            "Reads are open; writes need `Authorization: Bearer <token>` "
            "(`metricmind users add NAME --role R` prints one). Errors are `{error, message, hint}`."
        ),
    )
    project.remember()  # every query the UI runs is an episode of the memory (docs/learn.md)
    st = WebState(project)
    st.env.globals["asset"] = asset_url
    lazy = _Lazy(st)
    app.state.web = st
    app.state.search = lazy.search
    app.state.search_reset = lazy.reset
    app.state.resolver = lazy.resolver
    knowledge.install(app, st)  # the graph, opened on first use; records every query the UI runs

    trusted = parse_hosts(project.setting("web.trusted_hosts")) | parse_hosts(list(hosts))
    app.add_middleware(Guard, hosts=trusted, max_body=int(project.setting("web.max_body_bytes")))

    @app.middleware("http")
    async def _timing(request: Request, call_next: Any) -> Response:
        # Server-side time of each request (handler + template), for browsers' devtools and bench/catalog.py.
        t0 = time.perf_counter()
        response: Response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.2f}"
        if request.url.path.startswith("/static/") and request.query_params.get("v"):
            # Pages name static files by content hash (asset_url): a URL never changes content, so browsers
            # keep them without asking again.
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(define_pages.router)
    app.include_router(explore.router)
    app.include_router(explore.api_router)
    app.include_router(ask.router)
    app.include_router(ask.api_router)
    app.include_router(learn.router)
    app.include_router(learn.api_router)
    app.include_router(knowledge.router)
    app.include_router(knowledge.api_router)
    app.include_router(vocabulary.router)
    app.include_router(vocabulary.api_router)
    app.include_router(analyses.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        # Browsers ask for /favicon.ico whatever the page links; answer with the Explorer's SVG icon.
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def _docs() -> HTMLResponse:
        # Swagger UI from our own static files: the Explorer never loads anything from a CDN.
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="metricmind API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.exception_handler(MetricmindError)
    async def _metricmind_error(request: Request, exc: MetricmindError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            err: MetricmindError = NotFound(
                f"no page at {request.url.path}", hint="See /docs for every route."
            )
        else:
            err = BadRequest(str(exc.detail))
            err.code = "method_not_allowed" if exc.status_code == 405 else "invalid_request"
        return error_response(request, err, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
        err = BadRequest("; ".join(problems) or "invalid request", hint="See /docs for the request shape.")
        return error_response(request, err, 422)

    return app


FAVICON = (HERE / "static" / "favicon.svg").read_bytes()


@functools.cache
def asset_url(path: str) -> str:
    """``/static/<path>?v=<hash of its content>``: what templates link (``asset('explorer.css')``), so a
    changed file gets a new URL and an unchanged one is cached by browsers for good.
    """
    data = (HERE / "static" / path).read_bytes()
    return f"/static/{path}?v={hashlib.sha256(data).hexdigest()[:12]}"


def _warm_queries(project: Project, metrics: int = 3) -> None:
    """Compile and run a few metrics by month straight on the warehouse (not through ``Project.run``, so
    nothing is recorded): connections open, compiler caches filled, the database's pages read once.
    """
    for name in list(project.model.metrics)[:metrics]:
        try:
            project.warehouse.run(project.compile(MetricQuery.build(name, ["metric_time__month"])))
        except MetricmindError:
            continue


def warm(app: FastAPI) -> dict[str, float]:
    """Open and build up front what the first request of each page would otherwise pay for: the catalog
    store, the warehouse connection, the compiler's caches, the search index, the question resolver,
    the knowledge graph store, the templates, the OpenAPI document and the analysis pages' default results
    (``analyses.warm``). Runs no metric query, so usage
    counts and the query log are untouched. Returns the milliseconds of each step.
    """
    st: WebState = app.state.web
    steps: dict[str, Any] = {
        "catalog": lambda: st.catalog,
        "openapi": app.openapi,
        "templates": lambda: [st.env.get_template(t) for t in st.env.list_templates()],
        "search": app.state.search,
        "resolver": app.state.resolver,
        "knowledge": app.state.knowledge.get,
        "warehouse": lambda: st.project.warehouse.run("select 1"),
        "compiler": lambda: [
            st.project.compile(MetricQuery.build(m)) for m in list(st.project.model.metrics)[:5]
        ],
        "analyses": lambda: analyses.warm(st),
    }
    timings: dict[str, float] = {}
    for name, step in steps.items():
        t0 = time.perf_counter()
        try:
            step()
        except MetricmindError:
            pass  # the page that needs it reports the problem
        timings[name] = (time.perf_counter() - t0) * 1000
    return timings
