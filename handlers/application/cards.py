"""What moderators read about an application: the review card, what changed, its history.

Each text is written in the reader's language (``locale``): a card sent to every moderator
is built once per recipient. The applicant's account and language are on the card so a
moderator knows whom they are deciding about and in which language the applicant reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.cldr import language_name
from bot.core.i18n import N_
from bot.core.text import Text, bold, code, fill
from bot.core.types import Button
from bot.forms import Form
from bot.services import Ctx
from handlers.application.common import (
    REVIEW_BUTTONS,
    STATUS_NAMES,
    answers_of,
    command,
    review_recipients,
    show_value,
    speaker,
    summary_lines,
    title_of,
)
from handlers.application.form import EXPERTISE_FIELD, NAME_FIELD, ORGANISATION_FIELD
from storage.application.history import ApplicationHistory, Step
from storage.application.repository import ApplicationRepository, Status
from storage.models import Application, ApplicationEvent

#: What changed on resubmission: ``{field: [old, new]}``.
Changes = dict[str, list[Any]]


@dataclass(frozen=True, slots=True)
class Applicant:
    """Who applied, as moderators need to see it.

    Attributes:
        account: the platform account applied from, with the handle if there is one.
        locale: the language the applicant is written to in.
    """

    account: str
    locale: str


async def applicant_of(ctx: Ctx, application: Application) -> Applicant:
    """The account and language of the person who applied."""
    account = f"{application.platform}:{application.platform_user_id}"
    writer = ctx.actor
    if writer.person_id == application.person_id and writer.user.key == account:
        # the applicant is the one writing (a submission): the identity middleware has
        # resolved their handle and language already, so nothing is read again
        return Applicant(_with_handle(account, writer.user.username), writer.locale)
    users = ctx.services.users
    identity = await users.find(application.platform, application.platform_user_id)
    person = await users.person(application.person_id)
    reported = identity.language if identity is not None else None
    locale = ctx.services.catalogs.choose(person.locale if person else None, reported)
    return Applicant(_with_handle(account, identity.username if identity else None), locale)


def _with_handle(account: str, username: str | None) -> str:
    return f"{account} (@{username})" if username else account


def applicant_name(application: Application) -> str:
    """The applicant's name as they wrote it, else their platform id."""
    return str(application.answers.get(NAME_FIELD) or application.platform_user_id)


def moment(ctx: Ctx, at: datetime | None) -> str:
    """A time as moderators see it in review texts, in UTC and their language."""
    return f"{ctx.datetime(at, 'UTC')} UTC" if at is not None else "?"


def decision_buttons(ctx: Ctx, application: Application, locale: str) -> list[list[Button]]:
    """Approve / Reject / Ask for more information, in the reader's language."""
    gettext = ctx.services.catalogs.translator(locale).gettext
    return [
        [
            Button(gettext(N_("Approve")), f"{REVIEW_BUTTONS}:a:{application.id}"),
            Button(gettext(N_("Reject")), f"{REVIEW_BUTTONS}:r:{application.id}"),
        ],
        [Button(gettext(N_("Ask for more information")), f"{REVIEW_BUTTONS}:q:{application.id}")],
    ]


def card(
    ctx: Ctx, form: Form, application: Application, applicant: Applicant, locale: str, *, new: bool = False
) -> Text:
    """The application as a moderator reads it: heading, applicant, answers."""
    say = speaker(ctx, locale)
    gettext = ctx.services.catalogs.translator(locale).gettext
    name = applicant_name(application)
    heading = (
        say(N_("New application #{id} from {name}:"), id=application.id, name=name)
        if new
        else say(
            N_("Application #{id} from {name} ({status}):"),
            id=application.id,
            name=name,
            status=gettext(STATUS_NAMES[application.status]),
        )
    )
    who = say(
        N_("Account: {account}. Language: {language}."),
        account=applicant.account,
        language=language_name(applicant.locale, locale),
    )
    answers = answers_of(form, application)
    return Text.join("\n", [heading, who, *summary_lines(form, answers, gettext, locale)])


async def notify_reviewers(ctx: Ctx, form: Form, application: Application) -> None:
    """Send every moderator the application with its decision buttons, in their language."""
    applicant = await applicant_of(ctx, application)
    for recipient, locale in await review_recipients(ctx):
        ctx.send(
            recipient,
            card(ctx, form, application, applicant, locale, new=True),
            buttons=decision_buttons(ctx, application, locale),
        )


def changes_between(form: Form, before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """The answers that differ, field by field in the form's order: ``{field: [old, new]}``."""
    return {
        step.field: [before.get(step.field), after.get(step.field)]
        for step in form.steps
        if before.get(step.field) != after.get(step.field)
    }


def change_lines(form: Form, changes: Changes, gettext: Callable[[str], str], locale: str) -> list[Text]:
    """One line per changed answer: ``Field: old → new``."""
    lines = []
    for field, (old, new) in changes.items():
        step = form.step(field)
        if step is None:  # the form no longer asks it
            continue
        lines.append(
            speaker_of(gettext)(
                N_("{field}: {old} → {new}"),
                field=bold(title_of(step, gettext, locale)),
                old=show_value(step, old, gettext, locale),
                new=show_value(step, new, gettext, locale),
            )
        )
    return lines


async def notify_changes(
    ctx: Ctx, form: Form, application: Application, question: ApplicationEvent | None, changes: Changes
) -> None:
    """Tell the moderators an application came back: their question and what changed."""
    applicant = await applicant_of(ctx, application)
    for recipient, locale in await review_recipients(ctx):
        say = speaker(ctx, locale)
        gettext = ctx.services.catalogs.translator(locale).gettext
        lines: list[Text] = [
            say(
                N_("Application #{id} from {name} is back with changes."),
                id=application.id,
                name=applicant_name(application),
            ),
            say(N_("Account: {account}."), account=applicant.account),
        ]
        if question is not None:
            lines.append(
                say(
                    N_("{name} asked: {question}"),
                    name=question.actor_name or "?",
                    question=question.note or "",
                )
            )
        changed = change_lines(form, changes, gettext, locale)
        lines.extend([say(N_("What changed:")), *changed] if changed else [say(N_("Nothing was changed."))])
        lines.append(
            say(
                N_("Send {command} to see the whole application."),
                command=code(f"{command(ctx, recipient.platform, 'application')} {application.id}"),
            )
        )
        ctx.send(recipient, Text.join("\n", lines), buttons=decision_buttons(ctx, application, locale))


async def history_lines(ctx: Ctx, form: Form, application: Application) -> list[Text]:
    """The application's review so far, oldest first, in the actor's language."""
    events = await ctx.services.repo(ApplicationHistory).of(application.id)
    if not events:
        return []
    lines: list[Text] = [ctx._(N_("History:"))]
    for event in events:
        lines.extend(_event_lines(ctx, form, event))
    return lines


def _event_lines(ctx: Ctx, form: Form, event: ApplicationEvent) -> Sequence[Text]:
    when, name = moment(ctx, event.at), event.actor_name or "?"
    if event.kind == Step.SUBMITTED:
        return [ctx._(N_("{date}: sent by {name}."), date=when, name=name)]
    if event.kind == Step.ASKED:
        return [
            ctx._(N_("{date}: {name} asked: {question}"), date=when, name=name, question=event.note or "")
        ]
    if event.kind == Step.RESUBMITTED:
        changes: Changes = event.details.get("changes") or {}
        changed = change_lines(form, changes, ctx.gettext, ctx.actor.locale)
        if not changed:
            return [ctx._(N_("{date}: sent again by {name}, unchanged."), date=when, name=name)]
        return [ctx._(N_("{date}: sent again by {name}, with changes:"), date=when, name=name), *changed]
    if event.kind == Step.APPROVED:
        return [ctx._(N_("{date}: approved by {name}."), date=when, name=name)]
    return [ctx._(N_("{date}: rejected by {name}: {reason}"), date=when, name=name, reason=event.note or "")]


def speaker_of(gettext: Callable[[str], str]) -> Callable[..., Text]:
    """``say(msgid, **values)`` with a given ``gettext``."""

    def say(msgid: str, /, **values: Any) -> Text:
        return fill(gettext(msgid), values)

    return say


async def member_lines(ctx: Ctx, form: Form, person_id: int) -> list[Text]:
    """For ``/member``: the person's application, and their organisation and expertise as approved."""
    repository = ctx.services.repo(ApplicationRepository)
    lines: list[Text] = []
    latest = await repository.latest_of(person_id)
    if latest is not None and latest.status not in (Status.DRAFT, Status.CANCELLED):
        lines.append(
            ctx._(
                N_("Application: {command} ({status})"),
                command=code(f"{ctx.cmd('application')} {latest.id}"),
                status=ctx.gettext(STATUS_NAMES[latest.status]),
            )
        )
    approved = await repository.approved_of(person_id)
    answers = answers_of(form, approved) if approved is not None else {}
    for field in (ORGANISATION_FIELD, EXPERTISE_FIELD):
        step = form.step(field)
        if step is not None and answers.get(field) is not None:
            lines.append(
                ctx._(
                    N_("{field}: {answer}"),
                    field=title_of(step, ctx.gettext, ctx.actor.locale),
                    answer=show_value(step, answers[field], ctx.gettext, ctx.actor.locale),
                )
            )
    return lines
