"""A one-paragraph reading of an attribution result, computed from its numbers (nothing canned).

``narrate_attribution(result)`` compares each model's share of credit per channel with a baseline (``linear``
when it was computed, else the mean share over the models) and says, per model, which channel earns most,
which gains and which loses the most points against the baseline, and why, from what each model rewards:
first touch rewards openers, last touch closers, time decay touches right before the conversion, Markov
channels whose removal breaks paths to conversion. It ends with the channel whose credit depends most on the
model and the steadiest one. The CLI (``analyze attribution``), the MCP tools and the web page print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MIN_POINTS = 1.0
"""Gains and losses smaller than this many percentage points are not worth a sentence."""

LABELS = {
    "first_touch": "first touch",
    "last_touch": "last touch",
    "linear": "linear",
    "position_based": "position-based",
    "time_decay": "time decay",
    "shapley": "Shapley",
    "shapley_ordered": "ordered Shapley",
    "markov": "Markov",
}

# why a channel gains / loses credit under a model, compared with spreading it evenly over touches
WHY: dict[str, tuple[str, str]] = {
    "first_touch": ("it opens journeys", "it rarely opens journeys"),
    "last_touch": ("it closes journeys", "it rarely closes journeys"),
    "position_based": ("it opens or closes journeys", "its touches sit in the middle of journeys"),
    "time_decay": (
        "its touches come right before the conversion",
        "its touches come long before the conversion",
    ),
    "shapley": (
        "it counts once per journey while the channels beside it repeat",
        "its repeated touches count once per journey",
    ),
    "shapley_ordered": (
        "it counts once per journey while the channels beside it repeat",
        "its repeated touches count once per journey",
    ),
    "markov": (
        "removing it breaks more paths to conversion than its share of touches suggests",
        "removing it breaks fewer paths to conversion than its share of touches suggests",
    ),
    "linear": ("it has many touches", "it has few touches"),
}


@dataclass(frozen=True)
class Swing:
    """A channel's share under a model against the baseline (fractions of the total)."""

    model: str
    channel: str
    share: float
    baseline: float

    @property
    def points(self) -> float:
        """The difference in percentage points (positive: it gains credit)."""
        return (self.share - self.baseline) * 100


def shares(result: dict[str, Any], measure: str) -> dict[str, dict[str, float]]:
    """``{model: {channel: share of the total}}`` for ``measure`` (``revenue`` or ``conversions``)."""
    out: dict[str, dict[str, float]] = {}
    for model, credits in result["models"].items():
        values = credits[measure]
        total = sum(values.values())
        out[model] = {c: (values.get(c, 0.0) / total if total else 0.0) for c in result["channels"]}
    return out


def baseline_of(by_model: dict[str, dict[str, float]], channels: list[str]) -> tuple[str, dict[str, float]]:
    """The name and shares of the baseline: ``linear`` when present, else the mean over the models."""
    if "linear" in by_model and len(by_model) > 1:
        return "linear", by_model["linear"]
    n = len(by_model)
    return "the average of the models", {
        c: sum(s[c] for s in by_model.values()) / n if n else 0.0 for c in channels
    }


def swings(result: dict[str, Any], measure: str) -> dict[str, tuple[Swing, Swing]]:
    """Per model (the baseline excepted): its biggest gainer and its biggest loser against the baseline."""
    by_model = shares(result, measure)
    channels = list(result["channels"])
    name, base = baseline_of(by_model, channels)
    out: dict[str, tuple[Swing, Swing]] = {}
    for model, share in by_model.items():
        if model == "linear" and name == "linear":
            continue
        moves = [Swing(model, c, share[c], base[c]) for c in channels]
        gain = max(moves, key=lambda s: (s.points, _neg(s.channel)))
        loss = min(moves, key=lambda s: (s.points, s.channel))
        out[model] = (gain, loss)
    return out


def _neg(text: str) -> tuple[int, ...]:
    """A key that sorts strings backwards (ties in ``max`` go to the first name)."""
    return tuple(-ord(ch) for ch in text)


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _pts(x: float) -> str:
    value = abs(x)
    text = f"{value:.0f}" if value >= 9.5 else f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text} point" + ("" if text == "1" else "s")


def _money(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}".rstrip("0").rstrip(".")


def _label(model: str) -> str:
    return LABELS.get(model, model.replace("_", " "))


def _leader(share: dict[str, float]) -> str:
    return max(share, key=lambda c: (share[c], _neg(c)))


def narrate_attribution(result: dict[str, Any], measure: str | None = None) -> str:
    """One paragraph on how the models disagree: who leads under each, who gains or loses and why.

    Args:
        result: The attribution output (``analyze_data`` / ``analyze_warehouse``): ``channels``, ``models``
            with ``conversions`` and ``revenue`` per channel, ``total_conversions``, ``total_revenue``.
        measure: ``revenue`` or ``conversions``; default revenue, or conversions when there is no revenue.

    Returns:
        The reading, one paragraph of plain sentences.
    """
    total_revenue = float(result.get("total_revenue") or 0.0)
    conversions = result.get("total_conversions") or 0
    if measure is None:
        measure = "revenue" if total_revenue > 0 else "conversions"
    channels = list(result["channels"])
    models = list(result["models"])
    if not conversions or not models:
        return "No journey converted in the period, so no channel earns credit under any model."
    total = total_revenue if measure == "revenue" else float(conversions)
    amount = f"{_money(total)} of revenue" if measure == "revenue" else f"{conversions:g} conversions"
    head = f"{amount} from {conversions:g} conversions" if measure == "revenue" else amount
    if len(channels) == 1:
        return f"All of the {head} goes to {channels[0]} under every model: it is the only channel."
    by_model = shares(result, measure)
    base_name, base = baseline_of(by_model, channels)
    leaders = {m: _leader(by_model[m]) for m in models}
    counts: dict[str, int] = {}
    for leader in leaders.values():
        counts[leader] = counts.get(leader, 0) + 1
    top = max(counts, key=lambda c: (counts[c], base[c], _neg(c)))
    sentences = [
        f"Splitting {head} over {len(channels)} channels, {top} leads under {counts[top]} of "
        f"{len(models)} models"
        + (f" (it earns {_pct(base[top])} under linear)." if base_name == "linear" else ".")
    ]
    for model, (gain, loss) in swings(result, measure).items():
        leader = leaders[model]
        parts = [f"Under {_label(model)}, {leader} earns most ({_pct(by_model[model][leader])})"]
        against = "linear" if base_name == "linear" else "its average over the models"
        than = "under linear" if base_name == "linear" else "its average over the models"
        if gain.points >= MIN_POINTS:
            why = _why(model, gain, result, gaining=True)
            if gain.channel == leader:
                parts[0] += f", {_pts(gain.points)} more than {than}, because {why}"
            else:
                parts.append(f"{gain.channel} gains {_pts(gain.points)} over {against} because {why}")
        if -loss.points >= MIN_POINTS:
            why = _why(model, loss, result, gaining=False)
            parts.append(f"{loss.channel} loses {_pts(loss.points)} because {why}")
        if len(parts) == 1:
            parts.append(f"no channel moves by {_pts(MIN_POINTS)} or more against {against}")
        sentences.append("; ".join(parts) + ".")
    if len(models) > 1:
        spread = {
            c: max(s[c] for s in by_model.values()) - min(s[c] for s in by_model.values()) for c in channels
        }
        widest = max(channels, key=lambda c: (spread[c], _neg(c)))
        if spread[widest] * 100 >= MIN_POINTS:
            lo = min(models, key=lambda m: (by_model[m][widest], m))
            hi = max(models, key=lambda m: (by_model[m][widest], _neg(m)))
            sentences.append(
                f"Of all channels, {widest} depends most on the model, from {_pct(by_model[lo][widest])} under {_label(lo)} "
                f"to {_pct(by_model[hi][widest])} under {_label(hi)}"
                + _steadiest(channels, spread, base, widest)
                + "."
            )
    return " ".join(sentences)


def _steadiest(channels: list[str], spread: dict[str, float], base: dict[str, float], widest: str) -> str:
    """``; X is the steadiest (…)``: the channel with a real share whose credit moves least across models."""
    candidates = [c for c in channels if c != widest and base[c] >= 0.05]
    if not candidates:
        return ""
    steady = min(candidates, key=lambda c: (spread[c], c))
    if spread[widest] - spread[steady] < MIN_POINTS / 100:
        return ""
    return f", while {steady} is the steadiest (within {_pts(spread[steady] * 100)})"


def _why(model: str, swing: Swing, result: dict[str, Any], *, gaining: bool) -> str:
    reasons = WHY.get(model, ("the model favours it", "the model disfavours it"))
    why = reasons[0] if gaining else reasons[1]
    if model == "markov":
        effect = result["models"]["markov"].get("removal_effects", {}).get(swing.channel)
        if effect is not None:
            why += f" (removal effect {effect:.2f})"
    return why
