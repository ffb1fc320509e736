"""Security findings of issue 10 about the web server, one test each (every one failed on the code before).

Roles on previews and writes, CSRF on cookie-driven writes, trusted hosts, size limits, and the low
findings (out-of-range ids, blind PUTs, the query page's status, an unterminated comment in a filter,
trailing junk after a date). In-process with FastAPI's TestClient, and against a served uvicorn for
CSRF and Host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metricmind.errors import FilterError, QueryError
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project
from metricmind.spec.filters import parse_where
from metricmind.spec.query import MetricQuery
from metricmind.testing.shop import copy_shop
from tests.web.browser import running

BASE = "http://localhost:8000"
ERROR_KEYS = {"error", "message", "hint"}
FORM = {"name": "big_orders", "measure": "order_total", "category": "Sales", "definition": "Orders over 100."}
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@pytest.fixture
def shop_rw(tmp_path: Path) -> Iterator[Project]:
    """A fresh shop project (its catalog store is new) per test."""
    project = Project.load(copy_shop(tmp_path / "shop"))
    yield project
    project.close()


@pytest.fixture
def tokens(shop_rw: Project) -> dict[str, str]:
    catalog: Any = shop_rw.catalog  # type: ignore[attr-defined]
    return {role: catalog.add_user(f"{role}_user", role) for role in ("viewer", "editor", "approver")}


@pytest.fixture
def client(shop_rw: Project) -> TestClient:
    return TestClient(create_app(shop_rw), base_url=BASE)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def page_token(client: TestClient, path: str = "/define") -> str:
    """The CSRF token a page carries for the client's session (empty when the page carries none)."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(path).text)
    return found.group(1) if found else ""


def in_review(client: TestClient, token: str) -> dict[str, Any]:
    """A change in review (an editor's draft, submitted)."""
    made = client.post("/api/definitions", json={"form": FORM, "submit": True}, headers=bearer(token))
    assert made.status_code == 201, made.text
    change: dict[str, Any] = made.json()["change"]
    assert change["state"] == "in_review"
    return change


# -- roles ----------------------------------------------------------------------------------------------
def test_previews_need_an_editor(client: TestClient, tokens: dict[str, str]) -> None:
    anonymous = client.post("/api/definitions/preview", json={"form": FORM})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    viewer = client.post("/api/definitions/preview", json={"form": FORM}, headers=bearer(tokens["viewer"]))
    assert viewer.status_code == 403 and viewer.json()["error"] == "forbidden"
    page = client.post("/define/preview", data=FORM)
    assert page.status_code == 401 and set(page.json()) >= ERROR_KEYS
    editor = client.post("/api/definitions/preview", json={"form": FORM}, headers=bearer(tokens["editor"]))
    assert editor.status_code == 200 and editor.json()["columns"] == ["metric_time__month", "big_orders"]
    assert editor.json()["rows"]  # the preview really ran on the warehouse


def test_every_write_and_preview_route_declares_a_role(client: TestClient) -> None:
    from metricmind.interfaces.web.guard import route_roles

    routes = route_roles(client.app)  # type: ignore[arg-type]
    writes = [(m, path, role) for m, path, role in routes if m in WRITES or "preview" in path]
    assert len(writes) >= 20  # the API's and the pages' writes, the proposals', login and feedback
    undeclared = sorted(f"{m} {path}" for m, path, role in writes if role is None)
    assert not undeclared, f"routes without a declared role: {undeclared}"
    roles = {(m, path): role for m, path, role in writes}
    assert roles[("POST", "/api/definitions/preview")] == "editor"
    assert roles[("POST", "/define/preview")] == "editor"
    assert roles[("POST", "/review/{change_id}/approve")] == "approver"
    assert roles[("PUT", "/api/definitions/{change_id}")] == "editor"
    docs = (Path(__file__).parents[2] / "docs" / "web.md").read_text().splitlines()
    for (method, path), role in roles.items():  # docs/web.md names each write route with its role
        shown = re.sub(r"\{(\w+)\}", "{…}", path.replace("{kind}", "metrics"))
        line = next((ln for ln in docs if f"`{method} " in ln and f"{shown}`" in _docs_path(ln)), "")
        cells = [c.strip() for c in line.split("|")]
        assert line and re.match(rf"{role}\b", cells[2]), (
            f"docs/web.md: {method} {path} should say its role, {role}"
        )


def _docs_path(line: str) -> str:
    return re.sub(r"\{(\w+)\}", "{…}", line.replace("{approve\\|reject\\|submit}", "{…}"))


# -- CSRF -----------------------------------------------------------------------------------------------
def test_a_cookie_driven_form_post_needs_the_csrf_token(client: TestClient, tokens: dict[str, str]) -> None:
    change = in_review(client, tokens["editor"])
    client.cookies.set("metricmind_token", tokens["approver"])
    form = {"expected_version": str(change["version"])}
    forged = client.post(f"/review/{change['id']}/approve", data=form, headers={"HX-Request": "true"})
    assert forged.status_code == 403
    assert client.get(f"/api/definitions/{change['id']}").json()["change"]["state"] == "in_review"
    for bad in ("0" * 64, "é" * 64, ""):
        wrong = client.post(f"/review/{change['id']}/approve", data={**form, "csrf_token": bad})
        assert wrong.status_code == 403 and wrong.json()["error"] == "csrf_rejected", bad
    browser = client.post(f"/review/{change['id']}/approve", data=form, headers={"Accept": "text/html"})
    assert browser.status_code == 403 and "text/html" in browser.headers["content-type"]  # a page, not JSON
    assert "csrf_rejected" in browser.text and "Reload the page" in browser.text
    token = page_token(client, "/review")
    assert token
    done = client.post(f"/review/{change['id']}/approve", data={**form, "csrf_token": token})
    assert done.status_code == 200, done.text
    assert client.get(f"/api/definitions/{change['id']}").json()["change"]["state"] == "approved"


def test_a_cookie_driven_json_post_needs_the_csrf_header(client: TestClient, tokens: dict[str, str]) -> None:
    client.cookies.set("metricmind_token", tokens["editor"])
    forged = client.post("/api/definitions", json={"form": FORM})
    assert forged.status_code == 403 and forged.json()["error"] == "csrf_rejected"
    ok = client.post("/api/definitions", json={"form": FORM}, headers={"X-CSRF-Token": page_token(client)})
    assert ok.status_code == 201, ok.text
    client.cookies.clear()  # a bearer token is not cookie-driven: no CSRF token needed
    api = client.post(
        "/api/definitions", json={"form": {**FORM, "name": "b2"}}, headers=bearer(tokens["editor"])
    )
    assert api.status_code == 201, api.text


def test_a_write_from_another_origin_is_refused(client: TestClient, tokens: dict[str, str]) -> None:
    change = in_review(client, tokens["editor"])
    client.cookies.set("metricmind_token", tokens["approver"])
    form = {"expected_version": str(change["version"]), "csrf_token": page_token(client, "/review")}
    for origin in ("http://localhost:9999", "http://127.0.0.1:8000", "http://evil.example", "null"):
        refused = client.post(f"/review/{change['id']}/approve", data=form, headers={"Origin": origin})
        assert refused.status_code == 403 and refused.json()["error"] == "csrf_rejected", origin
    referer = client.post(
        f"/review/{change['id']}/approve", data=form, headers={"Referer": "http://localhost:8001/review"}
    )
    assert referer.status_code == 403
    assert client.get(f"/api/definitions/{change['id']}").json()["change"]["state"] == "in_review"
    same = client.post(f"/review/{change['id']}/approve", data=form, headers={"Origin": BASE})
    assert same.status_code == 200, same.text


def test_pages_cannot_be_framed_by_another_site(client: TestClient) -> None:
    for path in ("/review", "/api/metrics", "/no/such/page"):
        got = client.get(path)
        assert got.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in got.headers["content-security-policy"]
        assert got.headers["x-content-type-options"] == "nosniff"


def test_a_sign_in_link_opened_from_another_site_only_fills_the_form(
    client: TestClient, tokens: dict[str, str]
) -> None:
    link = f"/login?token={tokens['viewer']}&next=/review"
    foreign = client.get(link, headers={"Sec-Fetch-Site": "same-site"}, follow_redirects=False)
    assert foreign.status_code == 200 and "set-cookie" not in foreign.headers
    assert 'id="login-confirm"' in foreign.text
    typed = client.get(link, headers={"Sec-Fetch-Site": "none"}, follow_redirects=False)
    assert typed.status_code == 303 and "metricmind_token=" in typed.headers["set-cookie"]


def test_sign_in_never_redirects_off_site(client: TestClient, tokens: dict[str, str]) -> None:
    for target in ("/\\evil.example", "//evil.example", "/\t/evil.example", "https://evil.example", "x"):
        client.cookies.clear()  # signed out: the sign-in form needs no CSRF token
        got = client.post("/login", data={"token": tokens["viewer"], "next": target}, follow_redirects=False)
        assert got.status_code == 303 and got.headers["location"] == "/", target
    client.cookies.clear()
    kept = client.post(
        "/login", data={"token": tokens["viewer"], "next": "/review?state=draft"}, follow_redirects=False
    )
    assert kept.headers["location"] == "/review?state=draft"


# -- trusted hosts --------------------------------------------------------------------------------------
def test_only_trusted_hosts_are_answered(shop_rw: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(shop_rw)
    for base in ("http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"):
        assert TestClient(app, base_url=base).get("/api/metrics").status_code == 200, base
    rebound = TestClient(app, base_url="http://attacker.example:8000").get("/api/metrics")
    assert rebound.status_code == 421 and rebound.json()["error"] == "untrusted_host"
    assert set(rebound.json()) >= ERROR_KEYS and "web.trusted_hosts" in rebound.json()["hint"]
    shop_rw.settings = {**shop_rw.settings, "web": {"trusted_hosts": ["stats.lan", "::1"]}}  # metricmind.yml
    listed = create_app(shop_rw)
    assert TestClient(listed, base_url="http://stats.lan:8000").get("/api/metrics").status_code == 200
    assert TestClient(listed, base_url="http://[::1]:8000").get("/api/metrics").status_code == 200
    assert TestClient(listed, base_url="http://localhost:8000").get("/api/metrics").status_code == 421
    monkeypatch.setenv("METRICMIND_WEB_TRUSTED_HOSTS", "metrics.internal, localhost")  # the environment wins
    configured = create_app(shop_rw)
    assert TestClient(configured, base_url="http://metrics.internal").get("/api/metrics").status_code == 200
    assert TestClient(configured, base_url="http://127.0.0.1").get("/").status_code == 421


def test_serve_trusts_the_address_it_listens_on(shop_rw: Project) -> None:
    from metricmind.interfaces.cli.commands_web import build_app

    lan = build_app(shop_rw, "192.168.7.20")
    assert TestClient(lan, base_url="http://192.168.7.20:8000").get("/api/metrics").status_code == 200
    assert TestClient(lan, base_url="http://localhost:8000").get("/api/metrics").status_code == 200
    wildcard = build_app(shop_rw, "0.0.0.0")  # every interface: names must be listed in web.trusted_hosts
    assert TestClient(wildcard, base_url="http://0.0.0.0:8000").get("/api/metrics").status_code == 421
    ipv6 = create_app(shop_rw, hosts=["fd00::7"])
    assert TestClient(ipv6, base_url="http://[fd00::7]:8000").get("/api/metrics").status_code == 200


def test_served_server_checks_host_and_csrf(shop_rw: Project, tokens: dict[str, str]) -> None:
    with running(create_app(shop_rw)) as base, httpx.Client(base_url=base) as http:
        port = base.rsplit(":", 1)[1]
        assert http.get("/api/metrics").status_code == 200
        rebound = http.get("/api/metrics", headers={"Host": f"rebind.example:{port}"})
        assert rebound.status_code == 421 and rebound.json()["error"] == "untrusted_host"
        made = http.post(
            "/api/definitions", json={"form": FORM, "submit": True}, headers=bearer(tokens["editor"])
        )
        change = made.json()["change"]
        http.cookies.set("metricmind_token", tokens["approver"])
        page = http.get("/review").text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page)
        form = {"expected_version": str(change["version"]), "csrf_token": token.group(1) if token else ""}
        other_port = http.post(
            f"/review/{change['id']}/approve",
            data=form,
            headers={"Origin": f"http://127.0.0.1:{int(port) + 1}"},
        )
        assert other_port.status_code == 403
        no_token = http.post(
            f"/review/{change['id']}/approve", data={"expected_version": form["expected_version"]}
        )
        assert no_token.status_code == 403
        done = http.post(f"/review/{change['id']}/approve", data=form, headers={"Origin": base})
        assert done.status_code == 200 and 'data-state="approved"' in done.text


# -- limits ---------------------------------------------------------------------------------------------
def test_request_bodies_are_limited(
    shop_rw: Project, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICMIND_WEB_MAX_BODY_BYTES", "50000")
    client = TestClient(create_app(shop_rw), base_url=BASE)
    huge = {"form": {**FORM, "description": "d" * 60_000}}
    declared = client.post("/api/definitions", json=huge, headers=bearer(tokens["editor"]))
    assert declared.status_code == 413 and declared.json()["error"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"form": {"name": "x", "description": "'
        for _ in range(20):
            yield b"d" * 5000
        yield b'"}}'

    streamed = client.post(
        "/api/definitions",
        content=chunks(),
        headers={**bearer(tokens["editor"]), "content-type": "application/json"},
    )
    assert streamed.status_code == 413 and streamed.json()["error"] == "too_large"
    assert client.get("/api/definitions").json()["changes"] == []


def test_questions_are_limited_to_2000_characters(client: TestClient) -> None:
    long = "revenue by region " * 112  # 2,016 characters
    api = client.get("/api/ask", params={"q": long})
    assert api.status_code == 422 and api.json()["error"] == "question_too_long"
    assert "2,000" in api.json()["message"] and api.json()["limit"] == 2000
    page = client.get("/ask", params={"q": long})
    assert page.status_code == 422 and 'maxlength="2000"' not in page.text
    assert client.get("/api/ask", params={"q": "revenue by region"}).status_code == 200
    assert 'maxlength="2000"' in client.get("/ask").text


def test_draft_fields_are_limited(client: TestClient, tokens: dict[str, str]) -> None:
    for field, size in (("name", 129), ("label", 257), ("description", 10_001), ("business_rules", 10_001)):
        value = "n" * size if field == "name" else "x " * (size // 2 + 1)
        sent = client.post(
            "/api/definitions", json={"form": {**FORM, field: value}}, headers=bearer(tokens["editor"])
        )
        assert sent.status_code == 422 and sent.json()["error"] == "too_long", (field, sent.text[:200])
        assert field in sent.json()["message"]
    raw = {
        "name": "m",
        "type": "simple",
        "type_params": {"measure": "order_total"},
        "description": "d" * 10_001,
    }
    sent = client.post("/api/definitions", json={"definition": raw}, headers=bearer(tokens["editor"]))
    assert sent.status_code == 422 and sent.json()["error"] == "too_long"
    assert client.get("/api/definitions").json()["changes"] == []


# -- low findings ---------------------------------------------------------------------------------------
def test_out_of_range_ids_and_long_names_are_json_4xx(client: TestClient, tokens: dict[str, str]) -> None:
    for path in ("/api/definitions/99999999999999999999", "/api/definitions/0"):
        got = client.get(path)
        assert got.status_code == 422 and set(got.json()) >= ERROR_KEYS, (path, got.text[:100])
    approve = client.post("/api/definitions/99999999999999999999/approve", headers=bearer(tokens["approver"]))
    assert approve.status_code == 422 and approve.json()["error"] == "invalid_request"
    long = client.get("/api/metrics/" + "x" * 5000)
    assert long.status_code == 422 and set(long.json()) >= ERROR_KEYS
    assert client.get("/api/metrics/revenu").status_code == 404
    huge = "9" * 20  # other numbers: a 4xx naming the parameter, not a 500 or a warehouse error
    for path, params in (
        ("/audit", {"limit": huge}),
        ("/api/graph/top", {"days": huge}),
        ("/api/query", {"metrics": "revenue", "limit": huge}),
    ):
        got = client.get(path, params=params, headers={"Accept": "application/json"})
        assert got.status_code in (400, 422) and set(got.json()) >= ERROR_KEYS, (path, got.text[:100])
        assert next(iter(params.keys() - {"metrics"})) in got.json()["message"]


def test_put_needs_expected_version(client: TestClient, tokens: dict[str, str]) -> None:
    made = client.post("/api/definitions", json={"form": FORM}, headers=bearer(tokens["editor"])).json()[
        "change"
    ]
    blind = client.put(
        f"/api/definitions/{made['id']}",
        json={"form": {**FORM, "definition": "Changed."}},
        headers=bearer(tokens["editor"]),
    )
    assert blind.status_code == 428 and blind.json()["error"] == "version_required"
    assert "expected_version" in blind.json()["hint"]
    assert client.get(f"/api/definitions/{made['id']}").json()["change"]["version"] == made["version"]
    guarded = client.put(
        f"/api/definitions/{made['id']}",
        json={"form": {**FORM, "definition": "Changed."}, "expected_version": made["version"]},
        headers=bearer(tokens["editor"]),
    )
    assert guarded.status_code == 200 and guarded.json()["change"]["version"] == made["version"] + 1


def test_query_page_errors_are_not_200(client: TestClient) -> None:
    bad_grain = client.get("/query", params={"metrics": "revenue", "grain": "fortnight"})
    assert bad_grain.status_code == 400 and "fortnight" in bad_grain.text
    unknown = client.get("/query", params={"metrics": "revenu", "grain": "month"})
    assert unknown.status_code == 404 and "revenue" in unknown.text
    assert client.get("/query", params={"metrics": "revenue", "grain": "month"}).status_code == 200


def test_unterminated_comment_in_a_filter_is_a_filter_error(client: TestClient) -> None:
    text = "{{ Dimension('customer__segment') }} = 'a' /* x"
    with pytest.raises(FilterError, match="not closed"):
        parse_where(text)
    got = client.get("/api/query", params={"metrics": "revenue", "where": text})
    assert got.status_code == 400 and got.json()["error"] == "invalid_filter"


def test_trailing_junk_after_a_date_is_refused(client: TestClient, shop_rw: Project) -> None:
    with pytest.raises(QueryError, match="2024-01-01junk"):
        MetricQuery.build(["revenue"], start="2024-01-01junk")
    assert MetricQuery.build(["revenue"], start="2024-01-01T00:00:00").start is not None
    api = client.post("/api/query/run", json={"metrics": ["revenue"], "end": "2024-02-01xyz"})
    assert api.status_code == 400 and "2024-02-01xyz" in api.json()["message"]
    from metricmind.interfaces.cli.app import app

    cli = CliRunner().invoke(
        app, ["sql", "--metrics", "revenue", "-p", str(shop_rw.root), "--start", "2024-01-01junk"]
    )
    assert cli.exit_code != 0 and "2024-01-01junk" in cli.output
