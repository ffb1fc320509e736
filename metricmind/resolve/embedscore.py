"""Metrics read by meaning: an embedding similarity of the words the lexical reading left unexplained.

The lexical reading (``resolver``) explains a question's words by the catalog's names, labels, synonyms
and descriptions. Where it refuses because it found no metric ("sums owing beyond the deadline"), because
words were left unexplained ("money handed back to buyers"), or because words beside a loosely read metric
look like another concept ("distinct folks logging in"), ``ByMeaning`` embeds each run of unexplained
words (with the loose metric words inside it) with the offline MiniLM of the ``embeddings`` extra
(``metricmind.embedding``) and compares it with every metric's texts: label, synonyms, description and
definition, one vector each, a metric scoring its best text. An answer is never changed.

A metric is taken when it is clearly ahead: cosine at least ``FLOOR``, ``MARGIN`` above the runner-up (and
above the metric the lexical reading chose, if any). The question is then read again with the run replaced
by the metric's name, so every other part (breakdowns, filters, time) goes through the same checks; the
new reading must explain every word, or the original answer stands. Its spans point at the original
question's characters (the run's are marked ``how: "meaning"``), a note says what was read by meaning, and
its confidence is capped at ``CAP`` (below 0.8: similarity alone is not enough for a confident answer;
with the catalog's synonyms held out, a reading by meaning 0.2 ahead of the next metric was still wrong:
"run rate" read as ARR).

Catalog vectors are made once per catalog version: kept in memory by a hash of the texts and the
embedder's name, and on disk in ``cache_dir()`` (``$METRICMIND_EMBEDDINGS_CACHE``, default
``~/.cache/metricmind/embeddings``), so a new process loads them in milliseconds. Nothing here runs unless
``$METRICMIND_RESOLVE_MEANING`` is ``on`` (the default, see ``DEFAULT_ON``), nor when the extra is absent or
``$METRICMIND_EMBEDDINGS=off``: the resolver keeps its lexical path.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from metricmind.embedding import Embedder, default_embedder
from metricmind.embedding.model import Vectors
from metricmind.resolve.analysisrequest import read_analysis
from metricmind.resolve.resolution import Resolution, Span
from metricmind.resolve.text import FILLERS, Token, stems
from metricmind.resolve.words import GRAMMAR
from metricmind.spec.model import Model

FLOOR = 0.5
"""Lowest cosine of a run with a metric's best text for the metric to be read from it."""
MARGIN = 0.06
"""How far the best metric must be ahead of the runner-up (and of the metric read lexically)."""
UNSURE = 0.5
"""An answer below this confidence is asked back by the resolver (``resolver.UNSURE``): meaning may read it
as it reads a refusal for words left unexplained."""
CAP = 0.75
"""Confidence of an answer whose metric was read by meaning alone (below 0.8)."""
STRONG_COSINE = 0.7
"""With ``STRONG_MARGIN``: how sure meaning must be to read words refused as another concept as the metric
beside them."""
STRONG_MARGIN = 0.15
PARTICLES = frozenset({"in", "out", "up", "off", "on", "back", "down", "away", "over"})
"""Words after a verb that belong to it ("logging in", "walked away")."""
MIN_WORDS = 2
"""Content words a run needs: one unknown word alone ("profit", "engagement") is a concept the catalog
lacks more often than a paraphrase of one it has."""
STRONG = frozenset({"name", "label", "learned"})
"""How a metric was read that meaning never overrides (its own name or label, a learned word)."""
ENV_SWITCH = "METRICMIND_RESOLVE_MEANING"
"""``on`` makes the resolver read by meaning (with the extra installed); ``off`` keeps it lexical."""
DEFAULT_ON = True
"""On by default: it changes no development-set answer and, with the catalog's synonyms held out, answers
7 more of 189 right and 2 more wrong, both below 0.8 (docs/ask.md, measured)."""
ENV_CACHE = "METRICMIND_EMBEDDINGS_CACHE"
"""Folder of the catalog vector files (default ``~/.cache/metricmind/embeddings``)."""
_FALLBACK_REASONS = ("no metric in the catalog matches", "not confident enough in this reading")
_CONCEPT_REASON = "is not in the catalog as a metric"
"""A refusal of words beside a metric as another concept ("folks logging in"): meaning may read them all as
one metric when the metric beside them was itself read loosely (never beside a name or label)."""


class Readable(Protocol):
    """A reading of a question (the resolver's ``_Reading``): its words, which it read, its answer."""

    tokens: list[Token]
    used: list[bool]
    res: Resolution
    ambiguous: tuple[int, list[str]] | None
    polarity: tuple[int, int, int, int] | None

    def run(self) -> Resolution:
        """Read the question (every pass) and answer."""
        ...


R = TypeVar("R", bound=Readable)


def cache_dir() -> Path:
    """Where catalog vectors are kept between processes."""
    override = os.environ.get(ENV_CACHE, "").strip()
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "metricmind" / "embeddings"


def metric_texts(model: Model) -> list[tuple[str, str]]:
    """(metric, text) for every text a data team wrote about a metric (deprecated metrics left out)."""
    out: list[tuple[str, str]] = []
    for name in sorted(model.metrics):
        m = model.metrics[name]
        if str(m.meta.get("status") or "") == "deprecated":
            continue
        synonyms = m.meta.get("synonyms") or []
        synonyms = [synonyms] if isinstance(synonyms, str) else synonyms
        texts = [m.label or name.replace("_", " "), *map(str, synonyms)]
        texts += [m.description or "", str(m.meta.get("definition") or "")]
        seen: set[str] = set()
        for text in texts:
            t = " ".join(text.split())
            if t and t.lower() not in seen:
                seen.add(t.lower())
                out.append((name, t))
    return out


_MEMORY: dict[str, Vectors] = {}
_MEMORY_LOCK = threading.Lock()


def catalog_vectors(embedder: Embedder, texts: list[str], folder: Path | None = None) -> Vectors:
    """The vectors of ``texts``: from memory, from the disk cache, or embedded once and saved there."""
    digest = hashlib.sha256("\0".join([embedder.name, *texts]).encode()).hexdigest()[:24]
    with _MEMORY_LOCK:
        found = _MEMORY.get(digest)
    if found is not None:
        return found
    path = (folder or cache_dir()) / f"{digest}.npy"
    matrix: Vectors | None = None
    try:
        loaded = np.load(path, allow_pickle=False)
        if loaded.shape[0] == len(texts):
            matrix = np.asarray(loaded, dtype=np.float32)
    except (OSError, ValueError):
        matrix = None
    if matrix is None:
        matrix = embedder.embed(texts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, matrix, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only home still answers, only slower at start
    with _MEMORY_LOCK:
        _MEMORY[digest] = matrix
    return matrix


@dataclass(frozen=True)
class Found:
    """A metric read by meaning from the words ``first``..``last`` of a question."""

    metric: str
    cosine: float
    margin: float
    first: int
    last: int
    text: str
    unexplained: tuple[str, ...] = ()
    """The run's words the lexical reading left unexplained."""
    agrees: bool = False
    """Whether the metric is the one the lexical reading chose (meaning then explains the words beside it)."""


class ByMeaning:
    """Reads metrics by embedding similarity where the lexical reading found none or a weak one."""

    def __init__(self, model: Model, embedder: Embedder, folder: Path | None = None) -> None:
        self.model = model
        self.embedder = embedder
        self.folder = folder
        pairs = metric_texts(model)
        self.owners = [m for m, _ in pairs]
        self.texts = [t for _, t in pairs]
        self._matrix: Vectors | None = None
        self._lock = threading.Lock()
        self.words = frozenset(w for t in self.texts for w in stems(t))
        """Every word (stem) of the metrics' texts: a noun outside them is a thing no metric speaks of."""
        self.entities = frozenset(
            w
            for sm in model.semantic_models.values()
            for e in sm.entities
            for w in stems(e.name.replace("_", " "))
        )
        """The entities' names (stems): who is counted, no measure."""

    @property
    def matrix(self) -> Vectors:
        """The catalog side, made (or loaded) on first use."""
        if self._matrix is None:
            with self._lock:
                if self._matrix is None:
                    self._matrix = catalog_vectors(self.embedder, self.texts, self.folder)
        return self._matrix

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every metric by its best text's cosine with ``text``, best first."""
        sims = self.matrix @ self.embedder.embed([text])[0]
        best: dict[str, float] = {}
        for owner, sim in zip(self.owners, sims.tolist(), strict=True):
            if sim > best.get(owner, -1.0):
                best[owner] = sim
        return sorted(best.items(), key=lambda x: (-x[1], x[0]))

    # -- reading -------------------------------------------------------------------------------
    def revise(self, reading: R, reread: Callable[[str], R]) -> tuple[R, Resolution] | None:
        """A better reading of ``reading``'s question by meaning, or None to keep the lexical one."""
        res = reading.res
        if reading.ambiguous is not None or reading.polarity is not None:
            return None  # the resolver asks back with the readings to choose from
        if read_analysis(res.question, copy.deepcopy(res), self.model).analysis is not None:
            return None  # an attribution analysis ("credit …") reads no metric by meaning
        if res.answerable and res.confidence >= UNSURE:
            return None  # an answer is never replaced by meaning ("logos" said of MRR is not new customers)
        reason = res.reason or ("not confident enough in this reading" if res.answerable else "")
        concept = bool(res.metrics) and reason.endswith(_CONCEPT_REASON)
        if not (reason.startswith(_FALLBACK_REASONS) or concept):
            return None  # a breakdown or value the catalog lacks was refused on purpose
        found = self.find(reading, list(res.metrics))
        if found is None:
            return None
        if concept and found.agrees and (found.cosine < STRONG_COSINE or found.margin < STRONG_MARGIN):
            return None  # "days sales outstanding" is not sales, unless meaning is sure ("folks logging in")
        if concept and found.agrees and self.unknown_tail(reading, found):
            return None  # "churn propensity score": a score of churn, not the churn rate its word names
        return self.reread(reading, found, reread)

    def runs(self, reading: Readable, current: list[str]) -> list[tuple[int, int]]:
        """Runs of words no strong reading explains, each holding two or more content words of which one
        at least is unexplained, and (when a metric was read) the words that metric was read from.
        """
        weak: set[int] = set()
        for s in reading.res.spans.get("metrics", []):
            if s.target in current:
                if s.how in STRONG:
                    return []  # a metric read by its own name or label is not second-guessed
                weak.update(t.index for t in reading.tokens if s.start <= t.start < s.end)
        if current and not weak:
            return []
        free = [(not u) or i in weak for i, u in enumerate(reading.used)]
        out: list[tuple[int, int]] = []
        i, n = 0, len(reading.tokens)
        while i < n:
            if not free[i] or not _content(reading, i):
                i += 1
                continue
            j = i
            while j < n and free[j]:
                j += 1
            while j > i and not _content(reading, j - 1):
                j -= 1
            if j < n and free[j] and reading.tokens[j].norm in PARTICLES:
                j += 1  # "logging in", "walked away": the particle is part of the verb
            words = [k for k in range(i, j) if _content(reading, k)]
            per = [k for k in range(i, j - 1) if reading.tokens[k].norm in ("per", "each", "every")]
            if per and any(not reading.used[k] for k in range(per[0] + 1, j) if _content(reading, k)):
                i = max(j, i + 1)  # "cost per click": a ratio whose unit the catalog lacks, not its numerator
                continue
            if (
                len(words) >= MIN_WORDS
                and any(not reading.used[k] for k in words)
                and (not weak or weak <= set(range(i, j)))
            ):
                out.append((i, j))
            i = max(j, i + 1)
        return out

    def find(self, reading: Readable, current: list[str]) -> Found | None:
        """The clearest metric any run means, if one is clear enough."""
        best: Found | None = None
        for first, last in self.runs(reading, current):
            if not current and (
                self.unknown_head(reading, first, last)
                or self.unknown_modifier(reading, first, last)
                or self.mostly_unknown(reading, first, last)
            ):
                continue
            text = " ".join(t.norm for t in reading.tokens[first:last])
            ranked = self.rank(text)
            if not ranked:
                continue
            metric, cosine = ranked[0]
            second = ranked[1][1] if len(ranked) > 1 else 0.0
            scores = dict(ranked)
            rival = max([second, *(scores.get(m, 0.0) for m in current if m != metric)])
            margin = cosine - rival
            if cosine < FLOOR or margin < MARGIN:
                continue
            if best is None or margin > best.margin:
                unexplained = tuple(
                    reading.tokens[k].text
                    for k in range(first, last)
                    if not reading.used[k] and _content(reading, k)
                )
                best = Found(metric, cosine, margin, first, last, text, unexplained, metric in current)
        return best

    def mostly_unknown(self, reading: Readable, first: int, last: int) -> bool:
        """Whether most content words of the run, two at least, are words no metric's text has, and the others
        name an entity ("buyer satisfaction score", "customer health index"): the similarity rests on who is
        counted, so the thing asked is one the catalog does not measure ("sums owing beyond the deadline",
        no entity, is a paraphrase to read).
        """
        words = [k for k in range(first, last) if _content(reading, k)]
        unknown = [k for k in words if reading.tokens[k].stem not in self.words]
        known = [k for k in words if k not in unknown]
        return (
            len(unknown) >= 2
            and 2 * len(unknown) > len(words)
            and bool(known)
            and all(reading.tokens[k].stem in self.entities for k in known)
        )

    def unknown_tail(self, reading: Readable, found: Found) -> bool:
        """Whether the run ends in two content words or more, after every word the metric was read from, that
        no metric's text has ("churn propensity score"): the head noun names the thing asked, the metric's
        word only qualifies it, so meaning (resting on that word) never reads the run as the metric.
        """
        read = [
            t.index
            for s in reading.res.spans.get("metrics", [])
            if s.target == found.metric
            for t in reading.tokens
            if s.start <= t.start < s.end
        ]
        tail = [k for k in range(max(read, default=found.last) + 1, found.last) if _content(reading, k)]
        return len(tail) >= 2 and all(
            not reading.used[k] and reading.tokens[k].stem not in self.words for k in tail
        )

    def unknown_head(self, reading: Readable, first: int, last: int) -> bool:
        """Whether a word the metrics' texts have is followed by a plural noun none of them has ("circle
        points redeemed" where only the programme's name is the catalog's): the thing asked for is one the
        catalog does not measure, and the similarity rests on its modifier alone, so no metric is read
        (only where the words read no metric: "overdue balances" beside the overdue amount read stays).
        """
        toks = reading.tokens
        for k in range(max(first - 1, 0), last - 1):  # the word before the run too ("autopay rewards")
            head = toks[k + 1]
            plural = head.norm != head.stem and not head.norm.endswith(("ing", "ed"))
            if (
                toks[k].stem in self.words
                and _content(reading, k)
                and plural
                and not reading.used[k + 1]
                and head.stem not in self.words
            ):
                return True
        return False

    def unknown_modifier(self, reading: Readable, first: int, last: int) -> bool:
        """Whether the run is two words only, a noun no metric's text has before a noun they have ("server
        costs", "office rent"): a kind of the catalog's thing that the catalog does not measure, the mirror
        of ``unknown_head``; the similarity rests on the head alone, so no metric is read. (A paraphrase
        says more: "money handed back to buyers", "sums owing beyond the deadline".)
        """
        words = [k for k in range(first, last) if _content(reading, k)]
        if len(words) != 2 or words[1] != words[0] + 1:
            return False
        mod, head = (reading.tokens[k] for k in words)
        return (
            mod.stem not in self.words
            and mod.norm.isalpha()
            and not _verbal(mod.norm)
            and head.stem in self.words
            and not _verbal(head.norm)
        )

    def reread(self, reading: R, found: Found, reread: Callable[[str], R]) -> tuple[R, Resolution] | None:
        """The question read again with the run replaced by the metric's name, if that reading is whole."""
        q = reading.res.question
        a, b = reading.tokens[found.first].start, reading.tokens[found.last - 1].end
        said = found.metric.replace("_", " ")
        alt_reading = reread(q[:a] + said + q[b:])
        alt = alt_reading.run()
        if (
            not alt.answerable
            or found.metric not in alt.metrics
            or alt_reading.ambiguous is not None
            or alt_reading.polarity is not None
            or any(n.startswith("ignored") for n in alt.notes)
        ):
            return None
        alt.question = q
        shift = (b - a) - len(said)
        for part, spans in alt.spans.items():
            alt.spans[part] = [_moved(s, q, a, b, a + len(said), shift) for s in spans]
        alt.confidence = min(alt.confidence, CAP)
        how = f"(similarity {found.cosine:.2f}, {found.margin:.2f} ahead of the next metric)"
        if found.agrees:
            words = ", ".join(f"'{w}'" for w in found.unexplained)
            alt.notes.append(f"read {words} with {found.metric} by meaning {how}")
        else:
            alt.notes.append(f"read '{q[a:b]}' as {found.metric} by meaning {how}")
        return alt_reading, alt


def _verbal(word: str) -> bool:
    """Whether ``word`` reads as a verb form or an adverb ("owing", "handed", "quickly")."""
    return len(word) > 4 and word.endswith(("ed", "ing", "ly"))


def _content(reading: Readable, i: int) -> bool:
    t = reading.tokens[i]
    return (
        t.norm not in FILLERS
        and t.stem not in FILLERS
        and t.norm not in GRAMMAR
        and any(c.isalpha() for c in t.norm)
    )


def _moved(s: Span, question: str, a: int, b: int, inserted_end: int, shift: int) -> Span:
    """A span of the reread question moved onto the original's characters (the name onto the run)."""

    def at(pos: int, end: bool) -> int:
        if pos <= a:
            return pos
        if pos >= inserted_end:
            return pos + shift
        return b if end else a

    start, stop = at(s.start, False), at(s.end, True)
    inside = s.start < inserted_end and s.end > a
    return replace(s, text=question[start:stop], start=start, end=stop, how="meaning" if inside else s.how)


def enabled() -> bool:
    """Whether the resolver reads by meaning: ``$METRICMIND_RESOLVE_MEANING`` on/off, else ``DEFAULT_ON``."""
    value = os.environ.get(ENV_SWITCH, "").strip().lower()
    if value in {"on", "1", "true", "yes"}:
        return True
    if value in {"off", "0", "false", "no"}:
        return False
    return DEFAULT_ON


def by_meaning(model: Model) -> ByMeaning | None:
    """The meaning reader of ``model``, or None when turned off or the extra is absent (or turned off)."""
    if not enabled():
        return None
    embedder = default_embedder()
    return None if embedder is None else ByMeaning(model, embedder)
