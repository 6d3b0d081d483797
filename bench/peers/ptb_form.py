"""The 8-step form as python-telegram-bot's documentation writes it.

A ``ConversationHandler`` with one state per question (its ``conversationbot.py``
example), answers in ``context.user_data``, ``PicklePersistence`` keeping the
conversations and user data, an inline Submit button under the summary, and on Submit
the thanks and a message to the moderators' group, as copbot does. The ``Application``
talks to the same in-process fake as copbot's adapter, through PTB's request layer
(:class:`~tests.platforms.telegram.fake.FakeRequest`).

Run by ``python -m bench.peers``; alone: ``python -m bench.peers.ptb_form [--applicants N]``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: TID251 (the peer is python-telegram-bot itself)
from telegram.constants import ParseMode  # noqa: TID251 (the peer is python-telegram-bot itself)
from telegram.ext import (  # noqa: TID251 (the peer is python-telegram-bot itself)
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

from bench.peers.common import (
    FIELDS,
    MODERATORS,
    QUESTIONS,
    THANKS,
    Load,
    report,
    run_peer,
    summary,
    validate,
)
from tests.platforms.telegram.fake import TOKEN, FakeRequest, FakeTelegram

CONFIRM = len(FIELDS)
NOTE = "ConversationHandler, PicklePersistence"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None
    assert context.user_data is not None
    context.user_data.clear()
    await update.message.reply_text(QUESTIONS[FIELDS[0]])
    return 0


def answer_of(state: int) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, int]]:
    field = FIELDS[state]

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None
        assert update.message.text is not None
        assert context.user_data is not None
        value, error = validate(field, update.message.text)
        if error is not None:
            await update.message.reply_text(error)
            return state
        context.user_data[field] = value
        if state + 1 < len(FIELDS):
            await update.message.reply_text(QUESTIONS[FIELDS[state + 1]])
            return state + 1
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Submit", callback_data="submit")]])
        await update.message.reply_text(
            summary(context.user_data), parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
        return CONFIRM

    return answer


async def submit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None
    assert context.user_data is not None
    assert update.effective_user is not None
    await query.answer()
    await context.bot.send_message(update.effective_user.id, f"{THANKS}! Your application has been sent.")
    await context.bot.send_message(MODERATORS, f"New application from {context.user_data['full_name']}")
    return ConversationHandler.END


def build(api: FakeTelegram, folder: Path) -> Application:  # type: ignore[type-arg]
    persistence = PicklePersistence(filepath=folder / "conversationbot")
    application = (
        Application.builder()
        .token(TOKEN)
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .persistence(persistence)
        .build()
    )
    text = filters.TEXT & ~filters.COMMAND
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        state: [MessageHandler(text, answer_of(state))] for state in range(len(FIELDS))
    }
    states[CONFIRM] = [CallbackQueryHandler(submit, pattern="^submit$")]
    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states=states,
        fallbacks=[CommandHandler("start", start)],
        name="application",
        persistent=True,
    )
    application.add_handler(conversation)
    return application


async def serve(folder: Path, applicants: int, in_flight: int, spawned: float | None) -> None:
    api = FakeTelegram()
    load = Load(api, applicants, in_flight)
    application = build(api, folder)
    async with application:  # PTB's documented way to run inside one's own event loop
        assert application.updater is not None
        await application.updater.start_polling()
        await application.start()
        try:
            seconds = await load.run("/start")
        finally:
            await application.updater.stop()
            await application.stop()
    report("python-telegram-bot", load, seconds, spawned, NOTE)


def main() -> None:
    run_peer(serve, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
