"""``metricmind serve`` and the ``serve`` function ``metricmind demo --serve`` calls (uvicorn stubbed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from metricmind.interfaces.cli import commands_web
from metricmind.interfaces.cli.app import app


def test_serve_command(web_demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(asgi: Any, host: str, port: int, **kwargs: Any) -> None:
        seen.update(app=asgi, host=host, port=port)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(app, ["serve", "-p", str(web_demo), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert "http://127.0.0.1:8123/" in result.output
    assert "/api/metrics" in seen["app"].openapi()["paths"]


def test_serve_missing_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "-p", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_demo_serve_prints_logins(
    web_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    commands_web.serve(project=target, host="127.0.0.1", port=8124)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8124/" in out and "Sign in" in out


def test_serve_schedules_the_nightly_job(
    web_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from metricmind.knowledge import schedule

    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    started: list[Any] = []
    real_start = schedule.NightlySchedule.start

    def start(self: Any) -> Any:
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(schedule.NightlySchedule, "start", start)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    result = CliRunner().invoke(app, ["serve", "-p", str(target), "--nightly-at", "02:30"])
    assert result.exit_code == 0, result.output
    assert "every day at 02:30" in result.output
    assert len(started) == 1 and started[0].at.hour == 2 and not started[0]._thread.is_alive()  # stopped
    bad = CliRunner().invoke(app, ["serve", "-p", str(target), "--nightly-at", "half past two"])
    assert bad.exit_code == 2 and "HH:MM" in bad.stderr


def test_demo_refuses_to_rebuild_under_a_running_server(web_demo: Path, tmp_path: Path) -> None:
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [str(Path(sys.executable).with_name("metricmind")), "serve", "-p", str(target), "--port", str(port)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/metrics", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        assert commands_web.running_server(target) is not None
        before = (target / "target" / "warehouse.duckdb").stat().st_mtime_ns
        result = CliRunner().invoke(app, ["demo", "--dir", str(target), "--scale", "300"])
        assert result.exit_code == 2
        assert "is serving the demo" in result.output and f"127.0.0.1:{port}" in result.output
        assert (target / "target" / "warehouse.duckdb").stat().st_mtime_ns == before
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert commands_web.running_server(target) is None


def test_demo_prints_links_for_the_port_asked(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "demo",
            "--dir",
            str(tmp_path / "d"),
            "--scale",
            "300",
            "--end-date",
            "2025-06-30",
            "--port",
            "8765",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/login?token=" in result.output and ":8000" not in result.output
    assert "--port 8765" in result.output


def test_favicon_and_warm_up_record_nothing(web_demo: Path, tmp_path: Path) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from metricmind.interfaces.web.app import create_app, warm
    from metricmind.project import Project

    target = tmp_path / "demo"
    shutil.copytree(web_demo, target, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(target)
    app = create_app(project)
    timings = warm(app)
    assert {"catalog", "openapi", "search", "resolver", "knowledge", "warehouse"} <= set(timings)
    assert sum(project.catalog.usage_counts().values()) == 0  # warming runs no recorded query
    client = TestClient(app, base_url="http://localhost")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.lstrip().startswith(b"<svg")
    project.close()
