"""What ``/profile`` and ``/directory`` share: a member's profile, read and shown in a language.

A profile starts from the member's latest approved application (its name, organisation,
languages and expertise) the first time they open ``/profile``; a member approved before
the directory existed, or without an application, starts from their display name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.text import Text, bold
from bot.forms.countries import fold
from bot.forms.steps import Step, label_text, other_key
from bot.services import Ctx
from handlers.application.common import form_of, speaker
from handlers.application.form import EXPERTISE_FIELD, NAME_FIELD, ORGANISATION_FIELD
from storage.application.repository import ApplicationRepository
from storage.directory.repository import DirectoryRepository, handles_of
from storage.models import Identity, MemberProfile, Person
from storage.regions import territory_name

#: The application form's step whose choices are a profile's languages.
LANGUAGES_FIELD = "languages"
#: The value of the application form's "other" choices.
OTHER = "other"
#: How many words of a bio a directory entry shows.
BIO_WORDS = 20


async def own_profile(ctx: Ctx) -> MemberProfile:
    """The sender's profile, made from their approved application the first time."""
    person_id = ctx.actor.person_id
    if person_id is None:  # only before the identity middleware ran
        raise UserFacingError(N_("Sorry, I do not know you yet."))
    directory = ctx.services.repo(DirectoryRepository)
    profile = await directory.get(person_id)
    if profile is not None:
        return profile
    application = await ctx.services.repo(ApplicationRepository).approved_of(person_id)
    answers: dict[str, Any] = application.answers if application is not None else {}
    return await directory.create(
        person_id,
        ctx.services.now(),
        name=str(answers.get(NAME_FIELD) or ctx.actor.display_name)[:200],
        organisation=str(answers.get(ORGANISATION_FIELD) or "")[:200],
        languages=_with_other(answers, LANGUAGES_FIELD),
        expertise=_with_other(answers, EXPERTISE_FIELD),
    )


def _with_other(answers: dict[str, Any], field: str) -> list[str]:
    """The choices answered to ``field``, the "other" one replaced by the text typed for it.

    A value that is not a choice is shown as it is (:func:`choice_labels`), so a profile
    says "Gender statistics" where the form's label would only say "Other".
    """
    typed = str(answers.get(other_key(field)) or "").strip()[:100]
    values = [str(value) for value in answers.get(field) or []]
    return [typed if value == OTHER and typed else value for value in values]


def choice_step(ctx: Ctx, field: str) -> Step | None:
    """The application form's multiple-choice step ``field`` (languages, expertise)."""
    return form_of(ctx).step(field)


def choice_labels(ctx: Ctx, field: str, values: Sequence[str], locale: str) -> str:
    """The labels of ``values`` of step ``field`` in ``locale``, comma separated."""
    step = choice_step(ctx, field)
    gettext = ctx.services.catalogs.translator(locale).gettext
    labels = (
        {choice.value: label_text(choice.label, gettext, locale) for choice in step.choices} if step else {}
    )
    return ", ".join(labels.get(value, value) for value in values)


def resolve_choice(ctx: Ctx, field: str, typed: str) -> str | None:
    """The choice of step ``field`` that ``typed`` means: its value, or the start of its label in any language."""
    step = choice_step(ctx, field)
    wanted = fold(typed.strip())
    if step is None or not wanted:
        return None
    catalogs = ctx.services.catalogs
    exact = [choice.value for choice in step.choices if choice.value == wanted]
    if exact:
        return exact[0]
    matches = {
        choice.value
        for choice in step.choices
        for locale in catalogs.locales
        if fold(label_text(choice.label, catalogs.translator(locale).gettext, locale)).startswith(wanted)
    }
    return matches.pop() if len(matches) == 1 else None


def valid_choices(ctx: Ctx, field: str) -> str:
    """Every choice of step ``field`` as ``value (label)``, in the reader's language."""
    step = choice_step(ctx, field)
    if step is None:
        return "-"
    locale = ctx.actor.locale
    gettext = ctx.services.catalogs.translator(locale).gettext
    return ", ".join(
        f"{choice.value} ({label_text(choice.label, gettext, locale)})" for choice in step.choices
    )


def first_words(text: str, count: int = BIO_WORDS) -> str:
    """The first ``count`` words of ``text``, with ``…`` when cut."""
    found = text.split()
    return " ".join(found[:count]) + ("…" if len(found) > count else "")


def profile_card(
    ctx: Ctx,
    profile: MemberProfile,
    person: Person,
    identities: Sequence[Identity],
    locale: str,
    *,
    short_bio: bool = False,
) -> list[Text]:
    """A profile as other members see it, in ``locale``: the handle only when shared."""
    say = speaker(ctx, locale)
    country = territory_name(person.country, locale) if person.country else "-"
    lines = [Text.of(bold(profile.name or person.display_name), f" — {country}")]
    if profile.organisation:
        lines.append(say(N_("Organisation: {organisation}"), organisation=profile.organisation))
    if profile.languages:
        languages = choice_labels(ctx, LANGUAGES_FIELD, profile.languages, locale)
        lines.append(say(N_("Training languages: {languages}"), languages=languages))
    if profile.expertise:
        areas = choice_labels(ctx, EXPERTISE_FIELD, profile.expertise, locale)
        lines.append(say(N_("Expertise: {areas}"), areas=areas))
    if profile.bio:
        lines.append(say(N_("About: {bio}"), bio=first_words(profile.bio) if short_bio else profile.bio))
    handles = handles_of(identities) if profile.show_handle else []
    if handles:
        lines.append(say(N_("Handle: {handles}"), handles=", ".join(handles)))
    return lines
