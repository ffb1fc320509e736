"""A query's deprecation warnings read the catalog's store once per write, not once per query: the read is
kept while the SQLite store file (and its write-ahead log) is unchanged, and a deprecation made by
another process is seen by the very next query.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.catalog import deprecations
from metricmind.project import Project

WARNING = "metric 'arpa' is deprecated; use 'mrr' instead (sunset 2027-01-31)."


def test_warnings_read_the_store_once_per_write(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project.load(demo) as writer:
        writer.catalog.add_user("ann", "approver")  # the store exists
    reads: list[str] = []
    real = deprecations.deprecated

    def counted(url: str, kind: str = "metric") -> dict[str, dict[str, object]]:
        reads.append(url)
        return real(url, kind)

    monkeypatch.setattr(deprecations, "deprecated", counted)
    with Project.load(demo) as reader:
        assert reader.deprecation_warnings(["arpa"]) == []
        assert reader.deprecation_warnings(["arpa", "mrr"]) == []
        assert len(reads) == 1  # the store did not change: read once
        with Project.load(demo) as other:  # another process deprecates
            other.catalog.deprecate(
                "metric", "arpa", "ann", "superseded", successor="mrr", sunset="2027-01-31"
            )
        assert reader.deprecation_warnings(["arpa"]) == [WARNING]
        assert len(reads) == 2
        assert reader.deprecation_warnings(["arpa"]) == [WARNING]
        assert len(reads) == 2
