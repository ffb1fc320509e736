from __future__ import annotations

import metricmind


def test_exported_members_exist_and_are_listed() -> None:
    for name in metricmind.__all__:
        assert getattr(metricmind, name) is not None
    assert sorted(metricmind.__all__) == sorted(set(metricmind.__all__))


def test_notebook_flow(shop_dir: object) -> None:
    project = metricmind.Project.load(str(shop_dir))
    result = project.run(metricmind.MetricQuery.build("revenue", "customer__segment"))
    frame = result.df()
    assert list(frame.columns) == ["customer__segment", "revenue"] and len(frame) == 3
    table = result.arrow()
    assert table.num_rows == 3
    assert result.to_dict()["columns"] == ["customer__segment", "revenue"]
