"""Silent-wrong classes of the Define agent found on one project, checked with new phrasings on another
(issue 12): rows against hand SQL over the project's own months, or the unread item that must stand.

- a group word the text defines (the demo's "mobile = iOS or web"), on lastmile with a group of its own
  (``value_groups: {green: [e_van, e_cargo_bike]}``) in a copy;
- a word a parenthesis of values defines (lastmile's "bulky parcels (size L and XL)") on lending;
- a value the catalog counts an entity by (the demo's ``new_customers``), on a lending copy whose
  applications count borrowers by decision.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from metricmind.define import Definition, Proposal
from metricmind.define.extend import proposal_sql
from metricmind.define.unapplied import flag_unapplied_values
from metricmind.project import Project
from tests.foreign.conftest import close, fresh_copy, hand


def _months(project: Project, proposal: Proposal, start: str, end: str) -> dict[str, float]:
    sql = proposal_sql(project.model, proposal, start=start, end=end)
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _same(project: Project, proposal: Proposal, sql: str, start: str, end: str) -> None:
    assert proposal.refused is None and proposal.metric is not None, proposal.message
    assert not [r for r in proposal.rules if r.status == "unread"], proposal.rules
    got = _months(project, proposal, start, end)
    want = {str(r[0])[:7]: float(r[1] or 0) for r in hand(project, sql)}
    assert len(want) >= 6
    for month, value in want.items():
        assert close(got.get(month, 0.0), value), (month, got.get(month), value)


def _green(lastmile_dir: Path, tmp_path: Path) -> Path:
    root = fresh_copy(lastmile_dir, tmp_path / "lastmile")
    path = root / "models" / "semantic_layer" / "semantic_models.yml"
    text = path.read_text()
    line = "            values: [diesel_van, e_van, e_cargo_bike]\n"
    assert line in text
    path.write_text(text.replace(line, line + "            value_groups: {green: [e_van, e_cargo_bike]}\n"))
    return root


E_VAN_ROUTES = """
    select cast(date_trunc('month', route_dt) as date) as month, count(*) as value
    from core.routes where vehicle_type = 'e_van' group by 1 order by 1
"""


def test_a_group_the_text_defines_keeps_the_values_it_lists(lastmile_dir: Path, tmp_path: Path) -> None:
    with Project.load(_green(lastmile_dir, tmp_path)) as project:
        whole = project.analyze_definition(Definition("x", "Routes driven with green vehicles"))
        assert "'e_cargo_bike'" in str(whole.metric), whole.metric  # the catalog's group, as it is
        for text, rules in (
            ("Routes driven with green vehicles", ("green = e-vans",)),
            ("Routes driven with green vehicles", ("green: e-vans",)),
            ("Routes driven with green vehicles (e-vans only)", ()),
        ):
            p = project.analyze_definition(Definition("green_routes", text, rules))
            assert "e_cargo_bike" not in str(p.metric), (text, rules, p.metric)
            _same(project, p, E_VAN_ROUTES, "2024-10-01", "2025-09-30")


def test_a_group_defined_with_a_value_not_read_is_left_as_the_catalog_says(
    lastmile_dir: Path, tmp_path: Path
) -> None:
    with Project.load(_green(lastmile_dir, tmp_path)) as project:
        # "cargo bikes" is no value as written (e_cargo_bike): the list is not taken for the whole meaning
        p = project.analyze_definition(
            Definition("x", "Routes driven with green vehicles (e-vans and cargo bikes)")
        )
        assert "'e_cargo_bike'" in str(p.metric), p.metric


def test_a_word_a_parenthesis_of_values_defines_is_read_on_lending(lending: Project) -> None:
    p = lending.analyze_definition(
        Definition("risky_funded", "Funded amount of risky loans (risk grade D and E)")
    )
    _same(
        lending,
        p,
        """
        select cast(date_trunc('month', funded_date) as date) as month, sum(principal_amount) as value
        from prod.fct_loans where "riskGrade" in ('D', 'E') group by 1 order by 1
        """,
        "2024-01-01",
        "2024-06-30",
    )


def test_a_value_a_lending_measure_counts_borrowers_by_is_unread_elsewhere(
    lending_dir: Path, tmp_path: Path
) -> None:
    root = fresh_copy(lending_dir, tmp_path / "lending")
    path = root / "models" / "semantic" / "applications.yml"
    text = path.read_text()
    head = "    measures:\n      - name: application_count\n"
    assert head in text
    path.write_text(
        text.replace(
            head,
            "    measures:\n      - name: declined_applicants\n        agg: count_distinct\n"
            "        expr: case when decision = 'declined' then borrower_id end\n"
            "      - name: application_count\n",
        )
    )
    with Project.load(root) as project:
        p = project.analyze_definition(Definition("x", "Withdrawn borrowers funded each month"))
        assert p.refused or any("declined_applicants" in r.reason for r in p.rules if r.status == "unread"), (
            p.rules
        )
        # the value qualifies no count ("funded borrowers whose application …"): read as a filter
        q = project.analyze_definition(Definition("x", "Funded borrowers whose application was withdrawn"))
        assert not any("declined_applicants" in r.reason for r in q.rules), q.rules


def test_a_unit_written_out_reads_as_the_catalog_s_abbreviation(lastmile: Project, lending: Project) -> None:
    # lastmile's catalog writes `km` (`km_driven`); people write kilometres, kilometers
    for text in ("Total kilometers driven with e-vans", "Kilometres driven by the e-vans"):
        p = lastmile.analyze_definition(Definition("e_van_km", text))
        _same(
            lastmile,
            p,
            """
            select cast(date_trunc('month', route_dt) as date) as month, sum(km_driven) as value
            from core.routes where vehicle_type = 'e_van' group by 1 order by 1
            """,
            "2024-10-01",
            "2025-09-30",
        )
    # a catalog without distances reads no unit into it: the word stays unknown and is refused
    p = lending.analyze_definition(Definition("x", "Kilometres driven by borrowers"))
    assert p.refused is not None, p.metric


def test_a_value_the_definition_names_and_no_filter_keeps_is_unread(
    harbor: Project, lastmile: Project
) -> None:
    # a composed ratio that keeps no channel would be the no-show rate of every reservation: the channel is
    # kept on both sides, or the proposal says that nothing keeps it
    p = harbor.analyze_definition(
        Definition(
            "x",
            "No-show rate of Booking.com reservations",
            ("no-shows divided by all Booking.com reservations",),
        )
    )
    flagged = any(
        "booking_com" in r.reason and "no filter" in r.reason for r in p.rules if r.status == "unread"
    )
    tp = (p.metric or {}).get("type_params") or {}
    kept = all("booking_com" in str(tp.get(side)) for side in ("numerator", "denominator"))
    assert p.refused or flagged or kept, (p.metric, p.new_metrics, p.rules)
    # a value kept by a filter, or by the metric's own filter, is no doubt
    q = lastmile.analyze_definition(Definition("x", "Same-day shipping revenue on parcels going to Belgium"))
    assert not any("no filter" in r.reason for r in q.rules), q.rules


def test_a_ratio_that_keeps_no_channel_gets_the_unread_item(harbor: Project) -> None:
    # the proposal as the agent made it before ratio parts read every word: no channel on either side
    p = harbor.analyze_definition(
        Definition(
            "x",
            "No-show rate of Booking.com reservations",
            ("no-shows divided by all Booking.com reservations",),
        )
    )
    assert p.metric is not None and not p.refused, p.message
    bare = copy.deepcopy(p)
    bare.rules = [r for r in bare.rules if "booking_com" not in str(r.predicate)]
    bare.metric = json.loads(json.dumps(p.metric).replace("booking_com", "expedia"))
    bare.new_metrics = []
    flag_unapplied_values(bare, harbor.model)
    assert any("booking_com" in r.reason for r in bare.rules if r.status == "unread"), bare.rules
    flag_unapplied_values(p, harbor.model)  # as made: the channel is kept, no item
    assert not any("no filter" in r.reason for r in p.rules), p.rules
