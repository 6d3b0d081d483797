"""What the wiki's search index holds, and what a query asks of it, script by script.

Both databases only split the prepared text on spaces (FTS5 ``unicode61`` on SQLite, the
``simple`` configuration on PostgreSQL) and compare whole tokens or token prefixes, so
every rule of a script is applied here, in Python, once to the indexed text
(:func:`index_tokens`) and once to the query (:func:`query_terms`): that is what gives
the same results on both.

* **Chinese and Japanese** (Han, hiragana, katakana) write no spaces between words, so a
  run of those characters would be one long token that no word typed alone could match.
  A run is indexed as its overlapping character bigrams plus its last character
  (``性别平等培训``: ``性别 别平 平等 等培 培训 训``), a dictionary-free segmentation. A
  query word of two characters or more asks for each of its bigrams; a single character
  asks for a token that *starts* with it, and every character of a run starts one. The
  bigrams are required together, not side by side: PostgreSQL keeps no positions past
  16,383 nor more than 256 per word, so adjacency over a long body would differ from
  FTS5's. Korean (Hangul) is left as written: it puts spaces between words.
* **Arabic** is folded as Lucene's ``ArabicNormalizer`` does, see :func:`fold_arabic`.
* **Russian** (and any Cyrillic word of at least :data:`PREFIX_FROM` letters) is matched by
  its stem as a prefix: :func:`russian_stem` strips one inflectional ending (``тренингов``:
  ``тренинг``), and the stem finds every word that starts with it (``тренинги``,
  ``тренингах``). The index keeps the words whole; no stemmer library is needed.
  ``ё`` and ``й`` are already ``е`` and ``и`` here: folding drops their diacritics.

Other scripts (Latin with its accents folded, Greek, Hebrew ...) are matched word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Letters written without spaces between words: iteration marks, kana, CJK unified
#: ideographs (with extension A and the supplementary planes), compatibility ideographs.
_CJK_CHARS = (
    "\u3005-\u3007\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
_CJK_SPLIT = re.compile(f"([{_CJK_CHARS}]+)")
_CYRILLIC = re.compile("[\u0400-\u04ff]+")

#: A Cyrillic word this long or longer is matched by its stem as a prefix; shorter ones
#: (``и``, ``для``, ``мир``) whole, or they would match too much.
PREFIX_FROM = 5
#: A stem keeps at least this many letters.
MIN_STEM = 4

#: Russian inflectional endings of nouns and adjectives, and infinitives (people search
#: for things; personal and past verb endings like ``-ет`` or ``-ли`` would cut nouns such
#: as ``бюджет`` or ``модели`` too short), already folded (``й`` is ``и``), longest first
#: so that ``ами`` goes before ``и``.
_RUSSIAN_ENDINGS = tuple(
    sorted(
        {
            *("иями", "ями", "ами", "иях", "ием", "ого", "его", "ому", "ему", "ыми", "ими"),
            *("ыи", "ии", "ои", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю", "ым", "им"),
            *("ых", "их", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "еи", "ию", "ия"),
            *("ью", "ать", "ять", "ить", "еть", "ть", "ться", "ся"),
            *("а", "я", "о", "е", "ы", "и", "у", "ю", "ь"),
        },
        key=lambda ending: (-len(ending), ending),
    )
)

#: Arabic letters folded for matching (after the combining marks, harakat among them, are
#: dropped by :func:`storage.wiki.query.fold`, and NFKD has turned ``أ إ آ ؤ ئ`` into
#: their bare letters plus a hamza or madda mark).
_ARABIC = str.maketrans(
    {
        "\u0640": None,  # tatweel (kashida): elongation, not a letter
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0622": "\u0627",  # alef with madda -> alef
        "\u0649": "\u064a",  # alef maqsura -> yaa: often written for one another
        "\u0629": "\u0647",  # taa marbuta -> haa: often written for one another at a word's end
        **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + n): str(n) for n in range(10)},  # Eastern Arabic-Indic (Persian, Urdu)
        **{chr(code): None for code in range(0x064B, 0x0660)},  # harakat, shadda, sukun ...
        "\u0670": None,  # superscript (dagger) alef
    }
)

_ARABIC_FOLDED = re.compile("[\u0622-\u0629\u0640\u0649\u064b-\u0671\u06f0-\u06f9]")


@dataclass(frozen=True, slots=True)
class Term:
    """One token a search result must hold.

    Attributes:
        text: the token, letters and digits only.
        prefix: any token starting with ``text`` will do.
    """

    text: str
    prefix: bool = False


def fold_arabic(text: str) -> str:
    """Fold Arabic spelling variants: no tatweel, harakat or dagger alef; every alef
    (``أ إ آ ٱ``) a bare ``ا``; ``ى`` as ``ي``; ``ة`` as ``ه``; Arabic-Indic digits as ASCII.

    ``ة``/``ه`` and ``ى``/``ي`` are merged although they are different letters: writers and
    keyboards swap them at the end of words far more often than two words differ by them
    alone (the same choice as Lucene's and Elasticsearch's Arabic normalisation).

    Examples:
        >>> fold_arabic("المُساواة") == "المساواه"
        True
    """
    if _ARABIC_FOLDED.search(text) is None:  # most text: translate() is the slow part
        return text
    return text.translate(_ARABIC)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any character written without spaces (see the module)."""
    return not text.isascii() and _CJK_RUN.search(text) is not None


def split_scripts(word: str) -> list[str]:
    """``word`` cut where CJK runs begin and end (``2024年报告``: ``2024``, ``年报告``)."""
    if word.isascii() or _CJK_RUN.search(word) is None:
        return [word]
    return [part for part in _CJK_SPLIT.split(word) if part]


def is_cjk(word: str) -> bool:
    """Whether ``word`` is a run of characters written without spaces (see the module)."""
    return not word.isascii() and _CJK_RUN.fullmatch(word) is not None


def index_tokens(word: str) -> list[str]:
    """The tokens indexed for one word (a word of :func:`split_scripts`)."""
    if len(word) < 2 or not is_cjk(word):
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)] + [word[-1]]


def query_terms(word: str) -> list[Term]:
    """The terms one query word asks for (every one of them must match)."""
    if is_cjk(word):
        if len(word) == 1:
            return [Term(word, prefix=True)]
        return [Term(word[i : i + 2]) for i in range(len(word) - 1)]
    if len(word) >= PREFIX_FROM and _CYRILLIC.fullmatch(word):
        return [Term(russian_stem(word), prefix=True)]
    return [Term(word)]


def russian_stem(word: str) -> str:
    """``word`` without its inflectional ending, keeping :data:`MIN_STEM` letters.

    Examples:
        >>> russian_stem("тренингов"), russian_stem("гендерного"), russian_stem("тренинг")
        ('тренинг', 'гендерн', 'тренинг')
    """
    for ending in _RUSSIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word
