"""Metamorphic bench of the Define agent (issue 12): variants of the answerable dev definitions.

The answerable cases of ``bench/define.py``'s development files (never a ``blind*`` file) are rewritten by
``tests/define/perturb.py``: *invariance* variants keep the meaning (their answer must equal the original's
hand SQL, or be refused / unread), *sensitivity* variants change it knowably (their answer must differ from
the original's number, or equal the hand SQL derived for the change, or be refused / unread). A different
number for an invariance variant, or the original's number for a sensitivity variant, is **silently wrong**
(``wrong`` / ``ignored``): a failure mode found without blind data.

Prints variants, equal, differs (a sensitivity answer that moved), refused/unread and silently wrong by
family and kind; ``--misses`` lists every silently wrong variant with the proposal's reading. Deterministic
for a ``--seed``.

    PYTHONPATH=$PWD .venv/bin/python bench/define_perturb.py --demo DIR [--misses] [--seed N] [--only KIND]
        [--files definitions.yml ...] [--sample N] [--dump FILE]

``--demo`` is a demo built with ``build_demo(DIR, scale=1000, end_date="2025-06-18")`` (built in a temporary
folder without it).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from metricmind.define import Definition  # noqa: E402
from metricmind.demo.build import build_demo  # noqa: E402
from metricmind.project import Project  # noqa: E402
from tests.define import perturb  # noqa: E402

OUTCOMES = ("equal", "differs", "refused", "wrong", "ignored")
SILENT = ("wrong", "ignored")


def define_bench() -> ModuleType:
    """``bench/define.py`` as a module (it is a script, not a package)."""
    name = "metricmind_bench_define"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "define.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Result:
    """One variant's outcome and a line saying what the agent did."""

    variant: perturb.Variant
    outcome: str
    detail: str
    confidence: float | None


def _same(b: ModuleType) -> Any:
    def same(got: dict[Any, float], want: dict[Any, float]) -> bool:
        return all(b.close(got.get(m, 0.0), want[m]) for m in want)

    return same


def _moved(project: Project, v: perturb.Variant, got: dict[Any, float], b: ModuleType) -> bool:
    """The answer is not the agent's own answer to the original case (a ratio near 1 that the change moved
    by less than the bench's cent of tolerance): compared to float precision, month by month.
    """
    p = b.propose(project, v.original)
    if p.refused or p.metric is None:
        return False
    before = b.proposed_rows(project, p)
    return set(before) != set(got) or any(
        abs(got[m] - before[m]) > 1e-9 * max(1.0, abs(got[m]), abs(before[m])) for m in got
    )


def run_variant(project: Project, v: perturb.Variant, cache: dict[str, dict[Any, float]]) -> Result:
    """Analyze and execute one variant, and classify it (hand SQL rows cached by text)."""
    b = define_bench()

    def rows(sql: str) -> dict[Any, float]:
        if sql not in cache:
            cache[sql] = b.hand_rows(project, sql)
        return cache[sql]

    p = b.propose(project, v.definition)
    conf = None if p.refused or p.metric is None else p.confidence
    got = None
    detail = f"{p.refused}: {p.message[:120]}" if p.refused or p.metric is None else ""
    if not detail:
        try:
            got = b.proposed_rows(project, p)
        except Exception as exc:  # a proposal that does not run is no answer
            detail = f"failed to run: {str(exc)[:120]}"
    want = rows(v.sql) if v.sql is not None else None
    outcome = perturb.classify(
        v, got=got, want=want, baseline=rows(v.baseline), same=_same(b), flagged=bool(p.unread)
    )
    if outcome == "ignored" and got is not None and _moved(project, v, got, b):
        outcome = "differs"  # within a cent of the original's hand SQL, yet not the original's answer
    if got is not None:
        based = p.metric["config"]["meta"].get("based_on") if p.metric else None
        tp = p.metric["type_params"] if p.metric else {}
        filt = (p.metric or {}).get("filter") or ""
        first = sorted(got)[0] if got else None
        base = rows(v.baseline)
        detail = (
            (f"unread {[r.text[:80] for r in p.unread]} " if p.unread else "")
            + f"[{conf}] based on {based or tp} {filt} rules="
            f"{[(r.status, r.predicate) for r in p.rules]}; first month got {got.get(first) if first else None}"
            f" want {want.get(first) if want and first else None} original {base.get(first) if first else None}"
        )
    return Result(v, outcome, detail, conf)


def load_variants(files: list[str], seed: int, model: Any) -> list[perturb.Variant]:
    """The variants of the answerable cases of ``files`` (dev files only)."""
    b = define_bench()
    vocab = perturb.Vocabulary(model)
    out: list[perturb.Variant] = []
    for f in files:
        if f.startswith("blind"):
            raise SystemExit(f"{f}: blind files are never varied")
        out += perturb.variants(b.load_cases(f), vocab, seed=seed)
    return out


def tally(results: list[Result]) -> dict[str, dict[str, int]]:
    """Outcome counts per ``all``, family and kind."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for r in results:
        v = r.variant
        for key in ("all", v.family, f"{v.family} {v.kind.split(':')[0]}", f"{v.family} {v.kind}"):
            out[key][r.outcome] += 1
    return out


def _line(key: str, counts: dict[str, int]) -> str:
    n = sum(counts.values())
    silent = sum(counts[o] for o in SILENT)
    return (
        f"{key:34} {n:5} variants  equal {counts['equal']:4}  differs {counts['differs']:4}  "
        f"refused/unread {counts['refused']:4}  silently wrong {silent:3} "
        f"(wrong {counts['wrong']}, ignored {counts['ignored']})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", help="A demo folder built with scale=1000, end_date=2025-06-18.")
    parser.add_argument("--misses", action="store_true", help="List every silently wrong variant.")
    parser.add_argument("--seed", type=int, default=0, help="The seed of every random choice (default 0).")
    parser.add_argument("--only", metavar="KIND", help="Only variants whose kind starts with KIND.")
    parser.add_argument("--files", nargs="*", help="Dev files to vary (default: bench/define.py DEV_FILES).")
    parser.add_argument("--sample", type=int, help="A seeded sample of N variants.")
    parser.add_argument("--dump", metavar="FILE", help="Write each variant's outcome (TSV) to FILE.")
    args = parser.parse_args(argv)
    b = define_bench()
    files = list(args.files or b.DEV_FILES)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.demo) if args.demo else Path(tmp) / "demo"
        if not args.demo:
            build_demo(root, scale=1000, end_date="2025-06-18")
        with Project.load(root) as project:
            b.propose(project, Definition("warm_up", "Total MRR"))
            variants = load_variants(files, args.seed, project.model)
            if args.only:
                variants = [v for v in variants if v.kind.startswith(args.only)]
            if args.sample and args.sample < len(variants):
                variants = random.Random(args.seed).sample(variants, args.sample)
            cache: dict[str, dict[Any, float]] = {}
            results = [run_variant(project, v, cache) for v in variants]
    counts = tally(results)
    if args.dump:
        Path(args.dump).write_text(
            "".join(
                f"{r.variant.case_id}\t{r.variant.kind}\t{r.outcome}\t{r.variant.definition.text}\t"
                f"{' | '.join(r.variant.definition.rules)}\t{r.detail}\n"
                for r in results
            )
        )
    print(f"files: {', '.join(files)}; seed {args.seed}; load average {os.getloadavg()[0]:.2f}")
    for key in sorted(counts, key=lambda k: (k != "all", k.count(" "), k)):
        print(_line(key, counts[key]))
    if args.misses:
        for r in sorted(results, key=lambda r: (r.variant.kind, r.variant.case_id)):
            if r.outcome in SILENT:
                v = r.variant
                print(
                    f"\n{r.outcome.upper()} {v.family} {v.kind} {v.case_id}: {v.definition.text!r} "
                    f"rules={list(v.definition.rules)}\n  was {v.original.text!r} rules={list(v.original.rules)}"
                    f"\n  {r.detail}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
