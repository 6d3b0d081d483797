"""copbot's process: what ``copbot run`` does, with the Telegram adapter on the in-process fake.

The settings are ``copbot run``'s on SQLite with the sample community, but the
application form is declared by a YAML file of the same 8 steps as the PTB and aiogram
forms (copbot's default form has 13), as a deployment declares its own form
(``COPBOT_APPLICATION_FORM``). The adapter talks to the fake through
python-telegram-bot's request layer (:class:`~tests.platforms.telegram.fake.FakeRequest`),
as in ``bench.telegram``; everything else is the real path: sequencer, middleware,
the form engine, SQLite commits, the moderators' notification.

Run by ``python -m bench.peers``; alone: ``python -m bench.peers.copbot_form [--applicants N]``.
"""

from __future__ import annotations

from pathlib import Path

from bench.peers.common import QUESTIONS, Load, report, run_peer

START = "/apply"
NOTE = "copbot's form declared in YAML with the same 8 steps (its default has 13)"


def form_yaml() -> str:
    """The 8 steps as a copbot form file."""
    kinds = {
        "full_name": "  min_length: 2\n  max_length: 200\n",
        "email": "  kind: email\n",
        "organisation": "  min_length: 2\n  max_length: 200\n",
        "country": "  kind: country\n",
        "languages": "  kind: multi\n  choices:\n"
        + "".join(
            f"    - {{value: {code}, label: {label}}}\n"
            for code, label in (
                ("en", "English"),
                ("es", "Spanish"),
                ("fr", "French"),
                ("ar", "Arabic"),
                ("ru", "Russian"),
                ("zh", "Chinese"),
            )
        ),
        "experience": "  kind: number\n  minimum: 0\n  maximum: 60\n",
        "motivation": "  min_length: 20\n  max_length: 1500\n",
        "data_consent": "  kind: consent\n",
    }
    steps = "".join(
        f'- field: {field}\n  question: "{QUESTIONS[field]}"\n{kinds[field]}' for field in QUESTIONS
    )
    return "steps:\n" + "".join("  " + line + "\n" for line in steps.splitlines())


async def serve(folder: Path, applicants: int, in_flight: int, spawned: float | None) -> None:
    from bot.heap import defer_collection

    defer_collection()  # as copbot's entry points do
    from pydantic import SecretStr

    from bot.app import CopBot
    from bot.config import Settings
    from bot.heap import freeze_start_up_heap
    from bot.platforms.telegram.platform import TelegramPlatform
    from bot.platforms.telegram.settings import TelegramSettings
    from tests.platforms.telegram.fake import TOKEN, FakeRequest, FakeTelegram

    api = FakeTelegram()
    load = Load(api, applicants, in_flight)
    form = folder / "form.yaml"
    form.write_text(form_yaml(), encoding="utf-8")
    telegram = TelegramSettings(
        token=SecretStr(TOKEN),
        api_url="http://fake.invalid/bot",
        community_chat_id=api.community_id,
        moderator_chat_id=api.moderators_id,
    )
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'copbot.db'}",
        sample_data=True,
        application_form=form,
        files_dir=folder,
        telegram=telegram,
    )
    bot = CopBot(settings, [TelegramPlatform(telegram, settings, request=FakeRequest(api))])
    await bot.start(menus_later=True)  # as copbot run does
    freeze_start_up_heap()
    try:
        seconds = await load.run(START)
    finally:
        await bot.stop()
    report("copbot", load, seconds, spawned, NOTE)


def main() -> None:
    run_peer(serve, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
