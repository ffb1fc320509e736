from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from metricmind.errors import WarehouseError
from metricmind.warehouse import available, connect, registry
from metricmind.warehouse.duckdb import DuckDBWarehouse


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    registry._loaded.clear()
    yield
    registry._loaded.clear()


def test_connect_duckdb(tmp_path: Path) -> None:
    with connect("duckdb", path=tmp_path / "x.duckdb", read_only=False) as wh:
        assert isinstance(wh, DuckDBWarehouse)
        assert wh.run("select 42").scalar() == 42
    with connect("DuckDB", path=":memory:") as wh:
        assert wh.dialect == "duckdb"


def test_available_lists_builtins() -> None:
    assert {"duckdb", "postgres"} <= set(available())


def test_unknown_type_suggests_the_closest() -> None:
    with pytest.raises(WarehouseError, match="unknown warehouse type 'duckbd'") as info:
        connect("duckbd")
    assert info.value.hint == "Did you mean 'duckdb'?"
    with pytest.raises(WarehouseError) as info:
        connect("zzzzzz")
    assert "metricmind.warehouses" in (info.value.hint or "")


def test_bad_arguments() -> None:
    with pytest.raises(WarehouseError, match="bad arguments for the 'duckdb' warehouse"):
        connect("duckdb", dsn="postgres://nowhere")


def test_a_builtin_that_is_not_there_yet_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.BUILTINS, "oracle", "metricmind.warehouse.oracle:OracleWarehouse")
    with pytest.raises(WarehouseError, match="not part of this metricmind version") as info:
        connect("oracle")
    assert "duckdb" in (info.value.hint or "")


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = tmp_path / "mm_fake_adapter.py"
    module.write_text("import mm_driver_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(registry.BUILTINS, "fakedb", "mm_fake_adapter:FakeWarehouse")
    monkeypatch.setitem(registry.EXTRAS, "fakedb", "fakedb")
    with pytest.raises(WarehouseError, match="needs the 'mm_driver_that_is_not_installed' driver") as info:
        connect("fakedb")
    assert info.value.hint == "pip install 'metricmind[fakedb]'"


def test_entry_points_register_third_party_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = EntryPoint(
        name="embedded", value="metricmind.warehouse.duckdb:DuckDBWarehouse", group=registry.ENTRY_POINT_GROUP
    )
    broken = EntryPoint(
        name="broken", value="metricmind.warehouse.nothing_here:X", group=registry.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(registry, "_entry_points", lambda: [plugin, broken])
    assert {"embedded", "broken"} <= set(available())
    with connect("embedded", path=":memory:") as wh:
        assert wh.run("select 1").scalar() == 1
    with pytest.raises(WarehouseError, match="entry point 'broken'"):
        connect("broken")
