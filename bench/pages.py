"""Metric Explorer pages in Chromium: milliseconds from navigation start to the load event (Navigation Timing).

Builds the demo (or uses ``--project``), serves it with uvicorn on a loopback port, warms it as
``metricmind serve`` does, and opens each page in Debian Chromium: *cold* in a fresh browser context (empty
cache: every script, ECharts' 1.1 MB included, is downloaded and compiled), then *warm* (reloads in the same
context). Prints medians per page; the target is under 300 ms for both.

    .venv/bin/python bench/pages.py [--runs 5] [--project DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from metricmind.demo.build import build_demo
from metricmind.interfaces.web.app import create_app, warm
from metricmind.project import Project
from tests.web.browser import CHROMIUM, running

PAGES = (
    "/",
    "/metrics/mrr",
    "/query?metrics=mrr&grain=month",
    "/query?metrics=mrr&group_by=metric_time__quarter&group_by=customer__segment&start=2025-01-01&end=2026-01-01",
    "/query?metrics=invoice_revenue&group_by=customer__region",
    "/query?metrics=mrr&metrics=arr",
    "/define",
    "/graph",
    "/docs",
)
LOAD = (
    "() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; }"
)
DRAWN = "() => { const m = performance.getEntriesByName('mm-chart-drawn'); return m.length ? m[0].startTime : 0; }"
CHART = "() => { const c = document.querySelector('#chart'); return c ? c.dataset.rendered || '' : 'none'; }"


def measure(page: Any, cdp: Any, url: str) -> tuple[float, float, float]:
    """Open ``url``: milliseconds to the end of its load event (charts are drawn by then), to the chart
    drawn (0 without one), and of JavaScript run for this document (CDP ``ScriptDuration``).
    """
    page.goto(url, wait_until="load")
    page.wait_for_function("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    assert page.evaluate(CHART) != "", f"{url}: the chart was not drawn by the load event"
    return float(page.evaluate(LOAD)), float(page.evaluate(DRAWN)), _script_ms(cdp)


def _script_ms(cdp: Any) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics.get("ScriptDuration", 0.0)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.project
        if root is None:
            root = Path(tmp) / "demo"
            build_demo(root, scale=1000, end_date="2026-06-30")
        project = Project.load(root)
        app = create_app(project)
        warm(app)
        with running(app) as base, sync_playwright() as pw:
            base = base.replace("127.0.0.1", "localhost")
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            print(f"{'page':<72} {'load ms':>15} {'chart ms':>15} {'script ms':>15}")
            print(f"{'':<72} {'cold':>7} {'warm':>7} {'cold':>7} {'warm':>7} {'cold':>7} {'warm':>7}")
            for path in PAGES:
                cold, hot = [], []
                for _ in range(args.runs):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Performance.enable")
                    cold.append(measure(page, cdp, base + path))
                    hot.append(measure(page, cdp, base + path))
                    context.close()
                cells = [
                    statistics.median(runs[i] for runs in kind) for i in range(3) for kind in (cold, hot)
                ]
                name = path if len(path) <= 72 else path[:69] + "..."
                print(f"{name:<72} " + " ".join(f"{c:7.0f}" for c in cells))
            browser.close()
        project.close()


if __name__ == "__main__":
    main()
