"""The phrase index of one project: what a phrase (its tuple of stems) names (``Entry``), the categorical
dimensions (``DimInfo``), and the ``Lexicon`` that holds them; ``lexicon.build_lexicon`` fills it from the model
and learned words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from metricmind.resolve.spelledout import spelled_out
from metricmind.resolve.text import stems


@dataclass(frozen=True)
class Entry:
    """One phrase and what it names."""

    kind: str  # metric | dimension | value
    target: str  # metric name, dimension name, or "dimension=value"
    source: str  # name | label | synonym | learned | reduced | head | key | entity | value | alias | observed
    exact_case: str | None = None  # the phrase must appear in this case (short upper-case aliases)

    @property
    def rank(self) -> int:
        """Lower is stronger."""
        return {
            "learned": 0,
            "name": 0,
            "label": 1,
            "value": 1,
            "synonym": 2,
            "alias": 2,
            "observed": 3,
            "entity": 1,
            "reduced": 4,
            "head": 5,
            "key": 5,
        }[self.source]


@dataclass(frozen=True)
class DimInfo:
    """A categorical dimension the resolver may group or filter by."""

    name: str  # canonical name, e.g. customer__region
    model: str
    label: str
    values: tuple[str, ...] = ()
    conformed: bool = False  # on a model of dimensions only (no measures), shared by several fact models
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # declared value → its aliases (value_aliases)


@dataclass
class Lexicon:
    """Phrase index of one project."""

    phrases: dict[tuple[str, ...], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    dims: dict[str, DimInfo] = field(default_factory=dict)
    metric_words: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    vocabulary: set[str] = field(default_factory=set)
    max_len: int = 1
    refused: list[tuple[str, str]] = field(default_factory=list)  # learned (phrase, target) left out
    joined: dict[str, list[Entry]] = field(default_factory=dict)  # a value's words run together ("email")
    linked: dict[str, set[str]] = field(default_factory=dict)  # the linking words of those values ("in")

    def add(self, phrase: str, entry: Entry, *, own: bool = True) -> None:
        """Index ``phrase`` as naming ``entry`` (short upper-case phrases must match their case); a phrase the
        catalog did not write itself (``own=False``: its short forms spelled out) adds no word to its vocabulary,
        so a question's short form the catalog writes stays as typed ("avg").
        """
        key = stems(phrase)
        if not key:
            return
        if any(e.kind == entry.kind and e.target == entry.target for e in self.phrases[key]):
            return
        case = phrase.strip() if (phrase.strip().isupper() and len(phrase.strip()) <= 3) else None
        if case:
            entry = Entry(entry.kind, entry.target, entry.source, exact_case=case)
        self.phrases[key].append(entry)
        if entry.kind == "value" and len(key) <= JOINED_WORDS:
            self.joined.setdefault("".join(key), []).append(entry)
            self.linked.setdefault("".join(key), set()).update(w for w in key if w in LINKING)
        if own:
            self.vocabulary.update(key)
        self.max_len = max(self.max_len, len(key))
        if entry.kind == "metric" and own:
            self.metric_words[entry.target].update(key)
        full = spelled_out(phrase) if entry.kind in ("metric", "dimension") and own else None
        if full is not None:
            self.add(full, entry, own=False)  # "Avg Watch Minutes" said "average watch minutes"

    def lookup(self, key: tuple[str, ...]) -> list[Entry]:
        """The entries of a phrase, by its stems; a phrase no entry has may still name a value spelt with
        its words run together or apart ("e-mail" for ``email``, "walkin" for ``walk_in``, "Booking.com"
        for ``booking_com``): the value's words joined, compared with the phrase's words joined.
        """
        found = self.phrases.get(key)
        if found:
            return found
        if len(key) > 1 and len(key[-1]) <= 4 and key[-1].endswith("s") and key[-1][:-1].isalpha():
            # a compound noun's plural on its short last word ("walk ins", "sign ups", "drop offs"), which
            # the light stem leaves as it is: the value said in the plural
            plural = self.phrases.get((*key[:-1], key[-1][:-1]))
            if plural and all(e.kind == "value" for e in plural):
                return plural
        if len(key) > JOINED_WORDS or not self.joined:
            return []
        said = "".join(key)
        if len(said) < JOINED_MIN:
            return []
        if any(w in LINKING and w not in self.linked.get(said, ()) for w in key):
            return []  # "spa in": a word and a preposition are no value run apart (Spain), "walk in" is walk_in
        return self.joined.get(said, [])


#: A value of at most this many words is also found with its words run together or apart, when the run
#: is at least ``JOINED_MIN`` letters long ("e mail" → email; never two letters that happen to join).
JOINED_WORDS = 3
JOINED_MIN = 5

LINKING = frozenset({"of", "the", "a", "an", "per", "to", "in"})
"""Words that only link a generic word to the rest of a phrase: no phrase of its own begins or ends so."""
