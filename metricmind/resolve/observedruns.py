"""More ways to say a value seen in the warehouse: its words in any order, and a word only it has.

A dimension that declares no values (campaign names) gets them from the warehouse, and people name such a
value loosely: "our monthly newsletter" for ``newsletter_monthly``, "the linkedin enterprise abm campaign" for
``linkedin_abm_enterprise``, "our youtube videos" for ``youtube_explainers``. Beside the value's own words and
the runs of them only it has (``lexicon``), a value of two to four words is also said by

- all its words in any order ("monthly newsletter"), and by any two of them, in either order, that no other
  value of the dimension holds both of ("enterprise abm") when one of the two at least names nothing in the
  catalog on its own ("referral customers" stays the referral channel's customers: two of the three words of
  ``customer_referral_program``, each a catalog word);
- a single word of it that no other value of the dimension holds ("retargeting", "leadgen"), unless that word
  is an English word (the embedding tokenizer's: "brand new logos" names no ``search_brand``), an everyday or
  grammar word, a number or shorter than three letters.

Only phrases the catalog does not already know are added (``lexicon`` checks), so a declared value, a metric
or a dimension keeps its words ("newsletter" stays the email channel's alias, "monthly newsletter" is the
campaign).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations, permutations

from metricmind.resolve.everyday import EVERYDAY_WORDS
from metricmind.resolve.spelling import english_words
from metricmind.resolve.text import stems
from metricmind.resolve.words import GRAMMAR

MAX_WORDS = 4
"""The most words a value may have for its words to be said in any order (4! = 24 orders)."""


def loose_phrases(values: Sequence[str], known: Callable[[str], bool]) -> dict[str, str]:
    """Phrase → the one value of ``values`` it says (see the module); ``known`` tells a word the catalog
    already reads on its own.
    """
    words_of = {v: [w for w in v.replace("_", " ").replace("-", " ").lower().split() if w] for v in values}
    owners: dict[frozenset[str], set[str]] = defaultdict(set)
    for v, words in words_of.items():
        for size in (1, 2):
            for combo in combinations(sorted(set(words)), size):
                owners[frozenset(combo)].add(v)
    out: dict[str, str] = {}
    for v, words in words_of.items():
        if not 2 <= len(words) <= MAX_WORDS:
            continue
        for order in permutations(words):
            out.setdefault(" ".join(order), v)
        for a, b in combinations(sorted(set(words)), 2):
            if owners[frozenset((a, b))] == {v} and not (known(a) and known(b)):
                out.setdefault(f"{a} {b}", v)
                out.setdefault(f"{b} {a}", v)
        for w in set(words):
            if owners[frozenset((w,))] == {v} and _distinctive(w):
                out.setdefault(w, v)
    return out


def _distinctive(word: str) -> bool:
    """Whether ``word`` alone may name a value: a word of its own, not an everyday or grammar one."""
    if len(word) < 3 or not word.isalpha() or word in EVERYDAY_WORDS or word in GRAMMAR:
        return False
    if word in english_words():
        return False
    return all(s not in GRAMMAR and s not in EVERYDAY_WORDS for s in stems(word))
