"""Warehouses: run SQL, list tables, read query logs. The only package that imports database drivers.

Adapters load lazily through ``connect`` so that ``import metricmind.warehouse`` needs no driver.
"""

from __future__ import annotations

from metricmind.warehouse.base import Column, QueryLogRecord, Result, Table, Warehouse
from metricmind.warehouse.registry import available, connect

__all__ = ["Column", "QueryLogRecord", "Result", "Table", "Warehouse", "available", "connect"]
