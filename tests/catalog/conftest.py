"""Fixtures: a copy of the shop project's YAML (with canonical datasets), stores on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.catalog.service import Catalog
from metricmind.spec.loader import load
from metricmind.testing.shop import SHOP

DATASETS = """\
canonical_datasets:
  - name: orders_canonical
    model: ref('orders')
    description: Every order with its amount and status.
    grain: one row per order
    primary_key: [order_id]
    owner: sales
    certification: verified
  - name: customers_canonical
    model: ref('customers')
    description: Every customer.
    grain: one row per customer
    primary_key: [customer_id]
    owner: crm
    certification: certified
"""

#: A new simple metric on the shop's measures.
BIG = {
    "name": "big_revenue",
    "label": "Big revenue",
    "description": "Revenue of large orders.",
    "type": "simple",
    "type_params": {"measure": "order_total"},
    "config": {"meta": {"category": "Revenue", "owner": "finance"}},
}


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shop's YAML (no warehouse) plus two canonical datasets."""
    monkeypatch.delenv("METRICMIND_STORE_URL", raising=False)
    target = tmp_path / "shop"
    shutil.copytree(SHOP, target, ignore=shutil.ignore_patterns("target", "seeds", "__pycache__", "*.sql"))
    (target / "models" / "canonical_datasets.yml").write_text(DATASETS)
    return target


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on SQLite, then on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


def open_catalog(url: str, root: Path) -> Catalog:
    """A migrated, synced catalog of the project in ``root``."""
    return Catalog.open(url, root, load(root).model)


@pytest.fixture
def catalog(store_url: str, project_dir: Path) -> Iterator[Catalog]:
    """The catalog of ``project_dir`` with a viewer, an editor, two approvers and an admin."""
    cat = open_catalog(store_url, project_dir)
    for name, role in (("vera", "viewer"), ("ed", "editor"), ("ann", "approver"), ("bob", "approver")):
        cat.add_user(name, role)
    cat.add_user("root", "admin")
    yield cat
    cat.close()
