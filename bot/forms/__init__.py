"""A form engine: steps declared as data, answers validated one at a time.

The engine knows nothing of what a form is for. A feature (the membership application,
the wiki's ``/wiki_add``) declares a :class:`~bot.forms.steps.Form`, asks its
questions and hands each answer to :func:`~bot.forms.steps.parse_answer`; where the
answers are kept and what happens when the form is complete is the feature's business.
"""

from __future__ import annotations

from bot.forms.countries import country_name, find_country
from bot.forms.display import show_value, summary_lines, title_of
from bot.forms.steps import Accepted, Choice, Form, Kind, Label, Rejected, Step, label_text, parse_answer

__all__ = [
    "Accepted",
    "Choice",
    "Form",
    "Kind",
    "Label",
    "Rejected",
    "Step",
    "country_name",
    "find_country",
    "label_text",
    "parse_answer",
    "show_value",
    "summary_lines",
    "title_of",
]
