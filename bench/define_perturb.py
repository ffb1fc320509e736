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

``--foreign DIR`` varies the other companies' dev cases instead (``tests/foreign/cases/dev*.yml``, never a
``blind*`` file), each on its own project built under ``DIR`` as ``bench/define_foreign.py --root`` builds them,
read by the project's own agent (``Project.analyze_definition``). The one-rule families of
``tests/define/perturb_rules.py`` run there too: a ``drop:`` variant whose answer did not move is **weak**
(the metric changed without the rule yet its numbers did not: what the rule removes is absent from the data,
so the case cannot tell a reading that ignores it) or **unmoved** (the same metric without the rule: the rest
of the definition says it, or it restricts nothing; or the original was not answered), never silently wrong
by itself; ``--misses`` lists both for review.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import define_foreign as foreign  # noqa: E402
from metricmind.define import Definition  # noqa: E402
from metricmind.demo.build import build_demo  # noqa: E402
from metricmind.project import Project  # noqa: E402
from tests.define import perturb  # noqa: E402

OUTCOMES = ("equal", "differs", "refused", "wrong", "ignored", "weak", "unmoved")
#: Outcomes of a ``drop:`` variant that did not move (listed for review, not silently wrong).
REVIEW = ("weak", "unmoved")
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


Proposer = Callable[[Project, Definition], Any]


def _moved(
    project: Project, v: perturb.Variant, got: dict[Any, float], b: ModuleType, propose: Proposer
) -> bool:
    """The answer is not the agent's own answer to the original case (a ratio near 1 that the change moved
    by less than the bench's cent of tolerance): compared to float precision, month by month.
    """
    p = propose(project, v.original)
    if p.refused or p.metric is None:
        return False
    before = b.proposed_rows(project, p, got)
    return set(before) != set(got) or any(
        abs(got[m] - before[m]) > 1e-9 * max(1.0, abs(got[m]), abs(before[m])) for m in got
    )


def _conjuncts(where: str | None) -> list[str]:
    """A filter's top-level ``and`` terms, bare and sorted (the order rules are said in changes nothing)."""
    out, depth, start = [], 0, 0
    text = _bare(where or "")
    for i, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if depth == 0 and text.startswith(" and ", i):
            out.append(text[start:i])
            start = i + 5
    out.append(text[start:])
    return sorted(_bare(t) for t in out if t.strip())


def _bare(term: str) -> str:
    """``term`` without the parentheses wrapped around it whole (``((a or b))`` is ``a or b``)."""
    term = term.strip()
    while term.startswith("(") and term.endswith(")"):
        depth = 0
        for i, c in enumerate(term):
            depth += (c == "(") - (c == ")")
            if depth == 0 and i < len(term) - 1:
                return term  # "(a) and (b)": the first parenthesis closes before the end
        term = term[1:-1].strip()
    return term


def _reading(p: Any) -> str:
    """What a proposal computes (its metric's filter terms and type parameters, its new measures), as text."""
    metric = p.metric or {}
    measures = [(m.semantic_model, m.measure) for m in p.new_measures]
    said = [_conjuncts(metric.get("filter")), metric.get("type_params"), measures]
    return json.dumps(said, sort_keys=True, default=str)


def _unmoved(project: Project, v: perturb.Variant, p: Any, propose: Proposer) -> str:
    """Why a ``drop:`` variant's answer did not move: ``unmoved`` when the agent computes the same metric
    without the rule (the rest of the definition says it, or it restricted nothing), ``weak`` when the
    metric changed and its numbers did not: what the rule removes is absent from this data, so the case
    cannot tell a reading that ignores the rule (an equal by chance in waiting). An original the agent did
    not answer compares with nothing: ``unmoved``."""
    before = propose(project, v.original)
    if before.refused or before.metric is None:
        return "unmoved"
    return "unmoved" if _reading(p) == _reading(before) else "weak"


def run_variant(
    project: Project, v: perturb.Variant, cache: dict[str, dict[Any, float]], propose: Proposer | None = None
) -> Result:
    """Analyze and execute one variant with ``propose`` (the demo bench's by default), and classify it
    (hand SQL rows cached by text)."""
    b = define_bench()
    propose = propose or b.propose

    def rows(sql: str) -> dict[Any, float]:
        if sql not in cache:
            cache[sql] = b.hand_rows(project, sql)
        return cache[sql]

    p = propose(project, v.definition)
    conf = None if p.refused or p.metric is None else p.confidence
    got = None
    detail = f"{p.refused}: {p.message[:120]}" if p.refused or p.metric is None else ""
    want = rows(v.sql) if v.sql is not None else None
    if not detail:
        try:  # the months of the hand SQL (a project whose data runs past 2024 is read to its end)
            got = b.proposed_rows(project, p, want or rows(v.baseline))
        except Exception as exc:  # a proposal that does not run is no answer
            detail = f"failed to run: {str(exc)[:120]}"
    outcome = perturb.classify(
        v, got=got, want=want, baseline=rows(v.baseline), same=_same(b), flagged=bool(p.unread)
    )
    if outcome == "ignored" and got is not None and _moved(project, v, got, b, propose):
        outcome = "differs"  # within a cent of the original's hand SQL, yet not the original's answer
    if outcome == "ignored" and v.dropped:
        outcome = _unmoved(project, v, p, propose)
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
    review = (
        f"  weak {counts['weak']}  unmoved {counts['unmoved']}" if counts["weak"] + counts["unmoved"] else ""
    )
    return (
        f"{key:34} {n:5} variants  equal {counts['equal']:4}  differs {counts['differs']:4}  "
        f"refused/unread {counts['refused']:4}  silently wrong {silent:3} "
        f"(wrong {counts['wrong']}, ignored {counts['ignored']}){review}"
    )


def _pick(
    variants: list[perturb.Variant], only: str | None, sample: int | None, seed: int
) -> list[perturb.Variant]:
    if only:
        variants = [v for v in variants if v.kind.startswith(only)]
    if sample and sample < len(variants):
        variants = random.Random(seed).sample(variants, sample)
    return variants


def run_demo(args: argparse.Namespace) -> tuple[list[str], list[Result]]:
    """The demo's dev files varied (``--demo``)."""
    b = define_bench()
    files = list(args.files or b.DEV_FILES)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.demo) if args.demo else Path(tmp) / "demo"
        if not args.demo:
            build_demo(root, scale=1000, end_date="2025-06-18")
        with Project.load(root) as project:
            b.propose(project, Definition("warm_up", "Total MRR"))
            variants = _pick(
                load_variants(files, args.seed, project.model), args.only, args.sample, args.seed
            )
            cache: dict[str, dict[Any, float]] = {}
            return files, [run_variant(project, v, cache) for v in variants]


def run_foreign(args: argparse.Namespace) -> tuple[list[str], list[Result]]:
    """The other companies' dev files varied, each case on its own project (``--foreign``)."""
    files = [f for f in (args.files or foreign.DEV_FILES) if not f.startswith("blind")]
    cases = [c for f in files for c in foreign.load_cases(f)]
    results: list[Result] = []
    for name in sorted({str(c["project"]) for c in cases}):
        with Project.load(foreign.project_dir(Path(args.foreign), name)) as project:
            vocab = perturb.Vocabulary(project.model)
            mine = [c for c in cases if c["project"] == name]
            variants = _pick(perturb.variants(mine, vocab, seed=args.seed), args.only, args.sample, args.seed)
            cache: dict[str, dict[Any, float]] = {}
            results += [run_variant(project, v, cache, foreign.agent) for v in variants]
    return files, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", help="A demo folder built with scale=1000, end_date=2025-06-18.")
    parser.add_argument(
        "--foreign", metavar="DIR", help="Vary the foreign projects' dev cases (built in DIR)."
    )
    parser.add_argument("--misses", action="store_true", help="List every silently wrong variant.")
    parser.add_argument("--seed", type=int, default=0, help="The seed of every random choice (default 0).")
    parser.add_argument("--only", metavar="KIND", help="Only variants whose kind starts with KIND.")
    parser.add_argument("--files", nargs="*", help="Dev files to vary (default: the bench's DEV_FILES).")
    parser.add_argument("--sample", type=int, help="A seeded sample of N variants.")
    parser.add_argument("--dump", metavar="FILE", help="Write each variant's outcome (TSV) to FILE.")
    args = parser.parse_args(argv)
    if any(f.startswith("blind") for f in args.files or ()):
        raise SystemExit("blind files are never varied")
    files, results = run_foreign(args) if args.foreign else run_demo(args)
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
        for r in sorted(results, key=lambda r: (r.outcome not in SILENT, r.variant.kind, r.variant.case_id)):
            if r.outcome in SILENT or r.outcome in REVIEW:
                v = r.variant
                gone = f" dropped {v.dropped!r}" if v.dropped else ""
                print(
                    f"\n{r.outcome.upper()} {v.family} {v.kind} {v.case_id}:{gone} {v.definition.text!r} "
                    f"rules={list(v.definition.rules)}\n  was {v.original.text!r} rules={list(v.original.rules)}"
                    f"\n  {r.detail}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
