"""``metricmind learn``: the learning loop's monitor and evaluations — simulate, replay, status, reset.

``status`` prints the sections of ``metricmind.learn.monitor`` (memory, arms, simulator, and any
other part's). The memory commands (feedback, notes, review, curve) are in ``commands_learnmem``.

The memory (and SQLAlchemy, numpy) load inside the commands. See docs/learn.md.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project, render_table

learn_app = typer.Typer(
    help="The learning loop: simulate or replay the policy, show what the memory holds, reset it.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@guarded
def learn_simulate(
    episodes: Annotated[int, typer.Option("--episodes", help="Requests to simulate (drift at half).")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed → same figures.")] = 0,
    algorithm: Annotated[
        str, typer.Option("--algorithm", help="Bandit learner: linucb or thompson.")
    ] = "linucb",
    epsilon: Annotated[float, typer.Option("--epsilon", help="Share of random (exploring) decisions.")] = 0.1,
    as_json: JsonOpt = False,
) -> None:
    """Run the decision policy on the simulated demo workload (measured arms) against oracle, fixed, random."""
    from metricmind.learn.simulate import simulate

    if episodes < 2:
        fail(f"--episodes {episodes} is too few", "Simulate at least 2 episodes (2000 is the benchmark).")
    if not 0 <= epsilon <= 1:
        fail(f"--epsilon {epsilon} is not a share", "Give a number between 0 and 1, e.g. 0.1.")
    result = simulate(episodes, seed, algorithm=algorithm, epsilon=epsilon)
    if as_json:
        typer.echo(dumps(result))
        return
    for key in (
        "episodes",
        "reward",
        "oracle_reward",
        "best_fixed_reward",
        "best_fixed_arm",
        "random_reward",
    ):
        typer.echo(f"{key:>30}: {result[key]}")
    typer.echo(f"{'share of oracle':>30}: {result['share_of_oracle']:.1%}")
    typer.echo(f"{'recovery after drift':>30}: {result['recovery_episodes_after_drift']} episodes")
    typer.echo(f"{'regret (last)':>30}: {result['regret_curve'][-1][1]}")
    _arms(result["arms"])


def arms_table(arms: list[dict[str, Any]]) -> str:
    """Arms with their pull counts and mean rewards, as a text table."""
    return render_table(
        ["arm", "pulls", "mean_reward"], [[a["arm"], a["pulls"], a["mean_reward"]] for a in arms]
    )


def _arms(arms: list[dict[str, Any]]) -> None:
    typer.echo(arms_table(arms))


@guarded
def learn_status(
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    simulate: Annotated[
        bool, typer.Option("--simulate/--no-simulate", help="Include the simulator's regret (about 1 s).")
    ] = True,
) -> None:
    """What the memory holds and how learning goes: episodes, rewards early vs recent, hit rates, arms, regret."""
    status = open_project(project).learning_status(simulate=simulate)
    if as_json:
        typer.echo(dumps(status))
        return
    typer.echo("\n".join(status_lines(status)))


#: The top-level figures of ``learn status`` in the order the text prints them, with their labels.
FIGURES = (
    ("episodes", "episodes"),
    ("skills", "skills"),
    ("reflexions", "reflexion notes"),
    ("checkpoints", "checkpoints"),
    ("reward_early", "reward (first 100)"),
    ("reward_recent", "reward (latest 100)"),
    ("improvement_pct", "improvement %"),
    ("query_episodes", "query episodes"),
    ("cache_hit_rate", "cache hit rate"),
    ("rollup_hit_rate", "rollup hit rate"),
    ("rollups", "rollups"),
    ("rollups_stale", "rollups stale"),
)
SHOWN = {k for k, _ in FIGURES} | {"served", "banned", "trending"}


def _value(value: Any) -> str:
    return "-" if value is None else str(value)


def _trend(item: dict[str, Any]) -> str:
    before = item.get("uses_before")
    return f"{item['name']} ({item.get('uses')} uses, {'none' if not before else before} the week before)"


def status_lines(status: dict[str, Any]) -> list[str]:
    """``learn status`` as text: every figure the JSON holds (the figures, how requests were served,
    banned arms, trending metrics with their counts, then each section: arms tables, the simulator).
    """
    lines = [f"{label:>22}: {_value(status[key])}" for key, label in FIGURES if key in status]
    served = status.get("served") or {}
    lines.append(f"{'served':>22}: {', '.join(f'{k} {v}' for k, v in served.items()) or '-'}")
    trending = status.get("trending") or []
    lines.append(f"{'trending':>22}: {'; '.join(_trend(t) for t in trending) or '-'}")
    for ban in status.get("banned") or []:
        lines.append(f"{'banned':>22}: {ban['arm']} ({ban['reason']})")
    sections = {}
    for key, value in status.items():
        if key in SHOWN:
            continue
        if isinstance(value, (dict, list)):
            sections[key] = value
        else:
            lines.append(f"{key:>22}: {_value(value)}")
    for name, value in sections.items():
        lines.append(f"\n{name}:")
        if not value:
            lines.append("  -")
        elif isinstance(value, list) and all(isinstance(v, dict) and "arm" in v for v in value):
            lines.append(arms_table(value))
        elif isinstance(value, list):
            lines += [f"  {v}" for v in value]
        else:
            lines += [f"{key:>30}: {_value(item)}" for key, item in value.items()]
    return lines


@guarded
def learn_replay(
    queries: Annotated[
        int, typer.Option("--queries", help="Queries to draw from the demo's workload.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed → same queries.")] = 0,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Execute a workload for real, always-plain vs the learned path: latencies, hits, differing answers."""
    from metricmind.project.replay import replay

    if queries < 1:
        fail(f"--queries {queries} is too few", "Replay at least 1 query (1000 is the benchmark).")
    result = replay(open_project(project), queries, seed)
    if as_json:
        typer.echo(dumps(result))
        return
    for key, value in result.items():
        if key not in ("differing", "banned"):
            typer.echo(f"{key:>28}: {'-' if value is None else value}")
    for item in result["differing"]:
        typer.echo(f"DIFFERING ({item['served']}): {item['query']}")


@guarded
def learn_reset(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Forget everything learned: episodes, reflexion notes, skills, policy checkpoints and rollups."""
    from metricmind.project.rollups import RollupStore

    proj = open_project(project)
    if not yes and not typer.confirm(f"Forget everything the memory of {proj.root} holds?"):
        fail("nothing was reset", "Pass --yes to reset without the question.", code=1)
    removed = proj.memory.reset()
    removed["rollups"] = RollupStore(proj.state_dir / "rollups").drop_all(proj)
    if as_json:
        typer.echo(dumps({"removed": removed}))
        return
    typer.echo("reset: " + ", ".join(f"{n} {t.removeprefix('learn_')}" for t, n in removed.items()))


def register(app: typer.Typer) -> None:
    """Add the ``learn`` command group to ``app``."""
    for name, func in (
        ("simulate", learn_simulate),
        ("replay", learn_replay),
        ("status", learn_status),
        ("reset", learn_reset),
    ):
        learn_app.command(name)(func)
    app.add_typer(learn_app, name="learn", help=learn_app.info.help)
