"""Does `ask`'s confidence mean something? A reliability table over every development split (issue 14).

Resolves every tuning split the team may read: the demo's ``tests/resolve/blind/dev*.yml`` and its original 167
(``tests/resolve/devset.yml``), and every foreign project's ``tests/foreign/questions/dev*.yml`` (bazaar,
helpdesk, lending, lastmile, harbor, pixelforge, built once into ``--work``). For each split it prints, per
confidence bucket ([0.9, 1], [0.8, 0.9), [0.6, 0.8), [0.5, 0.6), < 0.5), how many answers and the share right,
and lists the wrong answers at confidence >= 0.8 with their reading (development splits only).

Every table is printed twice: raw (the confidence the reading passes give, ``Resolver(calibrate=False)``) and
calibrated (capped by ``metricmind/resolve/calibration.py``), with the right answers the caps moved below 0.8.
``--features`` prints, per calibration feature, how many raw-confident answers carry it and how many are right.
``--fit FILE`` reads first-contact readings (``bench/resolve_first_contact.py``: each split read by the code of
the day it landed, so unseen) and scores them with today's gold; the caps are fitted on those and today's
readings of half the development files and checked on the other half (both ways), then fitted on all of them:
the caps written into ``calibration.CAPS`` (the original 167 are in the tables, not in the fit: they were
written together with the resolver, not blind).
``--blind`` also scores the blind splits, counts only (their questions and readings are never printed).

``--today FILE`` (with ``--fit``) scores the same splits read by today's code (``bench/resolve_first_contact.py
--today``) and lists the wrong answers still confident there: the ones today's tuning did not fix.

    .venv/bin/python bench/resolve_calibration.py [--features] [--fit FILE [--today FILE]] [--blind] [--work DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from resolve_foreign import AS_OF, BUILDERS, HERE, built, yes_no_as_written

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.calibration import (
    CAPS,
    STRUCTURAL,
    Caps,
    answer_features,
    calibrated,
    features,
    fit,
)
from metricmind.resolve.misreads import NO_CATALOG, Catalog
from metricmind.resolve.resolution import Resolution
from tests.resolve import blindset, devset

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"
BUCKETS = ((0.9, 1.01, "[0.9,1]"), (0.8, 0.9, "[0.8,0.9)"), (0.6, 0.8, "[0.6,0.8)"), (0.5, 0.6, "[0.5,0.6)"))


@dataclass(frozen=True)
class Record:
    """One question read: where it came from, the raw reading's confidence and features, whether it is right."""

    split: str
    project: str
    qid: str
    question: str
    answerable: bool
    raw: float
    feats: frozenset[str]
    ok: bool
    reading: str
    scored_only: bool

    def confidence(self, caps: Caps) -> float:
        """The confidence once ``caps`` are applied (a refusal keeps its own)."""
        return calibrated(self.raw, self.feats, caps) if self.answerable else self.raw


def _reading(res: Resolution) -> str:
    if not res.answerable:
        return f"refused: {res.reason}"
    parts = [f"metrics={res.metrics}"]
    if res.group_by:
        parts.append(f"by={res.group_names()}")
    if res.filters:
        parts.append(f"where={[f.where() for f in res.filters]}")
    if res.time_range:
        parts.append(f"time={res.time_range[0]}..{res.time_range[1]}")
    if res.order_by or res.limit:
        parts.append(f"order={res.order_by} limit={res.limit}")
    if res.comparison:
        parts.append(f"vs={res.comparison}")
    how = sorted({f"{k}:{s.how or '-'}" for k, v in res.spans.items() for s in v})
    return "; ".join(parts) + f" | spans {how} | notes {res.notes}"


def _record(
    split: str,
    project: str,
    item: dict[str, Any],
    res: Resolution,
    ok: bool,
    blind: bool,
    catalog: Catalog = NO_CATALOG,
) -> Record:
    return Record(
        split,
        project,
        str(item.get("id") or ""),
        str(item["q"]),
        res.answerable,
        round(res.confidence, 2),
        features(res, catalog),
        ok,
        _reading(res),
        blind,
    )


def demo_records(blind: bool) -> Iterator[Record]:
    """The demo's splits and its 167, read raw (without calibration)."""
    resolver = Resolver(Project.load(DEMO, strict=False).model, calibrate=False)
    splits = blindset.present(blindset.TUNING) + (blindset.present(blindset.SCORED_ONLY) if blind else [])
    for path in splits:
        scored_only = path in blindset.SCORED_ONLY
        for item in blindset.load(path):
            res, ok, *_ = blindset.judge(resolver, item)
            yield _record(path.stem, "demo", item, res, ok, scored_only, resolver.catalog_words)
    as_of, items = devset.load()
    for item in items:
        day = dt.date.fromisoformat(str(item["as_of"])) if item.get("as_of") else as_of
        res = resolver.resolve(item["q"], as_of=day)
        got, want = devset.actual(res.to_dict()), devset.expected(item)
        ok = got == want if want["answerable"] else not got["answerable"]
        yield _record("original167", "demo", item, res, ok, False, resolver.catalog_words)


def foreign_records(work: Path, blind: bool) -> Iterator[Record]:
    """Every foreign project's dev files (and blind files with ``blind``), read raw."""
    paths = sorted(p for p in HERE.glob("*.yml") if p.stem.startswith("dev"))
    if blind:
        paths += sorted(p for p in HERE.glob("*.yml") if p.stem.startswith("blind"))
    by_project: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path in paths:
        for item in blindset.load(path):
            by_project.setdefault(str(item.get("project")), []).append((path, yes_no_as_written(item)))
    for name, items in sorted(by_project.items()):
        if name not in BUILDERS:
            continue
        with Project.load(built(work, name)) as project:
            resolver = project.resolver()
            resolver.calibrate = False
            for path, item in items:
                res, ok, *_ = blindset.judge(resolver, item, AS_OF)
                blind_file = path.stem.startswith("blind")
                yield _record(f"{path.stem}/{name}", name, item, res, ok, blind_file, resolver.catalog_words)


def table(records: list[Record], caps: Caps, title: str) -> str:
    """The reliability table of ``records`` under ``caps``: count and share right per confidence bucket."""
    cells = []
    for lo, hi, label in BUCKETS:
        got = [r.ok for r in records if r.answerable and lo <= r.confidence(caps) < hi]
        cells.append(f"{label} {sum(got)}/{len(got)}" + (f" {sum(got) / len(got):.0%}" if got else ""))
    low = [r for r in records if r.confidence(caps) < 0.5]
    refusals = [r for r in records if not r.answerable]
    cells.append(f"<0.5 {sum(r.ok for r in low)}/{len(low)}")
    high = [r.ok for r in records if r.answerable and r.confidence(caps) >= 0.8]
    share = f"{sum(high) / len(high):.1%}" if high else "-"
    cells.append(f"| >=0.8 {sum(high)}/{len(high)} {share}")
    cells.append(f"refusals<0.5 {sum(r.raw < 0.5 for r in refusals)}/{len(refusals)}")
    return f"{title:28} " + "  ".join(cells)


def report(records: list[Record], caps: Caps, *, wrong: bool) -> None:
    """Per split, per group (demo, foreign, dev, blind) and overall; the wrong confident answers."""
    splits = sorted({r.split for r in records}, key=lambda s: (s.startswith("blind"), s))
    for split in splits:
        print(table([r for r in records if r.split == split], caps, split))
    for name, group in (
        ("ALL dev", [r for r in records if not r.scored_only]),
        ("ALL blind", [r for r in records if r.scored_only]),
    ):
        if group:
            print(table(group, caps, name))
    right_below = sum(r.ok and r.answerable and r.raw >= 0.8 > r.confidence(caps) for r in records)
    print(f"right answers moved below 0.8 by the caps: {right_below}")
    if wrong:
        print("\nwrong answers at confidence >= 0.8 (development splits only):")
        for r in records:
            if not r.scored_only and r.answerable and not r.ok and r.confidence(caps) >= 0.8:
                print(f"  {r.split} {r.qid} {r.question!r} conf {r.confidence(caps):.2f} {sorted(r.feats)}")
                print(f"      {r.reading}")


def feature_table(
    records: list[Record], title: str = "feature (raw confidence >= 0.8, dev): right/total"
) -> None:
    """Per feature: raw-confident answers carrying it and their right share."""
    counts: dict[str, list[int]] = {}
    for r in records:
        if r.answerable and r.raw >= 0.8 and not r.scored_only:
            for f in r.feats:
                c = counts.setdefault(f, [0, 0])
                c[0] += r.ok
                c[1] += 1
    print(title)
    for f, (ok, n) in sorted(counts.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"  {f:28} {ok}/{n} {ok / n:.0%}")


def catalogs(work: Path) -> dict[str, Catalog]:
    """Each project's catalog words (today's catalog: the first-contact answers carry none)."""
    out = {"demo": Resolver(Project.load(DEMO, strict=False).model).catalog_words}
    for name in BUILDERS:
        with Project.load(built(work, name)) as project:
            out[name] = project.resolver().catalog_words
    return out


def first_contact(path: Path, words: dict[str, Catalog] | None = None) -> list[Record]:
    """The readings of ``bench/resolve_first_contact.py`` scored with today's gold (``words``: each project's
    catalog words, ``catalogs``)."""
    demo = Resolver(Project.load(DEMO, strict=False).model, calibrate=False)
    root = Path(__file__).resolve().parents[1]
    out: list[Record] = []
    for split, answers in sorted(json.loads(path.read_text()).items()):
        for item in blindset.load(root / split):
            item = yes_no_as_written(item)
            answer = answers.get(f"{item.get('project', 'demo')}|{item.get('id')}|{item['q']}")
            if answer is None or "error" in answer:
                continue
            want = blindset.expected(item)
            if not item.get("project"):
                want = blindset._at_grain(want, demo)
            got = blindset.actual(answer)
            ok = all(
                blindset._same(c, want.get(c), got.get(c))
                if want["answerable"] or c == "answerable"
                else not got["answerable"]
                for c in blindset.COMPONENTS
            )
            name = Path(split).stem + (f"/{item['project']}" if item.get("project") else "")
            project = str(item.get("project") or "demo")
            feats = answer_features(str(item["q"]), answer, (words or {}).get(project, NO_CATALOG))
            raw = round(float(answer["confidence"]), 2)
            want_shown = {k: v for k, v in want.items() if v not in (None, [], False)}
            out.append(
                Record(
                    name,
                    str(item.get("project") or "demo"),
                    str(item.get("id")),
                    str(item["q"]),
                    bool(answer["answerable"]),
                    raw,
                    feats,
                    ok,
                    f"{answer_reading(answer)} | want {want_shown}",
                    False,
                )
            )
    return out


def answer_reading(answer: dict[str, Any]) -> str:
    """An ``ask --json`` answer in a line (as ``_reading`` prints a live one)."""
    if not answer.get("answerable"):
        return f"refused: {answer.get('reason')}"
    parts = [f"metrics={answer.get('metrics')}"]
    for key in ("group_by", "filters", "time_range", "comparison", "order_by", "limit"):
        if answer.get(key):
            parts.append(f"{key}={answer[key]}")
    spans = answer.get("spans") or {}
    how = sorted(
        {f"{k}:{s.get('text')}->{s.get('target')}:{s.get('how') or '-'}" for k, v in spans.items() for s in v}
    )
    return "; ".join(parts) + f" | spans {how} | notes {answer.get('notes')}"


def confident_wrongs(records: list[Record], caps: Caps, title: str) -> None:
    """The wrong answers still at confidence >= 0.8 under ``caps``, with their features and reading."""
    wrong = [r for r in records if r.answerable and not r.ok and r.confidence(caps) >= 0.8]
    print(f"\n== {title}: {len(wrong)} wrong answers at confidence >= 0.8")
    for r in wrong:
        print(f"  {r.split} {r.qid} {r.question!r} conf {r.confidence(caps):.2f} {sorted(r.feats)}")
        print(f"      {r.reading}")


def _file(r: Record) -> str:
    return r.split.split("/")[0]


def held_out(first: list[Record], today: list[Record]) -> None:
    """Caps fitted on half the development files (alternate files; their first-contact and today's readings),
    checked on the other half's readings of both kinds, both ways."""
    files = sorted({_file(r) for r in first})
    a = set(files[::2])
    for name, mine in (("A", a), ("B", set(files) - a)):
        train = [r for r in first + today if _file(r) in mine]
        caps = fit(confident(train))
        print(f"\n== fitted on half {name} {sorted(mine)}:\n   {caps}")
        for label, group in (("first contact", first), ("today", today)):
            test = [r for r in group if _file(r) not in mine and r.split != "original167"]
            print(f"   held out, {label}, raw:        " + table(test, {}, "").split("|")[1].strip())
            print(f"   held out, {label}, calibrated: " + table(test, caps, "").split("|")[1].strip())
            print(
                f"      right answers moved below 0.8: {moved(test, caps)}; wrong ones: {moved(test, caps, right=False)}"
            )


def confident(records: list[Record]) -> list[tuple[frozenset[str], bool]]:
    """What ``fit`` learns from: the answers at raw confidence >= 0.8 (features, right), the 167 left out (they
    were written with the resolver, not blind)."""
    return [(r.feats, r.ok) for r in records if r.answerable and r.raw >= 0.8 and r.split != "original167"]


def moved(records: list[Record], caps: Caps, *, right: bool = True) -> int:
    """Answers at raw confidence >= 0.8 (right ones, or wrong ones) that ``caps`` send below 0.8."""
    return sum(r.ok == right and r.answerable and r.raw >= 0.8 > r.confidence(caps) for r in records)


def cap_effects(records: list[Record], caps: Caps, title: str) -> None:
    """Per cap: the right answers (cost) and wrong ones (gain) at raw confidence >= 0.8 it sends below 0.8, and
    how many of those no other cap of ``caps`` would have sent there."""
    print(f"   cost and gain of each cap, {title}: right moved (alone) / wrong moved (alone)")
    for f, cap in sorted(caps.items()):
        hit = [r for r in records if r.answerable and r.raw >= 0.8 > cap and f in r.feats]
        alone = [
            r for r in hit if calibrated(r.raw, r.feats, {k: v for k, v in caps.items() if k != f}) >= 0.8
        ]
        right, wrong = sum(r.ok for r in hit), sum(not r.ok for r in hit)
        a_right, a_wrong = sum(r.ok for r in alone), sum(not r.ok for r in alone)
        print(f"      {f:34} {cap:.2f}  right {right} ({a_right})  wrong {wrong} ({a_wrong})")


def structural(first: list[Record], today: list[Record]) -> None:
    """Each structural cap (``calibration.STRUCTURAL``: a metric or a filter resting on one weak cue) added to
    ``CAPS`` on its own: precision at >= 0.8 before and after, the right answers it moves below 0.8 (its cost)
    and the wrong ones (its gain)."""
    groups = (
        ("first contact, all", first),
        ("first contact, foreign", [r for r in first if "/" in r.split]),
        ("first contact, demo", [r for r in first if "/" not in r.split]),
        ("today's dev", today),
    )
    for name, cap in STRUCTURAL.items():
        print(f"\n== the structural cap {name!r} at {cap} on top of the rest of calibration.CAPS")
        rest = {k: v for k, v in CAPS.items() if k not in STRUCTURAL}
        with_it = {**rest, name: cap}
        for label, group in groups:
            print(f"   {label:24} the rest: " + table(group, rest, "").split("|")[1].strip())
            print(f"   {'':24} + this cap: " + table(group, with_it, "").split("|")[1].strip())
            print(
                f"   {'':24} cost {moved(group, with_it) - moved(group, rest)} right moved below 0.8, "
                f"gain {moved(group, with_it, right=False) - moved(group, rest, right=False)} wrong"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", action="store_true", help="right share per feature (dev, raw >= 0.8)")
    parser.add_argument("--fit", type=Path, metavar="FILE", help="first-contact readings to fit the caps on")
    parser.add_argument(
        "--today",
        type=Path,
        metavar="FILE",
        help="the same splits read by today's code (bench/resolve_first_contact.py --today), with --fit",
    )
    parser.add_argument("--blind", action="store_true", help="also the blind splits (counts only)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/resolve_foreign"), help="build folder")
    args = parser.parse_args()
    records = list(demo_records(args.blind)) + list(foreign_records(args.work, args.blind))
    print("== reliability, raw (without the calibration step)")
    report(records, {}, wrong=False)
    print(f"\n== reliability, calibrated ({len(CAPS)} caps in calibration.CAPS)")
    report(records, CAPS, wrong=True)
    if args.features:
        print()
        feature_table(records)
    if args.fit:
        words = catalogs(args.work)
        first = first_contact(args.fit, words)
        print(
            f"\n== first contact ({len(first)} readings of unseen questions), raw and with calibration.CAPS"
        )
        print(table(first, {}, "first contact, raw"))
        print(table(first, CAPS, "first contact, CAPS"))
        print()
        feature_table(first, "feature (first contact, raw >= 0.8): right/total")
        dev = [r for r in records if not r.scored_only]
        confident_wrongs(first, CAPS, "first contact, calibration.CAPS")
        if args.today:
            again = first_contact(args.today, words)
            print(table(again, {}, "same splits today, raw"))
            print(table(again, CAPS, "same splits today, CAPS"))
            confident_wrongs(again, CAPS, "the same splits read today, calibration.CAPS")
            cap_effects(again, CAPS, "calibration.CAPS on the same splits read today")
        cap_effects(first, CAPS, "calibration.CAPS on first contact")
        cap_effects(dev, CAPS, "calibration.CAPS on today's dev")
        structural(first, dev)
        held_out(first, dev)
        every = fit(confident(first + dev)) | {k: v for k, v in CAPS.items() if k in STRUCTURAL}
        print(
            "\n== fitted on every development file, the structural caps kept (write into calibration.CAPS):"
        )
        print(every)
        print(table(first, every, "first contact, these caps"))
        print(table(records, every, "today's dev, these caps"))
        print(
            f"right answers on today's dev moved below 0.8: {moved(records, every)}; wrong ones: {moved(records, every, right=False)}"
        )
        cap_effects(first, every, "these caps on first contact")
        cap_effects(dev, every, "these caps on today's dev")


if __name__ == "__main__":
    main()
