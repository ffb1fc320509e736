"""Misspelt and shortened words read as the catalog words they stand for, derived from the catalog alone.

People type ``cusotmers``, ``invoicd``, ``regn``, ``segmnet`` or ``mgmt``; no list of such forms can be
complete, so ``Speller`` reads an unknown word against the catalog's own vocabulary (metric and dimension
names, labels, synonyms, values and the resolver's lexicon), in this order:

1. **typo**: within a length-scaled Damerau (optimal string alignment) distance (``typo_limit``: none
   under five letters, one from five, two from eight) of a word with the same first letter (catalog
   words and the resolver's grammar words: ``betwen`` → between). Words of one root (``invoice``,
   ``invoiced``) are one candidate; between them the one the word is a shortening of wins (``invoicd``
   → invoiced), else the shortest. Two roots at the best distance: the one the word begins with
   (``retailer`` → retail, not retained), else no reading.
2. **prefix**: the beginning of exactly one root, at least two letters longer (``feat`` → feature).
3. **abbreviation**: consonants only after the first letter, in order in exactly one root, with the same
   first and last letter and at most one consonant dropped (``usrs`` → users, ``strts`` → starts), or
   all of its consonants (``src`` → source).
4. **dropped letters**: the word's letters in order in exactly one root with the same first and last
   letter, keeping at least half of it, and the start of no catalog word (``regn`` → region, ``expansn`` → expansion, ``mgmt`` →
   management when no other root fits). The word must not be an ordinary English word (the embedding
   tokenizer's whole-word vocabulary, when installed; otherwise only words of five letters or more, or
   without vowels, are read so): ``sent`` is not ``segment``.

A word spelt as it sounds, "x" for "cks" or "cts" (``tix`` → tickets), is read by the same rule as
dropped letters (``sounded``; never an English word such as "fix" or "box").

A short form none of these reads alone is read from the phrase it makes with a neighbour
(``in_context``: "exp mrr" → expansion MRR, a catalog phrase; "exp" alone could be export or expired),
or, after "by" or "per", from the one dimension word it begins ("gmv by cat" → category).

Short words (under four letters) are read as abbreviations only: ``arr`` is not ``mrr``. Each reading carries how
it was made, so the resolver can lower its confidence and say what it read ("read 'regn' as region").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from metricmind.embedding import EmbeddingUnavailable, tokenizer_words
from metricmind.resolve.text import distance, root, typo_limit

VOWELS = frozenset("aeiouy")
BREAKDOWN = frozenset({"by", "per"})
"""Words after which a dimension is expected (a short form there is read among dimension words)."""
MIN_LETTERS = 4
"""Words shorter than this are never corrected (too many catalog words are one edit away)."""


@dataclass(frozen=True)
class Correction:
    """A catalog word read for a typed word, and how (``typo``, ``prefix``, ``abbreviation``, ``dropped``)."""

    word: str
    how: str


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words of the installed embedding tokenizer's vocabulary (empty when not installed)."""
    try:
        return tokenizer_words()
    except EmbeddingUnavailable:
        return frozenset()  # no dictionary: the stricter rule for dropped letters


def is_subsequence(short: str, long: str) -> bool:
    """Whether ``short``'s letters appear in ``long`` in order."""
    it = iter(long)
    return all(c in it for c in short)


class Speller:
    """Reads unknown words as catalog words (see the module's description); answers are cached."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        grammar: Iterable[str] = (),
        dictionary: frozenset[str] | None = None,
        spoken: Iterable[str] = (),
    ) -> None:
        self.words = sorted({w for w in vocabulary if w.isalpha() and len(w) >= MIN_LETTERS})
        self.spelt = sorted({*self.words, *(w for w in grammar if w.isalpha() and len(w) >= MIN_LETTERS)})
        known = set(self.spelt)
        self.spoken = sorted({w for w in spoken if w.isalpha() and len(w) >= MIN_LETTERS} - known)
        self._first_of_spelt = _by_first(self.spelt)
        self._first_of_spoken = _by_first(self.spoken)
        self._dictionary = dictionary
        self._seen: dict[str, Correction | None] = {}
        self._lock = threading.Lock()

    @property
    def dictionary(self) -> frozenset[str]:
        """English words never read as dropped-letter shortenings (loaded on first use)."""
        if self._dictionary is None:
            self._dictionary = english_words()
        return self._dictionary

    def correct(self, word: str) -> Correction | None:
        """The one catalog word ``word`` stands for, or None (unknown, too short, or two roots fit)."""
        with self._lock:
            if word in self._seen:
                return self._seen[word]
        found = None
        if word.isalpha() and len(word) >= MIN_LETTERS:
            found = self._find(word)
        elif word.isalpha() and len(word) == MIN_LETTERS - 1:
            found = _how(self.abbreviation(word), "abbreviation")
        if found is None:
            found = self.sounded(word)
        with self._lock:
            self._seen[word] = found
        return found

    def _find(self, word: str) -> Correction | None:
        for how, finder in (
            ("typo", self.typo),
            ("prefix", self.prefix),
            ("abbreviation", self.abbreviation),
            ("dropped", self.dropped),
        ):
            found = finder(word)
            if found is not None:
                return Correction(found, how)
        return None

    def sounded(self, word: str) -> Correction | None:
        """A word spelt as it sounds, "x" for "cks"/"cts" ("tix" → tickets), read as its letters dropped;
        never an English word ("fix", "box") and only when exactly one root fits.
        """
        if not (word.isalpha() and word.endswith("x") and len(word) >= MIN_LETTERS - 1):
            return None
        if word in self.dictionary or not self.dictionary:
            return None
        said = [word[:-1] + tail for tail in ("cks", "cts")]  # "tix": ticks, ticts (a plural)
        fits = [
            w
            for w in self.words
            if w[0] == word[0] and any(is_subsequence(x, w + "s") and len(w) < 2 * len(x) for x in said)
        ]
        return _how(_one_root(fits), "sounded")

    def typo(self, word: str) -> str | None:
        """The nearest word within the length's edit limit, one root only: a catalog or grammar word, else
        an everyday word of the questions (``spoken``: "befre" → before, "clents" → clients, "geneate" →
        generate), so a slip in a word that carries no catalog meaning is no unexplained word either.
        """
        limit = typo_limit(word)
        if not limit:
            return None
        near = _near(word, self._first_of_spelt.get(word[0], ()), limit)
        if not near:
            near = _near(word, self._first_of_spoken.get(word[0], ()), limit)
        if not near:
            return None
        best = near[min(near)]
        if len({root(w) for w in best}) > 1:
            # two roots as near: the one the word extends ("retailer" → retail, not retained), if one
            best = [w for w in best if word.startswith(w)]
            if not best or len({root(w) for w in best}) > 1:
                return None
        shortened = [w for w in best if is_subsequence(word, w)]
        return min(shortened or best, key=lambda w: (len(w), w))

    def plural(self, word: str) -> str | None:
        """The catalog or grammar word whose plural ``word`` is a slip of ("moths" → month: one edit from
        months, two from month), one root only; None unless ``word`` ends in "s".
        """
        limit = typo_limit(word)
        if not limit or not word.endswith("s") or not word.isalpha():
            return None
        near = _near(word, (w + "s" for w in self._first_of_spelt.get(word[0], ())), limit)
        if not near:
            return None
        best = near[min(near)]
        if len({root(w[:-1]) for w in best}) > 1:
            return None
        return min(best, key=lambda w: (len(w), w))[:-1]

    def prefix(self, word: str) -> str | None:
        """The one root that begins with ``word`` and is at least two letters longer."""
        longer = [w for w in self.words if w.startswith(word) and len(w) >= len(word) + 2]
        return _one_root(longer)

    def abbreviation(self, word: str) -> str | None:
        """The one root ``word`` abbreviates by dropping its vowels and at most one consonant."""
        if any(c in VOWELS for c in word[1:]):
            return None

        def consonants(w: str) -> int:
            return sum(1 for c in w if c not in VOWELS)

        fits = [
            w
            for w in self.words
            if w[0] == word[0]
            and len(w) > len(word)
            and is_subsequence(word, w)
            and (
                (w[-1] == word[-1] and consonants(w) - consonants(word) <= 1)
                or skeleton(w) == word  # every consonant kept, the vowels dropped ("src" → source)
            )
        ]
        return _one_root(fits)

    def dropped(self, word: str) -> str | None:
        """The one root holding ``word``'s letters in order (same first and last letter, half kept)."""
        vowelless = not any(c in VOWELS for c in word[1:])
        if any(w.startswith(word) for w in self.words):
            return None  # the start of several words ("contr": contract, contraction), not letters dropped
        if word in self.dictionary or (not self.dictionary and len(word) < 5 and not vowelless):
            return None
        fits = [
            w
            for w in self.words
            if w[0] == word[0]
            and w[-1] == word[-1]
            and len(word) < len(w) <= 2 * len(word) + (2 if vowelless else 0)
            and is_subsequence(word, w)
        ]
        return _one_root(fits)


def in_context(
    speller: Speller,
    word: str,
    before: str | None,
    after: str | None,
    is_phrase: Callable[[tuple[str, ...]], bool],
    is_dimension: Callable[[str], bool] = lambda _: False,
) -> Correction | None:
    """A short form no rule reads alone, read from the phrase it makes with a neighbour ("exp mrr" →
    expansion mrr): the catalog words beginning with ``word`` (three letters or more), holding its
    letters in order with the same first and last letter, or one edit from it (four letters or more),
    that form a catalog phrase with the word before or after it, or name a dimension after "by" or
    "per" ("gmv by cat" → category); one root only.
    """
    if not word.isalpha() or len(word) < MIN_LETTERS - 1:
        return None
    fits = []
    for w in speller.words:
        if w[0] != word[0]:
            continue
        # a slip of one letter that makes a catalog phrase with its neighbour ("trial stats" → trial starts,
        # "trial statt"): read so even when the slip is an English word, which no catalog word is here
        slip = len(word) >= MIN_LETTERS and w != word and distance(word, w, 1) <= 1
        if not slip and len(w) <= len(word):
            continue
        if not slip and not (w.startswith(word) or (w[-1] == word[-1] and is_subsequence(word, w))):
            continue
        if not slip and not w.startswith(word) and (word in english_words() or 2 * len(word) < len(w)):
            continue  # "by city": an English word, never "capability" with letters dropped
        if (
            (after is not None and is_phrase((w, after)))
            or (before is not None and is_phrase((before, w)))
            or (before in BREAKDOWN and is_dimension(w))
        ):
            fits.append(w)
    return _how(_one_root(fits), "context")


def _by_first(words: list[str]) -> dict[str, list[str]]:
    """Words by their first letter (a typo keeps its first letter: only those are compared)."""
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(w[0], []).append(w)
    return out


def _near(word: str, words: Iterable[str], limit: int) -> dict[int, list[str]]:
    """The words within ``limit`` edits of ``word``, by their distance."""
    near: dict[int, list[str]] = {}
    for w in words:
        d = distance(word, w, limit)
        if d <= limit:
            near.setdefault(d, []).append(w)
    return near


def skeleton(word: str) -> str:
    """The first letter and the consonants after it (``source`` → src, ``region`` → rgn)."""
    return word[:1] + "".join(c for c in word[1:] if c not in VOWELS)


def _how(word: str | None, how: str) -> Correction | None:
    return None if word is None else Correction(word, how)


def _one_root(words: list[str]) -> str | None:
    """The shortest of ``words`` when they all share one root, else None."""
    if not words or len({root(w) for w in words}) > 1:
        return None
    return min(words, key=lambda w: (len(w), w))
