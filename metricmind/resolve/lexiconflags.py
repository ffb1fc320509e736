"""The words of a catalog's yes/no dimensions (``is_verified``, ``has_marketing_consent``): the value true by the
column's own words ("verified sellers"), false by their negative forms ("unverified", "non-members"), and the
English around checks and consent ("passed KYC", "opted out of marketing"); never a phrase the catalog already
gives to something else.
"""

from __future__ import annotations

import re

from metricmind.resolve.phraseindex import DimInfo, Entry, Lexicon
from metricmind.resolve.text import stems
from metricmind.resolve.words import GRAMMAR
from metricmind.spec.model import Metric, Model
from metricmind.spec.names import SEP

CONSENT_WORDS = frozenset({"consent", "optin", "opt_in", "permission"})
"""The last word of a yes/no column of consent ("has_marketing_consent"): English says it "opted in to"."""
FLAG_OPPOSITES = {"on time": ("late", "delayed"), "late": ("on time",)}
"""English's one-word opposites of a yes/no column's words beyond its un-/in-/non- forms (language, not any
catalog's names): "how many deliveries were late" is ``is_on_time`` false."""


def add_flags(lex: Lexicon, model: Model) -> None:
    """A yes/no dimension (``is_verified``, ``is_deleted``) answers to its word ("verified sellers",
    "deleted accounts") as the value true, and to the word's negative forms ("unverified", "inactive") as
    false, unless the word already names something in the catalog.
    """
    for sm in model.semantic_models.values():
        primary = sm.primary
        if not primary:
            continue
        for d in sm.dimensions:
            if d.type != "categorical" or not is_flag(d.name):
                continue
            words = d.name.split("_")[1:]
            name = f"{primary}{SEP}{d.name}"
            label = d.label or " ".join(words)
            opposites = [w for w in FLAG_OPPOSITES.get(" ".join(words), ()) if not lex.lookup(stems(w))]
            # the same column on another model ("is_urgent" of the referrals and of the appointments) leaves
            # the words free: each model's flag answers to them, and the metric's own is read
            known = _other_than_namesake(lex.lookup(stems(" ".join(words))), d.name)
            # a word that names only metrics ("refunded": the refunds) still says the flag beside its rows
            # ("refunded purchases"); one that names another dimension's value or a breakdown is that
            metric_only = bool(known) and all(
                e.kind == "metric"
                and e.target in model.metrics
                and not _names_metric(" ".join(words), model.metrics[e.target])
                for e in known
            )
            if not words or (known and not opposites and not metric_only):
                continue
            lex.dims[name] = DimInfo(name, sm.name, label, ("true", "false"), conformed=not sm.measures)
            for said in opposites:  # "late" for is_on_time, even where "on time" names the on-time rate
                lex.add(said, Entry("value", f"{name}=false", "value"))
            if known and not metric_only:
                continue
            lex.add(" ".join(words), Entry("value", f"{name}=true", "value"))
            said = (d.label or "").lower()
            fresh = not any(w in lex.vocabulary for w in stems(said) if w not in GRAMMAR)
            if len(said.split()) > 1 and fresh and said != " ".join(words) and not lex.lookup(stems(said)):
                # "direct debit" for ``has_autopay``: a label of words the catalog says nowhere else (never
                # "level won", whose "level" is the level's own word)
                lex.add(said, Entry("value", f"{name}=true", "label"))
            for code in re.findall(r"\(([A-Z][A-Z0-9]{1,5})\)", d.label or ""):
                if not lex.lookup(
                    stems(code)
                ):  # "Install-day session (D0)": the team's short name, "d0 sessions"
                    lex.add(code.lower(), Entry("value", f"{name}=true", "value"))
            if len(words) > 1 and words[-1].endswith("ed"):
                # "is_kyc_verified": a check someone passes or fails ("passed KYC", "failed KYC")
                thing = " ".join(words[:-1])
                for verb, value in (
                    ("passed", "true"),
                    ("cleared", "true"),
                    ("completed", "true"),
                    ("failed", "false"),
                ):
                    if not lex.lookup(stems(f"{verb} {thing}")):
                        lex.add(f"{verb} {thing}", Entry("value", f"{name}={value}", "value"))
            if (
                len(words) == 2
                and words[-1] == primary
                and words[0] not in GRAMMAR
                and not any(e.kind == "value" for e in lex.lookup(stems(" ".join(words[:-1]))))
            ):
                # "is_repeat_order" of the orders: "repeat" alone, said of them ("repeat vs first-time buyers")
                lex.add(" ".join(words[:-1]), Entry("value", f"{name}=true", "value"))
            if len(words) > 1 and words[-1] in CONSENT_WORDS:
                # "has_marketing_consent": who opted in to marketing (true) or out of it (false)
                thing = " ".join(words[:-1])
                for said, value in (
                    *((f"{verb} {thing}", "true") for verb in ("opted in to", "opted into", "opted in for")),
                    (f"{thing} opt in", "true"),
                    (f"opted out of {thing}", "false"),
                    (f"{thing} opt out", "false"),
                ):
                    if not lex.lookup(stems(said)):
                        lex.add(said, Entry("value", f"{name}={value}", "value"))
            if len(words) == 1:  # its opposite: "unverified sellers", "inactive agents", "nonrefundable"
                for neg in (f"un{words[0]}", f"in{words[0]}", f"non{words[0]}"):
                    if not _other_than_namesake(lex.lookup(stems(neg)), d.name):
                        lex.add(neg, Entry("value", f"{name}=false", "value"))


def _other_than_namesake(known: list[Entry], column: str) -> list[Entry]:
    """``known`` without the values of a yes/no column of the same name on another model."""
    return [
        e for e in known if not (e.kind == "value" and e.target.split("=", 1)[0].split(SEP, 1)[-1] == column)
    ]


def _names_metric(words: str, metric: Metric) -> bool:
    """Whether ``words`` are the metric's own name or label, up to a plural ("new customer": new_customers)."""
    said = {words, f"{words}s", f"{words}es"}
    return metric.name.replace("_", " ") in said or (metric.label or "").lower() in said


def is_flag(name: str) -> bool:
    """Whether a column name is a yes/no one by its prefix (``is_``, ``was_``, ``has_``, ``had_``)."""
    return name.startswith(("is_", "was_", "has_", "had_"))
