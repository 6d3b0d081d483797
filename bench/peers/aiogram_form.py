# mypy: ignore-errors
# (aiogram is not installed where mypy runs: this module runs in .venv-peers)
"""The 8-step form as aiogram's documentation writes it, with an SQLite FSM storage.

aiogram 3: a ``Router`` with a ``StatesGroup`` (its ``finite_state_machine.py``
example), answers kept with ``state.update_data``, an inline Submit button under the
summary, and on Submit the thanks and a message to the moderators' group, as copbot
does. aiogram ships memory, Redis and MongoDB storages but none on SQLite:
:class:`SQLiteStorage` is the small ``BaseStorage`` subclass on ``aiosqlite`` its
documentation asks for, committing every write. :class:`FakeSession` is a
``BaseSession`` answering each call from the same in-process fake as copbot's adapter
(aiogram's ``AiohttpSession`` would need HTTP).

Runs in its own virtualenv (``.venv-peers``, made by the driver): aiogram is not one of
copbot's dependencies. Alone: ``.venv-peers/bin/python -m bench.peers.aiogram_form``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping
from pathlib import Path
from typing import Any

from bench.peers.common import (
    FIELDS,
    MODERATORS,
    QUESTIONS,
    THANKS,
    Load,
    report,
    run_peer,
    stub_telegram,
    summary,
    validate,
)

stub_telegram()

import aiosqlite  # noqa: E402
from aiogram import Bot, Dispatcher, F, Router  # noqa: E402
from aiogram.client.session.base import BaseSession  # noqa: E402
from aiogram.filters import CommandStart, StateFilter  # noqa: E402
from aiogram.fsm.context import FSMContext  # noqa: E402
from aiogram.fsm.state import State, StatesGroup  # noqa: E402
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey  # noqa: E402
from aiogram.methods import TelegramMethod  # noqa: E402
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message  # noqa: E402

from tests.platforms.telegram.fake import TOKEN, FakeTelegram  # noqa: E402

NOTE = "FSM on an SQLite storage (aiosqlite)"


class FakeSession(BaseSession):
    """Each Bot API call answered by the fake, with the parameters encoded as aiogram does."""

    def __init__(self, api: FakeTelegram) -> None:
        super().__init__()
        self.fake = api

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:  # noqa: ASYNC109
        files: dict[str, Any] = {}
        params = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                params[key] = prepared
        status, body = await self.fake.call(method.__api_method__, params, {})
        response = self.check_response(bot=bot, method=method, status_code=status, content=json.dumps(body))
        return response.result

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("the form downloads no files")
        yield b""

    async def close(self) -> None:
        return None


class SQLiteStorage(BaseStorage):
    """FSM states and data in one SQLite table, each write committed."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: Path) -> SQLiteStorage:
        db = await aiosqlite.connect(path)
        await db.execute("CREATE TABLE IF NOT EXISTS fsm (key TEXT PRIMARY KEY, state TEXT, data TEXT)")
        await db.commit()
        return cls(db)

    @staticmethod
    def _key(key: StorageKey) -> str:
        return f"{key.bot_id}:{key.chat_id}:{key.user_id}:{key.thread_id}:{key.destiny}"

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.db.execute(
            "INSERT INTO fsm (key, state, data) VALUES (?, ?, '{}') "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state",
            (self._key(key), value),
        )
        await self.db.commit()

    async def get_state(self, key: StorageKey) -> str | None:
        async with self.db.execute("SELECT state FROM fsm WHERE key = ?", (self._key(key),)) as rows:
            row = await rows.fetchone()
        return None if row is None else row[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.db.execute(
            "INSERT INTO fsm (key, state, data) VALUES (?, NULL, ?) "
            "ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            (self._key(key), json.dumps(dict(data))),
        )
        await self.db.commit()

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self.db.execute("SELECT data FROM fsm WHERE key = ?", (self._key(key),)) as rows:
            row = await rows.fetchone()
        return {} if row is None else dict(json.loads(row[0]))

    async def close(self) -> None:
        await self.db.close()


class Form(StatesGroup):
    full_name = State()
    email = State()
    organisation = State()
    country = State()
    languages = State()
    experience = State()
    motivation = State()
    data_consent = State()
    confirm = State()


router = Router()


@router.message(CommandStart())
async def start(message: Message, state: FSMContext) -> None:
    await state.set_data({})
    await state.set_state(Form.full_name)
    await message.answer(QUESTIONS[FIELDS[0]])


def answer_of(index: int) -> None:
    field = FIELDS[index]

    @router.message(StateFilter(getattr(Form, field)), F.text)
    async def answer(message: Message, state: FSMContext) -> None:
        value, error = validate(field, message.text or "")
        if error is not None:
            await message.answer(error)
            return
        data = await state.update_data({field: value})
        if index + 1 < len(FIELDS):
            await state.set_state(getattr(Form, FIELDS[index + 1]))
            await message.answer(QUESTIONS[FIELDS[index + 1]])
            return
        await state.set_state(Form.confirm)
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Submit", callback_data="submit")]]
        )
        await message.answer(summary(data), parse_mode="HTML", reply_markup=keyboard)


for number in range(len(FIELDS)):
    answer_of(number)


@router.callback_query(Form.confirm, F.data == "submit")
async def submit(query: CallbackQuery, state: FSMContext, bot: Bot) -> None:
    data = await state.get_data()
    await state.clear()
    await query.answer()
    await bot.send_message(query.from_user.id, f"{THANKS}! Your application has been sent.")
    await bot.send_message(MODERATORS, f"New application from {data['full_name']}")


async def serve(folder: Path, applicants: int, in_flight: int, spawned: float | None) -> None:
    api = FakeTelegram()
    load = Load(api, applicants, in_flight)
    storage = await SQLiteStorage.open(folder / "fsm.db")
    dispatcher = Dispatcher(storage=storage)
    dispatcher.include_router(router)
    bot = Bot(TOKEN, session=FakeSession(api))
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, close_bot_session=True))
    try:
        seconds = await load.run("/start")
    finally:
        await dispatcher.stop_polling()
        await polling
    report("aiogram", load, seconds, spawned, NOTE)


def main() -> None:
    run_peer(serve, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
