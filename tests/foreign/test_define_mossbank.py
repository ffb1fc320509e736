"""Define on first contact with mossbank (issue 12): readings the catalog gives, each answer run on DuckDB
against hand SQL, on mossbank and on another project.

- a rule that keeps values and then says what that leaves out after a comma or in a parenthesis
  ("follow-ups only, not first appointments") keeps them; a second clause that says another condition is
  unread, never a filter that drops the values kept (``define/onlynot.py``);
- a one-word value said clipped ("physio clinics": `physiotherapy`) is read whole; a clipped word that starts
  values of two entities and that nothing beside it tells apart ("Physio appointments": the clinic's
  physiotherapy or the clinician's physiotherapist) is unread (``define/clipped.py``);
- one yes/no flag name on the source's own rows and on a joined entity ("urgent only" of appointments and
  their referrals): the source's own, unless the text names the other entity beside the word
  (``define/ownflag.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind.define import Definition, Proposal
from metricmind.project import Project
from tests.foreign.monthly import hand as _hand
from tests.foreign.monthly import monthly as _monthly
from tests.foreign.monthly import same as _same

MOSS = ("2024-01-01", "2025-12-31")
LASTMILE = ("2024-10-01", "2025-09-30")


def _reading(p: Proposal, text: str) -> tuple[str, str]:
    found = [r for r in p.rules if r.text == text]
    assert found, (text, p.rules)
    return found[0].status, found[0].predicate or ""


def _equal(project: Project, definition: Definition, hand: str, window: tuple[str, str]) -> Proposal:
    p = project.analyze_definition(definition)
    assert not p.unread, p.unread
    want = _hand(project, hand, *window)
    assert want and _same(_monthly(project, p, *window), want), (definition, p.metric)
    return p


@pytest.fixture(scope="module")
def lastmile_two_flags(lastmile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """Lastmile whose couriers carry an ``is_zero_emission`` flag too (the routes' own name): one flag name on
    the routes and on the courier each route joins."""
    target = tmp_path_factory.mktemp("lastmile_two_flags") / "lastmile"
    shutil.copytree(lastmile_dir, target, ignore=shutil.ignore_patterns(".metricmind"))
    spec = target / "models" / "semantic_layer" / "semantic_models.yml"
    text = spec.read_text()
    anchor = "      - name: is_active\n        description: Still working for us (no offboarding date).\n"
    assert anchor in text
    spec.write_text(
        text.replace(
            anchor,
            anchor + "        type: categorical\n"
            "      - name: is_zero_emission\n"
            "        description: Rides an electric vehicle by default.\n"
            "        expr: contract_type = 'flex_pool'\n",
            1,
        )
    )
    with Project.load(target) as project:
        yield project


def test_a_rule_that_keeps_values_then_says_what_that_leaves_out_keeps_them(
    mossbank: Project, lastmile: Project
) -> None:
    cases = (
        (
            mossbank,
            Definition("new_attended", "Attended appointments", ("new appointments only, not follow-ups",)),
            "select date_trunc('month', appt_dt), count(*) from reporting.f_appointment "
            "where appt_status = 'attended' and appt_type = 'new' group by 1",
            MOSS,
        ),
        (
            mossbank,
            Definition(
                "self_pay_fees", "Revenue", ("self-pay patients only (not insured, not on the scheme)",)
            ),
            "select date_trunc('month', t.service_dt), sum(t.net_fee_gbp) from reporting.f_treatment_line t "
            "join reporting.d_patient p using (patient_key) where p.payer_type = 'self_pay' group by 1",
            MOSS,
        ),
        (
            lastmile,
            Definition(
                "subcontracted_km", "Km driven", ("subcontractor couriers only, not employed or flex pool",)
            ),
            "select date_trunc('month', r.route_dt), sum(r.km_driven) from core.routes r "
            "join core.couriers c using (courier_id) where c.contract_type = 'subcontractor' group by 1",
            LASTMILE,
        ),
    )
    for project, definition, hand, window in cases:
        p = _equal(project, definition, hand, window)
        status, predicate = _reading(p, definition.rules[0])
        assert status == "filter" and "!=" not in predicate and " not in " not in predicate, predicate


def test_a_second_clause_saying_another_condition_is_unread(mossbank: Project, lastmile: Project) -> None:
    cases = (
        (mossbank, Definition("fu", "Attended appointments", ("follow-ups only, not telehealth",))),
        (lastmile, Definition("sub_km", "Km driven", ("subcontractor couriers only, not e-cargo bikes",))),
    )
    for project, definition in cases:
        p = project.analyze_definition(definition)
        status, _ = _reading(p, definition.rules[0])
        assert status == "unread", p.rules


def test_a_clipped_value_is_read_whole(mossbank: Project, lastmile: Project) -> None:
    cases = (
        (
            mossbank,
            Definition("physio_booked", "Appointments booked", ("only at physio clinics",)),
            "select date_trunc('month', a.appt_dt), count(*) from reporting.f_appointment a "
            "join reporting.d_clinic c using (clinic_key) where c.service_line = 'physiotherapy' group by 1",
            MOSS,
        ),
        (
            mossbank,
            Definition("physio_revenue", "Revenue at our physio clinics"),
            "select date_trunc('month', t.service_dt), sum(t.net_fee_gbp) from reporting.f_treatment_line t "
            "join reporting.d_clinic c using (clinic_key) where c.service_line = 'physiotherapy' group by 1",
            MOSS,
        ),
        (
            lastmile,
            Definition("subcon_km", "Km driven by our subcon couriers"),
            "select date_trunc('month', r.route_dt), sum(r.km_driven) from core.routes r "
            "join core.couriers c using (courier_id) where c.contract_type = 'subcontractor' group by 1",
            LASTMILE,
        ),
    )
    for project, definition, hand, window in cases:
        p = _equal(project, definition, hand, window)
        assert p.confidence < 0.8 and any(
            "as 'physiotherapy'" in d or "as 'subcontractor'" in d for d in p.doubts
        )


def test_a_clipped_word_of_two_entities_values_is_unread(mossbank: Project) -> None:
    p = mossbank.analyze_definition(Definition("physio_booked", "Physio appointments booked"))
    assert p.refused or any("physiotherapist or physiotherapy" in r.reason for r in p.unread), p.rules


def test_one_flag_name_on_two_entities_is_the_sources_own_unless_the_other_is_named(
    mossbank: Project, lastmile_two_flags: Project
) -> None:
    project = lastmile_two_flags
    cases = (
        (
            mossbank,
            Definition("urgent_wait", "Average wait in days", ("urgent only",)),
            "appointment__is_urgent",
            "select date_trunc('month', appt_dt), avg(wait_days) from reporting.f_appointment "
            "where is_urgent group by 1",
            MOSS,
        ),
        (
            mossbank,
            Definition("urgent_referral_wait", "Average wait in days", ("urgent referrals only",)),
            "referral__is_urgent",
            "select date_trunc('month', a.appt_dt), avg(a.wait_days) from reporting.f_appointment a "
            "join reporting.f_referral r using (referral_key) where r.is_urgent group by 1",
            MOSS,
        ),
        (
            project,
            Definition("green_km", "Km driven", ("zero emission only",)),
            "route__is_zero_emission",
            "select date_trunc('month', route_dt), sum(km_driven) from core.routes where is_zero_emission group by 1",
            LASTMILE,
        ),
        (
            project,
            Definition("green_courier_km", "Km driven", ("zero-emission couriers only",)),
            "courier__is_zero_emission",
            "select date_trunc('month', r.route_dt), sum(r.km_driven) from core.routes r "
            "join core.couriers c using (courier_id) where c.contract_type = 'flex_pool' group by 1",
            LASTMILE,
        ),
    )
    for proj, definition, dim, hand, window in cases:
        p = _equal(proj, definition, hand, window)
        status, predicate = _reading(p, definition.rules[0])
        assert status == "filter" and f"Dimension('{dim}')" in predicate, predicate


def test_an_entity_said_as_a_noun_is_no_value_of_its_word(mossbank: Project) -> None:
    """ "From referral to first appointment … urgent imaging referrals": the referral rows, never the
    registration channel called referral (read so after two merges: a silent wrong at 0.7)."""
    rules = (
        "first (new) appointments only",
        "urgent only",
        "imaging centres only",
        "month of the appointment",
    )
    text = "Average wait in days from referral to first appointment for urgent imaging referrals"
    for said in (text, text.lower(), text.upper()):
        p = mossbank.analyze_definition(Definition("urgent_imaging_wait_days", said, rules))
        assert "registration_channel" not in str(p.metric), p.metric
        assert not p.unread and "clinic__service_line') }} = 'imaging'" in str(p.metric), p.rules
