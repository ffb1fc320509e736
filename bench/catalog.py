"""Metric Explorer latency with 1,000 metrics: catalog page render and search, server-side medians.

Builds the demo (small scale: the data does not matter here), adds generated simple metrics over the
demo's measures until the project holds ``--metrics`` of them, serves it in-process, and times each
request on the server (the ``Server-Timing`` header the app sets: handler plus template, no network).

    .venv/bin/python bench/catalog.py [--metrics 1000] [--runs 30]

Targets: catalog page under 150 ms, search under 30 ms (medians).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from metricmind.demo.build import build_demo
from metricmind.interfaces.web.app import create_app
from metricmind.project import Project

WORDS = (
    "gross net regional weekly enterprise partner organic paid trial annual monthly active new returning "
    "upsell renewal pipeline support onboarding usage seat license discount tax refund overdue"
).split()
CATEGORIES = ("Revenue", "Customers", "Billing", "Marketing", "Product", "Finance", "Sales", "Support")
STATUSES = ("certified", "verified", "experimental", "draft", "deprecated")
QUERIES = (
    "montly recuring revenue",
    "churn",
    "enterprse refunds",
    "cash collected",
    "trial conversion",
    "seat",
)


def generate(project_dir: Path, total: int) -> int:
    project = Project.load(project_dir)
    measures = sorted(project.model.measures)
    rng = random.Random(7)
    need = total - len(project.model.metrics)
    metrics = []
    for i in range(need):
        a, b = rng.sample(WORDS, 2)
        measure = rng.choice(measures)
        name = f"{a}_{b}_{measure}_{i}"
        metrics.append(
            {
                "name": name,
                "label": f"{a.capitalize()} {b} {measure.replace('_', ' ')} {i}",
                "description": f"Generated metric {i}: {a} {b} view of {measure.replace('_', ' ')}.",
                "type": "simple",
                "type_params": {"measure": measure},
                "config": {
                    "meta": {
                        "category": rng.choice(CATEGORIES),
                        "owner": rng.choice(("finance", "growth", "product", "revops")),
                        "status": rng.choice(STATUSES),
                        "definition": f"The {a} {b} {measure.replace('_', ' ')}.",
                        "synonyms": [f"{b} {a}", f"{measure.replace('_', ' ')} {a}"],
                    }
                },
            }
        )
    out = project_dir / "models" / "semantic" / "generated_metrics.yml"
    out.write_text(yaml.safe_dump({"metrics": metrics}, sort_keys=False))
    project.close()
    return need


def server_ms(response: object) -> float:
    header = response.headers["server-timing"]  # type: ignore[attr-defined]
    return float(header.split("dur=")[1].split(";")[0].split(",")[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "demo"
        build_demo(base, scale=200, end_date="2026-06-30")
        added = generate(base, args.metrics)
        project = Project.load(base)
        print(f"project: {len(project.model.metrics)} metrics ({added} generated)")
        client = TestClient(create_app(project), base_url="http://localhost")  # a trusted host
        assert client.get("/").status_code == 200  # warm: templates compiled, search index built
        client.get("/search", params={"q": "warm"})
        page = [server_ms(client.get("/")) for _ in range(args.runs)]
        page_json = [server_ms(client.get("/", params={"format": "json"})) for _ in range(args.runs)]
        search = []
        for i in range(args.runs):
            q = QUERIES[i % len(QUERIES)]
            r = client.get("/search", params={"q": q}, headers={"hx-request": "true"})
            assert r.status_code == 200
            search.append(server_ms(r))
        api_search = [server_ms(client.get("/api/search", params={"q": q})) for q in QUERIES * 3]
        size = len(client.get("/").content)
        project.close()
        shutil.rmtree(base, ignore_errors=True)
    print(
        f"catalog page (HTML, {size // 1024} KiB): median {statistics.median(page):.1f} ms "
        f"(min {min(page):.1f}, max {max(page):.1f}) over {len(page)} runs; target < 150 ms"
    )
    print(f"catalog page (JSON):        median {statistics.median(page_json):.1f} ms")
    print(
        f"search (htmx fragment):     median {statistics.median(search):.1f} ms "
        f"(min {min(search):.1f}, max {max(search):.1f}) over {len(search)} runs; target < 30 ms"
    )
    print(f"search (API JSON):          median {statistics.median(api_search):.1f} ms")


if __name__ == "__main__":
    main()
