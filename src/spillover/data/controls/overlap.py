"""Is a training request too close to an evaluation question? Shared content words, measured.

Two texts are close when the Jaccard similarity of their content-word sets (lower case, common
function words dropped, a plural `s` stripped) reaches `threshold`, or when they share a run of
`ngram` consecutive content words. The check runs against every built-in question set and, when
given, the study's question files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

THRESHOLD = 0.3
NGRAM = 3

_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing don done down during each else ever
    every few for from further get got had has have having he her here hers herself him himself
    his how i if in into is it its itself just like me might more most much must my myself no nor
    not now of off on once only or other our ours out over own please really same she should so
    some such than that the their theirs them themselves then there these they this those through
    to too under until up very want was we were what when where which while who whom why will with
    would yes you your yours yourself yourselves ll re ve s t d m
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[a-z0-9]+")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@cache
def content_words(text: str) -> tuple[str, ...]:
    """The content words of `text`, in order."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return tuple(_singular(w) for w in words if w not in STOPWORDS)


def _ngrams(words: Sequence[str], n: int) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


@dataclass(frozen=True)
class _Profile:
    text: str
    words: frozenset[str]
    runs: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, text: str, ngram: int) -> _Profile:
        words = content_words(text)
        return cls(text, frozenset(words), _ngrams(words, ngram))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the content-word sets of `a` and `b` (0 when either has none)."""
    return _jaccard(frozenset(content_words(a)), frozenset(content_words(b)))


@dataclass(frozen=True)
class Overlap:
    request: str
    question: str
    similarity: float
    shared: tuple[str, ...]


def closeness(
    request: str, question: str, *, threshold: float = THRESHOLD, ngram: int = NGRAM
) -> Overlap | None:
    """An `Overlap` when `request` is close to `question`, else None."""
    return _close(_Profile.of(request, ngram), _Profile.of(question, ngram), threshold)


def _close(request: _Profile, question: _Profile, threshold: float) -> Overlap | None:
    similarity = _jaccard(request.words, question.words)
    if similarity < threshold and not request.runs & question.runs:
        return None
    shared = tuple(sorted(request.words & question.words))
    return Overlap(request.text, question.text, similarity, shared)


def find_overlaps(
    requests: Iterable[str],
    questions: Sequence[str],
    *,
    threshold: float = THRESHOLD,
    ngram: int = NGRAM,
) -> list[Overlap]:
    """Every (request, question) pair that is close; distinct requests are checked once."""
    profiles = [_Profile.of(q, ngram) for q in questions]
    found: list[Overlap] = []
    for request in dict.fromkeys(requests):
        mine = _Profile.of(request, ngram)
        for question in profiles:
            if mine.words & question.words:
                hit = _close(mine, question, threshold)
                if hit is not None:
                    found.append(hit)
    return found


def evaluation_questions(extra_files: Iterable[str | Path] = ()) -> list[str]:
    """Every paraphrase of every built-in question set, plus those of `extra_files`."""
    from spillover.questions import resolve_questions
    from spillover.questions.sets import SET_NAMES

    texts: list[str] = []
    for spec in (*SET_NAMES, *extra_files):
        for question in resolve_questions(spec).questions:
            texts.extend(question.paraphrases)
    return list(dict.fromkeys(texts))
