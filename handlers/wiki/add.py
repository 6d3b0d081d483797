"""``/wiki_add``: a moderator writes a new wiki entry by answering one question at a time.

The questions are a :class:`~bot.forms.Form` declared in :mod:`handlers.wiki.form` and
validated by the form engine, like the application form; what only the wiki knows (a slug is well formed and
free, a deadline only concerns opportunities) is checked here. The draft — answers and
the question being asked — is kept in ``bot_state`` (one row per moderator) in the
event's transaction, so a restart loses nothing: ``/wiki_add`` continues where it was.

Back, Skip and Cancel are buttons under each question; typed ``/back``, ``/skip`` and
``/cancel`` work too (see :mod:`handlers.form_controls`). The summary has an Edit button
per field; on confirmation the entry goes through the wiki repository (search index and
"did you mean" vocabulary at once) and an audit entry records it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.core.commands import Topic, Where
from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.router import Router
from bot.core.text import Text, bold, code
from bot.core.types import Button, Role
from bot.forms import Accepted, Form, Rejected, Step, label_text, parse_answer, show_value, summary_lines
from bot.forms.countries import fold
from bot.services import Ctx
from handlers.form_controls import FormControls
from handlers.wiki.form import FORM, applicable
from storage.wiki.data import SLUG, WikiEntryData
from storage.wiki.repository import WikiRepository

router = Router("wiki_add")

BUTTONS = "wikiadd"
_DRAFT = "wiki.add."


# -- entry points -----------------------------------------------------------------------


@router.command(
    "wiki_add",
    role=Role.MODERATOR,
    description=N_("Add an entry to the wiki, step by step"),
    where=Where.DIRECT,
    topic=Topic.WIKI,
)
async def wiki_add(ctx: Ctx) -> None:
    if not ctx.event.is_direct:
        ctx.reply(ctx._(N_("I have sent you a direct message to continue there.")))
    draft = await _load(ctx)
    if draft is None:
        draft = {"answers": {}, "cursor": None}
        await _store(ctx, draft)
        intro = ctx._(
            N_(
                "Let us write a new wiki entry. Answer each question in turn; the buttons under "
                "a question take you back, skip an optional question or cancel. You can pause "
                "and continue later with {command}."
            ),
            command=code(ctx.cmd("wiki_add")),
        )
    else:
        intro = ctx._(N_("Welcome back! Let us continue where you left off."))
    await _show_place(ctx, draft, [intro])


async def _writing(ctx: Ctx) -> bool:
    """Whether this plain message answers a moderator's entry in progress (direct chat only)."""
    message = ctx.message
    if message is None or not message.is_direct or message.edited or ctx.actor.person_id is None:
        return False
    return ctx.actor.has(Role.MODERATOR) and await _load(ctx) is not None


@router.message(filter=_writing, role=Role.MODERATOR)
async def answer(ctx: Ctx) -> None:
    draft = await _require(ctx)
    step = _current(draft)
    text = ctx.message.text if ctx.message else None
    if step is None:
        await _show_place(ctx, draft, [])
        return
    if text is None:
        await _ask(ctx, draft, step, [ctx._(N_("I can only read text here."))])
        return
    labels = [label_text(choice.label, ctx.gettext, ctx.actor.locale) for choice in step.choices]
    result = parse_answer(step, text, labels)
    if isinstance(result, Accepted) and step.field == "slug":
        result = await _check_slug(ctx, str(result.value))
    if isinstance(result, Rejected):
        await _ask(ctx, draft, step, [ctx._(result.msgid, **result.values)])
        return
    await _accept(ctx, draft, step, result)


@router.button(BUTTONS, role=Role.MODERATOR)
async def form_button(ctx: Ctx) -> None:
    payload = (ctx.message.button if ctx.message else None) or ""
    _, action, *rest = [*payload.split(":"), "", ""]
    draft = await _require(ctx)
    step = _current(draft)
    if action == "x":
        await _cancel(ctx, draft, rest[0])
    elif action == "s":
        await _save(ctx, draft)
    elif action == "e" and FORM.step(rest[0]) is not None:
        draft["cursor"] = rest[0]
        await _store(ctx, draft)
        await _show_place(ctx, draft, [])
    elif action == "b":
        await _back(ctx, draft, step)
    elif step is None or rest[0] != step.field:
        await _show_place(ctx, draft, [ctx._(N_("That button belongs to another question."))])
    elif action == "k":
        await _skip(ctx, draft, step)
    elif action == "c" and rest[1].isdigit() and int(rest[1]) < len(step.choices):
        await _accept(ctx, draft, step, Accepted(step.choices[int(rest[1])].value))
    elif action == "u" and step.field == "slug":
        suggestion = await _suggest(ctx, draft)
        if suggestion is None:
            await _ask(ctx, draft, step, [])
        else:
            await _accept(ctx, draft, step, Accepted(suggestion))


async def _skip(ctx: Ctx, draft: dict[str, Any], step: Step) -> None:
    if step.required:
        note = ctx._(N_("This question must be answered: it cannot be skipped."))
        await _ask(ctx, draft, step, [note])
    else:
        await _accept(ctx, draft, step, Accepted(None))


# -- typed /back, /skip, /cancel (routed here by handlers.form_controls) ----------------


async def _in_progress(ctx: Ctx) -> bool:
    return ctx.actor.person_id is not None and ctx.actor.has(Role.MODERATOR) and await _load(ctx) is not None


async def typed_back(ctx: Ctx) -> None:
    draft = await _require(ctx)
    await _back(ctx, draft, _current(draft))


async def typed_skip(ctx: Ctx) -> None:
    draft = await _require(ctx)
    step = _current(draft)
    if step is None:
        await _show_place(ctx, draft, [])
    else:
        await _skip(ctx, draft, step)


async def typed_cancel(ctx: Ctx) -> None:
    await _cancel(ctx, await _require(ctx), "")


CONTROLS = FormControls(in_progress=_in_progress, back=typed_back, skip=typed_skip, cancel=typed_cancel)


# -- the form's place -------------------------------------------------------------------


def _current(draft: dict[str, Any]) -> Step | None:
    answers: dict[str, Any] = draft["answers"]
    steps = applicable(answers)
    cursor = draft.get("cursor")
    chosen = next((step for step in steps if step.field == cursor), None)
    return chosen or next((step for step in steps if step.field not in answers), None)


async def _accept(ctx: Ctx, draft: dict[str, Any], step: Step, result: Accepted) -> None:
    draft["answers"][step.field] = result.value
    draft["cursor"] = None
    await _store(ctx, draft)
    notes: list[Text] = []
    if result.truncated:
        notes.append(
            ctx._(
                N_("Your answer was longer than {limit} characters: I kept the first {limit}."),
                limit=step.max_length,
            )
        )
    await _show_place(ctx, draft, notes)


async def _back(ctx: Ctx, draft: dict[str, Any], step: Step | None) -> None:
    steps = applicable(draft["answers"])
    index = len(steps) if step is None else steps.index(step)
    notes = [ctx._(N_("This is the first question."))] if index == 0 else []
    draft["cursor"] = steps[max(index - 1, 0)].field
    await _store(ctx, draft)
    await _show_place(ctx, draft, notes)


async def _show_place(ctx: Ctx, draft: dict[str, Any], before: list[Text]) -> None:
    step = _current(draft)
    if step is None:
        _summary(ctx, draft, before)
    else:
        await _ask(ctx, draft, step, before)


async def _ask(ctx: Ctx, draft: dict[str, Any], step: Step, before: list[Text]) -> None:
    gettext, locale = ctx.gettext, ctx.actor.locale
    answers: dict[str, Any] = draft["answers"]
    steps = applicable(answers)
    parts: list[Text | str] = list(before)
    parts.append(
        ctx._(
            N_("Question {number} of {total}: {question}"),
            number=steps.index(step) + 1,
            total=len(steps),
            question=bold(label_text(step.question, gettext, locale)),
        )
    )
    if step.field in answers:
        current = show_value(step, answers[step.field], gettext, locale)
        parts.append(ctx._(N_("Your current answer: {answer}"), answer=current))
    buttons = [
        [Button(label_text(choice.label, gettext, locale), f"{BUTTONS}:c:{step.field}:{index}")]
        for index, choice in enumerate(step.choices)
    ]
    if step.field == "slug":
        suggestion = await _suggest(ctx, draft)
        if suggestion is not None:
            parts.append(ctx._(N_("Suggestion: {slug}"), slug=code(suggestion)))
            buttons.append([Button(str(ctx._(N_("Use {slug}"), slug=suggestion)), f"{BUTTONS}:u:slug")])
    if not step.required:
        parts.append(ctx._(N_("This question is optional.")))
    navigation = [Button(gettext(N_("◀ Back")), f"{BUTTONS}:b")] if steps.index(step) > 0 else []
    if not step.required:
        navigation.append(Button(gettext(N_("Skip")), f"{BUTTONS}:k:{step.field}"))
    navigation.append(Button(gettext(N_("Cancel")), f"{BUTTONS}:x"))
    buttons.append(navigation)
    ctx.send(ctx.event.sender, Text.join("\n\n", parts), buttons=buttons)


def _summary(ctx: Ctx, draft: dict[str, Any], before: list[Text]) -> None:
    gettext, locale = ctx.gettext, ctx.actor.locale
    form = Form(steps=applicable(draft["answers"]))
    lines: list[Text] = [
        ctx._(N_("Please check the new entry. Press a field to change it, or Add to the wiki to save it."))
    ]
    lines.extend(summary_lines(form, draft["answers"], gettext, locale))
    buttons = [
        [
            Button(
                "\u270e " + label_text(step.title or step.question, gettext, locale),
                f"{BUTTONS}:e:{step.field}",
            )
        ]
        for step in form.steps
    ]
    buttons.append(
        [
            Button(gettext(N_("Add to the wiki")), f"{BUTTONS}:s"),
            Button(gettext(N_("Cancel")), f"{BUTTONS}:x"),
        ]
    )
    ctx.send(ctx.event.sender, Text.join("\n\n", [*before, Text.join("\n", lines)]), buttons=buttons)


# -- the wiki's own rules ---------------------------------------------------------------


async def _check_slug(ctx: Ctx, typed: str) -> Accepted | Rejected:
    slug = typed.strip().lower()
    if not SLUG.fullmatch(slug):
        return Rejected(
            N_(
                "A slug is lower case letters, digits and single hyphens between them, such as "
                "gender-budgeting-guide."
            )
        )
    if await ctx.services.repo(WikiRepository).get(slug) is not None:
        return Rejected(
            N_("There is already an entry {slug}: please choose another slug."), {"slug": code(slug)}
        )
    return Accepted(slug)


async def _suggest(ctx: Ctx, draft: dict[str, Any]) -> str | None:
    """A free slug made of the title's words, if there is a title."""
    title = draft["answers"].get("title")
    base = "-".join(fold(str(title or "")).encode("ascii", "ignore").decode().split())[:60].strip("-")
    if not base or not SLUG.fullmatch(base):
        return None
    for number in range(1, 10):
        candidate = base if number == 1 else f"{base}-{number}"
        if await ctx.services.repo(WikiRepository).get(candidate) is None:
            return candidate
    return None


async def _save(ctx: Ctx, draft: dict[str, Any]) -> None:
    answers: dict[str, Any] = draft["answers"]
    if any(step.field not in answers for step in applicable(answers)):
        await _show_place(ctx, draft, [ctx._(N_("Some questions are not answered yet."))])
        return
    slug = str(answers["slug"])
    if await ctx.services.repo(WikiRepository).get(slug) is not None:  # taken since it was typed
        draft["cursor"] = "slug"
        await _store(ctx, draft)
        note = ctx._(N_("There is already an entry {slug}: please choose another slug."), slug=code(slug))
        await _show_place(ctx, draft, [note])
        return
    fields = {step.field: answers[step.field] for step in applicable(answers)}
    try:
        data = WikiEntryData.model_validate({**fields, "tags": fields.get("tags") or ()})
    except ValidationError as error:
        problem = "; ".join(str(detail["msg"]) for detail in error.errors())
        raise UserFacingError(N_("The entry was not added: {problem}"), problem=problem) from None
    now = ctx.services.now()
    entry, _created = await ctx.services.repo(WikiRepository).upsert(data, now)
    await ctx.services.audit.record(
        at=now,
        actor=ctx.actor.user.key,
        actor_person_id=ctx.actor.person_id,
        action="wiki.add",
        target=entry.slug,
        details={"title": entry.title, "kind": entry.kind},
    )
    await ctx.services.state.set(_key(ctx), None, now)
    ctx.send(
        ctx.event.sender,
        ctx._(
            N_("Added {title} to the wiki. Read it with {command}."),
            title=bold(entry.title),
            command=code(f"{ctx.cmd('wiki')} {entry.slug}"),
        ),
    )


async def _cancel(ctx: Ctx, draft: dict[str, Any], confirmed: str) -> None:
    if confirmed == "n":
        await _show_place(ctx, draft, [])
    elif confirmed == "y":
        await ctx.services.state.set(_key(ctx), None, ctx.services.now())
        ctx.send(ctx.event.sender, ctx._(N_("The new entry was discarded.")))
    else:
        ctx.send(
            ctx.event.sender,
            ctx._(N_("Do you really want to discard this entry and all its answers?")),
            buttons=[
                [
                    Button(ctx.gettext(N_("Yes, discard it")), f"{BUTTONS}:x:y"),
                    Button(ctx.gettext(N_("No, continue")), f"{BUTTONS}:x:n"),
                ]
            ],
        )


# -- the draft --------------------------------------------------------------------------


def _key(ctx: Ctx) -> str:
    return f"{_DRAFT}{ctx.actor.person_id}"


async def _load(ctx: Ctx) -> dict[str, Any] | None:
    stored = await ctx.services.state.get(_key(ctx))
    if not isinstance(stored, dict) or not isinstance(stored.get("answers"), dict):
        return None
    return {"answers": dict(stored["answers"]), "cursor": stored.get("cursor")}


async def _require(ctx: Ctx) -> dict[str, Any]:
    draft = await _load(ctx)
    if draft is None:
        raise UserFacingError(
            N_("You are not writing a wiki entry. Send {command} to start one."),
            command=code(ctx.cmd("wiki_add")),
        )
    return draft


async def _store(ctx: Ctx, draft: dict[str, Any]) -> None:
    # a new dict each time: the JSON column must see a changed value to write it
    await ctx.services.state.set(
        _key(ctx), {"answers": dict(draft["answers"]), "cursor": draft["cursor"]}, ctx.services.now()
    )
