"""Texts a dialogue keeps in several languages (titles, descriptions, prompts).

They are stored as a language code -> text mapping, e.g. ``{"en": "...", "es": "..."}``.
"""

from __future__ import annotations


def localized(texts: dict[str, str], locale: str, fallback: str = "en") -> str:
    """The text in ``locale``, else in ``fallback``, else in any language."""
    return texts.get(locale) or texts.get(fallback) or next(iter(texts.values()), "")
