"""The training monitor: ``metricmind learn status`` in sections, the learning curve, its SVG/PNG export.

``status(memory)`` is composed of **sections**, each a function of the memory registered under a name
(``@section("cache")``): ``memory`` (counts, average reward early vs recent, improvement %; its keys
sit at the top level of the JSON), ``arms`` (the checkpointed policy's pulls and mean rewards),
``episode_arms`` (the same from the recorded episodes: which arm served each request), ``simulator``
(regret and share of the oracle on the simulated workload). Other parts of ``learn`` add theirs (the
result cache's and rollups' hit rates) with the same decorator; the CLI and the web page print every
section there is.

``curve(memory)`` is the reward of each rewarded episode with its moving average (averaged into at
most ``points`` buckets for long histories); ``render_curve`` draws it with matplotlib (Agg) to an
``.svg`` or ``.png`` file.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from metricmind.errors import MetricmindError
from metricmind.learn import schema
from metricmind.learn.context import CHECKPOINT
from metricmind.learn.memory import Memory
from metricmind.learn.policy import Policy

Section = Callable[[Memory], Any]
SECTIONS: dict[str, Section] = {}
"""The status sections by name, in the order they print."""
FLAT = "memory"
"""The section whose keys sit at the top level of the status JSON."""
FORMATS = ("svg", "png")


def section(name: str) -> Callable[[Section], Section]:
    """Register a status section: ``@section("cache") def cache(memory): return {...}``."""

    def add(func: Section) -> Section:
        SECTIONS[name] = func
        return func

    return add


def status(memory: Memory, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every section's figures: the ``memory`` section's at the top level, the others under their names."""
    out: dict[str, Any] = {}
    for name, func in SECTIONS.items():
        if name in skip:
            continue
        value = func(memory)
        if name == FLAT and isinstance(value, dict):
            out.update(value)
        else:
            out[name] = value
    if memory.recovered:
        out["recovered"] = memory.recovered
    return out


@section(FLAT)
def memory_section(memory: Memory) -> dict[str, Any]:
    """Counts and the average reward of the first and the latest 100 rewarded episodes."""
    return memory.status()


@section("arms")
def arms_section(memory: Memory) -> list[dict[str, Any]]:
    """The checkpointed policy's arms: pulls and mean reward, most pulled first."""
    state = memory.load_checkpoint("policy")
    return Policy.from_state(state).arm_stats() if state else []


@section("hint_patterns")
def hint_patterns_section(memory: Memory) -> dict[str, Any]:
    """The query policy's per-pattern effects of the hint (:mod:`metricmind.learn.patterns`): how many
    patterns have one, the cap, the prior's standard deviation, and the largest, as text.
    """
    state = memory.load_checkpoint(CHECKPOINT) or memory.load_checkpoint("policy")
    report = Policy.from_state(state).pattern_report() if state else None
    if report is None:
        return {"patterns": 0}
    return {
        "patterns": report["patterns"],
        "cap": report["cap"],
        "prior_sd": round(report["ridge"] ** -0.5, 3),
        "largest": [
            f"{e['reward']:+.2f} ± {e['sd']:.2f} reward points over {e['runs']:g} runs: {e['effect']}"
            for e in report["largest"]
        ],
    }


@section("episode_arms")
def episode_arms_section(memory: Memory) -> list[dict[str, Any]]:
    """The arms that served the recorded, rewarded episodes: pulls and mean reward."""
    e = schema.episodes
    sums: dict[str, list[float]] = {}
    with memory.engine.connect() as conn:
        for action, reward in conn.execute(sa.select(e.c.action, e.c.reward).where(e.c.reward.is_not(None))):
            arm = str((action or {}).get("arm") or "plain") if isinstance(action, dict) else "plain"
            found = sums.setdefault(arm, [0.0, 0.0])
            found[0] += 1
            found[1] += float(reward)
    out = [{"arm": a, "pulls": int(n), "mean_reward": round(t / n, 4)} for a, (n, t) in sums.items()]
    return sorted(out, key=lambda s: (-s["pulls"], s["arm"]))


@section("simulator")
def simulator_section(memory: Memory, episodes: int = 2000, seed: int = 0) -> dict[str, Any]:
    """The policy on the simulated demo workload (``learn simulate``): regret and share of the oracle."""
    from metricmind.learn.simulate import simulate

    result = simulate(episodes, seed)
    curve = result["regret_curve"]
    return {
        "episodes": result["episodes"],
        "seed": seed,
        "share_of_oracle": result["share_of_oracle"],
        "regret": curve[-1][1] if curve else 0.0,
        "regret_at_half": next((r for e, r in curve if e >= episodes // 2), None),
        "best_fixed_arm": result["best_fixed_arm"],
        "recovery_episodes_after_drift": result["recovery_episodes_after_drift"],
    }


def rewards(memory: Memory) -> tuple[np.ndarray, np.ndarray]:
    """The ids and rewards of every rewarded episode, oldest first."""
    e = schema.episodes
    query = sa.select(e.c.id, e.c.reward).where(e.c.reward.is_not(None)).order_by(e.c.id)
    with memory.engine.connect() as conn:
        rows = conn.execute(query).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    return ids, values


def curve(memory: Memory, *, window: int = 50, points: int = 1000) -> dict[str, Any]:
    """The learning curve: ``episode`` (1-based position), ``reward`` and ``moving_average`` (of the
    last ``window`` rewards), averaged into at most ``points`` buckets; ``episodes`` is the total.
    """
    _, values = rewards(memory)
    n = len(values)
    if not n:
        return {"episodes": 0, "window": window, "episode": [], "reward": [], "moving_average": []}
    sums = np.cumsum(np.insert(values, 0, 0.0))
    lows = np.maximum(np.arange(1, n + 1) - window, 0)
    moving = (sums[1:] - sums[lows]) / (np.arange(1, n + 1) - lows)
    if n > points:
        edges = np.linspace(0, n, points + 1).astype(np.int64)
        position = edges[1:]
        reward = np.add.reduceat(values, edges[:-1]) / np.diff(edges)
        moving = moving[position - 1]
    else:
        position = np.arange(1, n + 1)
        reward = values
    return {
        "episodes": int(n),
        "window": window,
        "episode": [int(p) for p in position],
        "reward": [round(float(v), 3) for v in reward],
        "moving_average": [round(float(v), 3) for v in moving],
    }


def render_curve(data: dict[str, Any], fmt: str) -> bytes:
    """The curve drawn as an SVG or PNG image (matplotlib, no display needed).

    Raises:
        MetricmindError: ``fmt`` is neither svg nor png.
    """
    if fmt not in FORMATS:
        raise MetricmindError(
            f"Cannot draw the learning curve as {fmt!r}", hint="Use a file name ending in .svg or .png."
        )
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.6), dpi=110)
    ax = fig.add_subplot()
    if data["episode"]:
        ax.plot(data["episode"], data["reward"], color="#9bb7d4", linewidth=0.8, label="reward per episode")
        ax.plot(
            data["episode"],
            data["moving_average"],
            color="#1f4e79",
            linewidth=2,
            label=f"moving average ({data['window']})",
        )
        ax.legend(loc="lower right", frameon=False)
    else:
        ax.text(0.5, 0.5, "no rewarded episodes yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("episode")
    ax.set_ylabel("reward")
    ax.set_title(f"Learning curve ({data['episodes']} episodes)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def write_curve(memory: Memory, path: Path, *, window: int = 50) -> dict[str, Any]:
    """Draw the curve to ``path`` (its suffix says SVG or PNG); the curve's data."""
    data = curve(memory, window=window)
    path.write_bytes(render_curve(data, path.suffix.lower().lstrip(".")))
    return data
