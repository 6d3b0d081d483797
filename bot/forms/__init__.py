"""A form engine: steps declared as data, answers validated one at a time.

The engine knows nothing of what a form is for. A feature (the membership application,
the wiki's ``/wiki_add``) declares a :class:`~bot.forms.steps.Form` and a
:class:`~bot.forms.flow.FormFlow`: where its drafts are kept
(:class:`~bot.forms.drafts.DraftStore`) and hooks for what happens on Submit and Cancel.
The flow asks the questions, validates each answer with
:func:`~bot.forms.steps.parse_answer`, and handles Back, Skip, Edit and Cancel;
:func:`~bot.forms.controls.controls_router` routes the typed ``/back``, ``/skip`` and
``/cancel`` to whichever form is in progress.
"""

from __future__ import annotations

from bot.forms.controls import controls_router
from bot.forms.countries import country_name, find_country
from bot.forms.declaration import FormTexts, Reopen
from bot.forms.display import show_value, summary_lines, title_of
from bot.forms.drafts import DraftStore, FormDraft
from bot.forms.flow import FormFlow
from bot.forms.prompts import Suggestion
from bot.forms.steps import Accepted, Choice, Form, Kind, Label, Rejected, Step, label_text, parse_answer

__all__ = [
    "Accepted",
    "Choice",
    "DraftStore",
    "Form",
    "FormDraft",
    "FormFlow",
    "FormTexts",
    "Kind",
    "Label",
    "Rejected",
    "Reopen",
    "Step",
    "Suggestion",
    "controls_router",
    "country_name",
    "find_country",
    "label_text",
    "parse_answer",
    "show_value",
    "summary_lines",
    "title_of",
]
