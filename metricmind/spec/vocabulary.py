"""The project's shared vocabulary file: words the question resolver learned and a reviewer approved.

``metricmind/vocabulary.yml`` holds one entry per approved word::

    # Words the question resolver answers to, learned from feedback and approved in review.
    vocabulary:
      - phrase: recurring dosh
        kind: metric            # metric | dimension | value
        target: mrr             # a metric, a dimension, or dimension=value
        author: ana
        approved_by: bo

It is not a semantic file: the YAML loader skips it (and the old ``metricmind/learned_synonyms.yml``),
so no word can break loading, querying or validating the project. Words waiting for review and words
a person keeps for themselves live in the catalog store, never here. The old file (sections
``metrics:``/``dimensions:``/``values:`` mapping phrase → target) is still read, and folded into the new
file the next time the new file is written.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

VOCABULARY_FILE = "metricmind/vocabulary.yml"
"""The shared vocabulary, relative to the project root."""
LEGACY_FILE = "metricmind/learned_synonyms.yml"
"""Where learned words lived before review existed (read, then folded into ``VOCABULARY_FILE``)."""
NOT_SEMANTIC = frozenset({VOCABULARY_FILE, LEGACY_FILE})
"""Project files the YAML loader never reads as semantic definitions."""
KINDS = ("metric", "dimension", "value")
_LEGACY_SECTIONS = {"metrics": "metric", "dimensions": "dimension", "values": "value"}
_HEADER = (
    "# Words metricmind's question resolver answers to, learned from feedback and approved in review\n"
    "# (metricmind vocabulary list|approve|reject|remove). Not a semantic file: the loader skips it.\n"
)


@dataclass(frozen=True)
class Word:
    """One shared word: ``phrase`` means ``target`` (a ``kind``) for everyone."""

    phrase: str
    kind: str
    target: str
    author: str = ""
    approved_by: str = ""

    def to_dict(self) -> dict[str, str]:
        """The entry as written to the file (empty fields left out)."""
        return {k: v for k, v in asdict(self).items() if v}


def read_words(root: str | os.PathLike[str]) -> list[Word]:
    """The shared words of the project at ``root`` (the new file, then the old one's words not in it).

    A file that is not valid YAML, or an entry that is not a phrase/kind/target mapping, is skipped
    with a warning in the log: a damaged vocabulary never stops the project from loading or answering.
    """
    base = Path(root)
    words = _read_new(base / VOCABULARY_FILE)
    legacy = _read_legacy(base / LEGACY_FILE)
    if legacy:
        seen = {(w.kind, w.phrase) for w in words}
        words += [w for w in legacy if (w.kind, w.phrase) not in seen]
    return words


def write_words(root: str | os.PathLike[str], words: list[Word]) -> Path:
    """Replace the shared vocabulary with ``words`` atomically (temporary file, fsync, rename); the path.

    The old ``learned_synonyms.yml`` is removed once its words are in the new file (callers pass
    ``read_words(root)`` plus or minus their change, so nothing of it is lost).
    """
    path = Path(root) / VOCABULARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [w.to_dict() for w in sorted(words, key=lambda w: (w.kind, w.phrase))]
    text = _HEADER + yaml.safe_dump({"vocabulary": entries}, sort_keys=False, allow_unicode=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vocabulary.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    (Path(root) / LEGACY_FILE).unlink(missing_ok=True)
    return path


def _load(path: Path) -> Any:
    if not path.exists():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        log.warning("%s is not readable YAML (%s); its words are ignored until it is fixed", path, exc)
        return None


def _read_new(path: Path) -> list[Word]:
    data = _load(path)
    if data is None:
        return []
    entries = data.get("vocabulary") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        log.warning("%s: expected a top-level 'vocabulary:' list; its words are ignored", path)
        return []
    out: list[Word] = []
    for n, entry in enumerate(entries, 1):
        word = _word(entry)
        if word is None:
            log.warning("%s: entry %d is not a phrase/kind/target mapping; ignored", path, n)
            continue
        out.append(word)
    return out


def _read_legacy(path: Path) -> list[Word]:
    data = _load(path)
    if not isinstance(data, dict):
        return []
    out: list[Word] = []
    for section, kind in _LEGACY_SECTIONS.items():
        table = data.get(section)
        if isinstance(table, dict):
            for phrase, target in table.items():
                word = _word({"phrase": phrase, "kind": kind, "target": target, "author": LEGACY_FILE})
                if word is not None:
                    out.append(word)
    if out:
        log.info("%s: %d word(s) in the old format, read as shared vocabulary", path, len(out))
    return out


def _word(entry: Any) -> Word | None:
    if not isinstance(entry, dict):
        return None
    phrase = " ".join(str(entry.get("phrase") or "").split()).lower()
    kind = str(entry.get("kind") or "").strip()
    target = str(entry.get("target") or "").strip()
    if not phrase or not target or kind not in KINDS:
        return None
    return Word(phrase, kind, target, str(entry.get("author") or ""), str(entry.get("approved_by") or ""))


__all__ = ["KINDS", "LEGACY_FILE", "NOT_SEMANTIC", "VOCABULARY_FILE", "Word", "read_words", "write_words"]
