"""Find a warehouse adapter by name: the built-ins, then the ``metricmind.warehouses`` entry points.

Built-ins are imported only when asked for, so a missing driver breaks only its own adapter::

    with connect("duckdb", path="target/warehouse.duckdb") as wh:
        wh.run("select 42")

A third-party package registers an adapter in its ``pyproject.toml``::

    [project.entry-points."metricmind.warehouses"]
    snowflake = "metricmind_snowflake:SnowflakeWarehouse"
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

from metricmind.errors import WarehouseError, closest
from metricmind.warehouse.base import Warehouse

ENTRY_POINT_GROUP = "metricmind.warehouses"

#: Built-in adapters: type name → ``module:attribute``, imported lazily.
BUILTINS: dict[str, str] = {
    "duckdb": "metricmind.warehouse.duckdb:DuckDBWarehouse",
    "postgres": "metricmind.warehouse.postgres:PostgresWarehouse",
    "spark": "metricmind.warehouse.spark:SparkWarehouse",
}

#: The ``pip install 'metricmind[extra]'`` that brings each built-in's driver.
EXTRAS: dict[str, str] = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}

_ALIASES = {"postgresql": "postgres", "pg": "postgres", "sparksql": "spark"}
_lock = threading.RLock()
_loaded: dict[str, Callable[..., Warehouse]] = {}


def available() -> list[str]:
    """Every adapter name that ``connect`` accepts: built-ins and installed entry points, sorted."""
    return sorted(set(BUILTINS) | {ep.name for ep in _entry_points()})


def adapter(type: str) -> Callable[..., Warehouse]:
    """The adapter class (or factory) registered as ``type``.

    Raises:
        WarehouseError: No adapter has that name ("did you mean"), or its driver is not installed.
    """
    name = _ALIASES.get(type.lower(), type.lower())
    with _lock:
        if name in _loaded:
            return _loaded[name]
        if name in BUILTINS:
            factory = _import_builtin(name)
        else:
            found = next((ep for ep in _entry_points() if ep.name.lower() == name), None)
            if found is None:
                known = available()
                near = closest(name, known)
                hint = f"Did you mean {', '.join(repr(n) for n in near)}?" if near else None
                raise WarehouseError(
                    f"unknown warehouse type '{type}'. Known types: {', '.join(known)}.",
                    hint=hint
                    or f"Install a package that registers it under the '{ENTRY_POINT_GROUP}' entry point.",
                )
            factory = _load_entry_point(found)
        _loaded[name] = factory
        return factory


def connect(type: str, **kwargs: Any) -> Warehouse:
    """Open a warehouse of adapter ``type`` with the adapter's own keyword arguments.

    Args:
        type: ``duckdb``, ``postgres``, ``spark``, or the name of an installed ``metricmind.warehouses`` entry point.
        **kwargs: Passed to the adapter, e.g. ``path=`` and ``read_only=`` for DuckDB.

    Returns:
        An open warehouse; use it as a context manager or call ``close()``.

    Raises:
        WarehouseError: Unknown type, missing driver, bad arguments, or the connection failed.
    """
    factory = adapter(type)
    try:
        return factory(**kwargs)
    except TypeError as exc:
        raise WarehouseError(
            f"bad arguments for the '{type}' warehouse: {exc}",
            hint="Check the warehouse section of metricmind.yml.",
        ) from exc


def _import_builtin(name: str) -> Callable[..., Warehouse]:
    module_name, _, attribute = BUILTINS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise WarehouseError(
                f"the '{name}' warehouse adapter is not part of this metricmind version.",
                hint=f"Available now: {', '.join(_importable())}.",
            ) from exc
        raise WarehouseError(
            f"the '{name}' warehouse needs the '{exc.name}' driver, which is not installed.",
            hint=f"pip install 'metricmind[{EXTRAS.get(name, name)}]'",
        ) from exc
    return cast("Callable[..., Warehouse]", getattr(module, attribute))


def _importable() -> list[str]:
    return [
        n for n, target in BUILTINS.items() if importlib.util.find_spec(target.partition(":")[0]) is not None
    ]


def _load_entry_point(ep: EntryPoint) -> Callable[..., Warehouse]:
    try:
        return cast("Callable[..., Warehouse]", ep.load())
    except Exception as exc:  # a broken plugin must not look like an unknown name
        raise WarehouseError(
            f"the warehouse entry point '{ep.name}' ({ep.value}) failed to load: {exc}",
            hint="Reinstall the package that provides it.",
        ) from exc


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))
