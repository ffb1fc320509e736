"""Learned words and the agent's memory: the question resolver each person gets."""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from metricmind.catalog.vocabulary import Vocabulary
    from metricmind.learn.memory import Memory
    from metricmind.resolve import Resolver
from metricmind.project.warehouse import WarehouseMixin


class WordsMixin(WarehouseMixin):
    """The vocabulary (own words at once, shared words after review), the resolver, the memory."""

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Learned words in the catalog store: each person's own at once, shared through review."""
        from metricmind.catalog.vocabulary import Vocabulary

        return Vocabulary(self.catalog)

    @cached_property
    def memory(self) -> Memory:
        """The agent's memory (episodes, notes, skills, checkpoints) in the project store (``store.url``).

        A corrupt SQLite store is moved aside and recreated (``memory.recovered`` says so).
        """
        from metricmind.learn.memory import Memory
        from metricmind.storage import default_url

        return Memory.open(str(self.setting("store.url") or default_url(self.root)))

    def resolver(self, user: str | None = None) -> Resolver:
        """The question resolver: the shared vocabulary (``metricmind/vocabulary.yml``) for everyone, and
        ``user``'s own words (drafts, words in review or rejected) for that user only.

        The words are read on each call, so words taught or approved in another process apply at once;
        a resolver is built only when they (or the warehouse's values) changed, and kept for the next
        call with the same words. The catalog store is opened only when ``user`` is given.
        """
        from metricmind.resolve import Resolver, learned_tables
        from metricmind.spec.vocabulary import read_words

        own = self.vocabulary.own(user) if user else []
        learned = learned_tables(read_words(self.root), own)
        values = self.dimension_values()
        key = json.dumps([learned, values], sort_keys=True)
        cache = self._resolvers
        found = cache.get(key)
        if found is None:
            found = Resolver(self.model, learned, values)
            if len(cache) >= 16:
                cache.pop(next(iter(cache)))
            cache[key] = found
        return found

    @cached_property
    def _resolvers(self) -> dict[str, Resolver]:
        """Resolvers built by :meth:`resolver`, by the words and values they were built from."""
        return {}

    def learn(
        self, user: str, phrase: str, target: str, *, submit: bool = True, question: str | None = None
    ) -> dict[str, Any]:
        """Teach ``phrase`` → ``target`` (a metric, a dimension or ``dimension=value``) for ``user``.

        The word applies to ``user`` at once and, submitted for review, to everyone once an approver
        other than ``user`` approves it. A phrase that names something else exactly is refused
        (``VocabularyError``); an unknown target is an ``UnknownNameError`` with suggestions.
        """
        kind, text = self._check_word(phrase, target)
        return self.vocabulary.add(user, kind, text, target.strip(), submit=submit, question=question)

    def edit_word(self, word_id: int, user: str, target: str, *, submit: bool = True) -> dict[str, Any]:
        """Point ``user``'s own word ``word_id`` at another target (checked like :meth:`learn`)."""
        kind, _ = self._check_word(str(self.vocabulary.get(word_id)["phrase"]), target)
        return self.vocabulary.edit(word_id, user, target.strip(), kind, submit=submit)

    def approve_word(self, word_id: int, user: str) -> dict[str, Any]:
        """Share word ``word_id`` (an approver who did not teach it), checked against the model as it is."""
        return self.vocabulary.approve(word_id, user, self._check_word)

    def _check_word(self, phrase: str, target: str) -> tuple[str, str]:
        from metricmind.resolve import check_word

        return check_word(self.model, phrase, target, self.dimension_values())
