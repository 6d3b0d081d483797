"""What a wiki search means, independent of the database: folding, words and filters.

Both databases index the same *folded* text and receive the same folded words, so
``genero`` finds ``género`` on SQLite and PostgreSQL alike without any database
extension: :func:`fold` decomposes (NFKD), drops the combining marks and case-folds.
:func:`words` then keeps letters and digits only, so quotes, ``*``, ``-``, ``NEAR(``,
``OR``, SQL fragments, emoji or a 4 kB paste reach the database as plain words and
never as syntax. Chinese, Arabic and Russian need more (:mod:`storage.wiki.scripts`):
:func:`index_text` applies it to what is indexed, :attr:`WikiQuery.terms` to a query.

A query is words plus filters: ``kind:training``, ``region:africa``, ``lang:es`` and
``all:`` (also show opportunities whose deadline has passed). A filter's value may be
quoted (``region:"latin america"``) and named in the reader's language (``kind:formation``,
``region:afrique``: see :class:`FilterNames`). ``region:`` names a UN M49 region (an
entry is in it when its country is, or its free-text region names it), a country, or
else words of the entries' free-text region (``region:global``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from storage.regions import REGIONS, region_of, territory_name
from storage.wiki.scripts import Term, fold_arabic, has_cjk, index_tokens, is_cjk, query_terms, split_scripts

#: Words longer than this are not indexed nor searched (nobody types them; PostgreSQL
#: refuses lexemes over 2 kB).
MAX_WORD = 60
#: A query keeps at most this many words: more only slows the search down.
MAX_QUERY_WORDS = 12
#: ... and asks for at most this many terms (a long Chinese word asks for one per bigram).
MAX_QUERY_TERMS = 24

_WORD = re.compile(r"[^\W_]+")
#: A filter (its value bare or quoted, straight or curly quotes) or any other run of text.
_TOKEN = re.compile(
    r"(?<!\S)(kind|region|lang|all):(?:[\"“«]([^\"”»]*)[\"”»]?|(\S*))|\S+",
    re.IGNORECASE,
)
#: Names a free-text region may use for an M49 region besides CLDR's ("Latin America").
_INDEX_ALIASES = {"america": "019"}


class WikiKind(StrEnum):
    """What a wiki entry describes."""

    INSTITUTION = "institution"
    TRAINING = "training"
    MATERIAL = "material"
    OPPORTUNITY = "opportunity"
    TEMPLATE = "template"


_KINDS = {kind.value: kind for kind in WikiKind}


@cache
def region_names(locales: tuple[str, ...] = ("en", "es", "fr")) -> dict[str, str]:
    """The M49 regions' names in ``locales`` (CLDR, through Babel), folded, with their codes.

    Examples:
        >>> region_names(("fr",))["afrique"]
        '002'
    """
    names = {code: code for code in REGIONS}
    for locale in ("en", *locales):
        for code in REGIONS:
            names[" ".join(words(territory_name(code, locale)))] = code
    return names


def regions_named_in(text: str) -> list[str]:
    """The M49 regions a free-text region names (``Asia and the Pacific``: Asia)."""
    found = set(words(text))
    known = {**region_names(), **_INDEX_ALIASES}
    return list(dict.fromkeys(code for name, code in known.items() if found.issuperset(name.split())))


@dataclass(frozen=True, slots=True)
class FilterNames:
    """What filter values may be typed as, besides the kinds' English names and M49 codes.

    Attributes:
        kinds: folded names (a reader's language's, e.g. ``formation``) and their kinds.
        regions: folded region names (``afrique``) and their M49 codes.
        country: the ISO code of a country named in a value (``kenya``), if any.
    """

    kinds: Mapping[str, WikiKind] = field(default_factory=dict)
    regions: Mapping[str, str] = field(default_factory=region_names)
    country: Callable[[str], str | None] | None = None


def fold(text: str) -> str:
    """Fold ``text`` for matching: no accents, no case, compatibility forms unified, and
    Arabic spelling variants merged (:func:`storage.wiki.scripts.fold_arabic`).

    Examples:
        >>> fold("Género ÉQUITÉ ﬁn")
        'genero equite fin'
    """
    if text.isascii():  # most text: nothing to decompose, and casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return fold_arabic("".join(c for c in decomposed if not unicodedata.combining(c)).casefold())


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits, nothing else.

    A run of Chinese or Japanese characters is a word of its own (``2024年``: ``2024``,
    ``年``), however long: the index cuts it into bigrams (:mod:`storage.wiki.scripts`).
    """
    return _words(fold(text))


def index_text(text: str) -> str:
    """``text`` as it is stored for indexing: its folded words, CJK runs as bigrams
    (:func:`storage.wiki.scripts.index_tokens`), separated by spaces."""
    folded = fold(text)
    if not has_cjk(folded):
        return " ".join(_words(folded))
    return " ".join(token for word in _words(folded) for token in index_tokens(word))


def _words(folded: str) -> list[str]:
    if not has_cjk(folded):  # most text
        return [word for word in _WORD.findall(folded) if len(word) <= MAX_WORD]
    return [
        part
        for word in _WORD.findall(folded)
        for part in split_scripts(word)
        if len(part) <= MAX_WORD or is_cjk(part)
    ]


def facet(name: str, value: str) -> str:
    """A filter as one indexed word, e.g. ``kindtraining`` (letters only, see :func:`words`)."""
    return name + "".join(words(value))


@dataclass(frozen=True, slots=True)
class WikiQuery:
    """A parsed search.

    Attributes:
        words: the folded words every result must contain (title, tags, summary or body).
        kind: only entries of this kind.
        region: words the entry's region or country must contain.
        language: only entries written in, or translated into, this language.
        include_expired: also opportunities whose deadline has passed.
        unknown_kind: a ``kind:`` value that names no kind (no kind filter is applied).
        unknown_region: a ``region:`` value naming neither a region nor a country (its
            words are looked for in the entries' free-text regions).
    """

    words: tuple[str, ...] = ()
    kind: WikiKind | None = None
    region: tuple[str, ...] = ()
    language: str | None = None
    include_expired: bool = False
    unknown_kind: str | None = None
    unknown_region: str | None = None

    @property
    def facets(self) -> tuple[str, ...]:
        """The filters as indexed words (see :func:`entry_facets`)."""
        found: list[str] = []
        if self.kind is not None:
            found.append(facet("kind", self.kind))
        found.extend(facet("region", word) for word in self.region)
        if self.language is not None:
            found.append(facet("lang", self.language))
        return tuple(found)

    @property
    def terms(self) -> tuple[Term, ...]:
        """What the index must hold for :attr:`words`, script by script (at most
        :data:`MAX_QUERY_TERMS`; see :func:`storage.wiki.scripts.query_terms`)."""
        found = (term for word in self.words for term in query_terms(word))
        return tuple(dict.fromkeys(found))[:MAX_QUERY_TERMS]

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.facets

    def with_words(self, replacement: tuple[str, ...]) -> WikiQuery:
        return WikiQuery(
            replacement,
            self.kind,
            self.region,
            self.language,
            self.include_expired,
            self.unknown_kind,
            self.unknown_region,
        )

    def as_text(self) -> str:
        """What a user would type for this query (:meth:`parse` reads it back)."""
        parts = list(self.words)
        if self.kind is not None:
            parts.append(f"kind:{self.kind.value}")
        parts.extend(f"region:{value}" for value in self.region)
        if self.language is not None:
            parts.append(f"lang:{self.language}")
        if self.include_expired:
            parts.append("all:")
        return " ".join(parts)

    @classmethod
    def parse(cls, text: str, names: FilterNames | None = None) -> WikiQuery:
        """Parse what a user typed; never fails. Unknown kinds and regions are noted.

        Args:
            text: the search as typed.
            names: the filter values' names in the reader's language.
        """
        names = names or FilterNames()
        found: list[str] = []
        kind: WikiKind | None = None
        region: list[str] = []
        language: str | None = None
        include_expired = False
        unknown_kind: str | None = None
        unknown_region: str | None = None
        for match in _TOKEN.finditer(text[:4096]):
            if match.group(1) is None:
                found.extend(words(match.group(0)))
                continue
            name, value = match.group(1).lower(), match.group(2) or match.group(3) or ""
            key = " ".join(words(value))
            if name == "all":
                include_expired = True
                found.extend(words(value))
            elif name == "kind":
                named = names.kinds.get(key) or _KINDS.get(key)
                kind = kind or named
                unknown_kind = unknown_kind if named is not None else value
            elif name == "region" and key:
                code = names.regions.get(key) or (key if key in REGIONS else None)
                country = None if code else (names.country(value) if names.country else None)
                if code or country:
                    region.append((code or country or "").lower())
                else:
                    region.extend(words(value))
                    unknown_region = value
            elif name == "lang" and key:
                language = key.split()[0][:8]
        unique = tuple(dict.fromkeys(found))[:MAX_QUERY_WORDS]
        regions = tuple(dict.fromkeys(region))[:4]
        return cls(unique, kind, regions, language, include_expired, unknown_kind, unknown_region)


def entry_facets(kind: str, region: str | None, country: str | None, languages: list[str]) -> str:
    """The filter words indexed for an entry."""
    found = [facet("kind", kind)]
    found.extend(facet("region", word) for word in words(region or ""))
    found.extend(facet("region", code) for code in regions_named_in(region or ""))
    if country:
        found.append(facet("region", country))
        found.extend(facet("region", code) for code in filter(None, [region_of(country)]))
    found.extend(facet("lang", language) for language in languages)
    return " ".join(dict.fromkeys(found))


def snippet(texts: Sequence[str], query_words: Sequence[str], width: int = 90) -> str:
    """One line from the first of ``texts`` holding a query word, around that word.

    Without any query word in them, the start of the first non-empty text. Markdown
    markers are dropped, whitespace collapsed; cuts fall between words, marked ``…``.
    """
    flats = [" ".join(_MARKUP.sub(" ", text).split()) for text in texts]
    for flat in flats:
        at = _find(flat, query_words)
        if at is not None:
            return _excerpt(flat, max(at - width // 3, 0), width)
    return next((_excerpt(flat, 0, width) for flat in flats if flat), "")


_MARKUP = re.compile(r"[#*_`>|]+|\[|\]\([^)]*\)")


def _find(flat: str, query_words: Sequence[str]) -> int | None:
    """Where the first query word (or what it matches: a Russian word's stem) starts in
    ``flat`` (folding character by character)."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(flat):
        for piece in fold(char):
            folded.append(piece)
            origin.append(index)
    haystack = "".join(folded)
    needles = {
        *query_words,
        *(term.text for word in query_words for term in query_terms(word) if term.prefix),
    }
    found = [haystack.find(needle) for needle in needles]
    hits = [at for at in found if at >= 0]
    return origin[min(hits)] if hits else None


def _excerpt(flat: str, start: int, width: int) -> str:
    if start > 0:
        space = flat.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else start
    end = start + width
    if end >= len(flat):
        return ("…" if start else "") + flat[start:]
    space = flat.rfind(" ", start, end)
    end = space if space > start else end
    return ("…" if start else "") + flat[start:end] + "…"
