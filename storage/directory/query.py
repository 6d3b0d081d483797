"""What a ``/directory`` search means, independent of the database: filters and words.

A search is words plus filters: ``expertise:gbv``, ``region:africa``, ``lang:fr``. A
filter's value may be quoted (``expertise:"peace and security"``), as in the wiki's
search (:mod:`storage.wiki.query`), whose folding and region names this module reuses:
``region:afrique`` is Africa, ``region:ke`` is Kenya.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage.models import MemberProfile, Person
from storage.regions import region_of
from storage.wiki.query import region_names, words

#: The filters a search may use.
FILTERS = ("expertise", "region", "lang")
#: A filter (its value bare or quoted, straight or curly quotes) or any other run of text.
_TOKEN = re.compile(
    r"(?<!\S)(expertise|region|lang):(?:[\"“«]([^\"”»]*)[\"”»]?|(\S*))|\S+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TypedSearch:
    """A search as typed: its words, and each filter's value as written (not yet checked)."""

    words: tuple[str, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> TypedSearch:
        found: list[str] = []
        filters: dict[str, str] = {}
        for match in _TOKEN.finditer(text[:1024]):
            if match.group(1) is None:
                found.extend(words(match.group(0)))
            else:
                filters[match.group(1).lower()] = (match.group(2) or match.group(3) or "").strip()
        return cls(tuple(dict.fromkeys(found))[:12], filters)


def region_code(value: str, locales: tuple[str, ...]) -> str | None:
    """The M49 region (``002``) or ISO country (``KE``) that ``value`` names, in any of ``locales``."""
    key = " ".join(words(value))
    code = region_names(locales).get(key)
    if code is not None:
        return code
    if len(key) == 2 and key.isalpha() and region_of(key):
        return key.upper()
    return None


@dataclass(frozen=True, slots=True)
class DirectorySearch:
    """A checked search: every given part must match.

    Attributes:
        words: folded words the name, organisation or bio must contain (as word starts).
        expertise: an expertise choice value.
        region: an M49 region code, or an ISO country code.
        language: a language choice value.
    """

    words: tuple[str, ...] = ()
    expertise: str | None = None
    region: str | None = None
    language: str | None = None

    def matches(self, profile: MemberProfile, person: Person) -> bool:
        if self.expertise is not None and self.expertise not in (profile.expertise or []):
            return False
        if self.language is not None and self.language not in (profile.languages or []):
            return False
        if self.region is not None and self.region not in (person.country, region_of(person.country)):
            return False
        if self.words:
            text = words(f"{profile.name} {profile.organisation} {profile.bio}")
            return all(any(word.startswith(wanted) for word in text) for wanted in self.words)
        return True

    def select(self, rows: Iterable[tuple[MemberProfile, Person]]) -> list[tuple[MemberProfile, Person]]:
        """The rows that match, in their order."""
        return [row for row in rows if self.matches(*row)]
