"""COPBOT_LOG_FORMAT=json: one JSON object per line, naming the event but never the person."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.context import Context
from bot.core.router import Router
from bot.core.types import ChatRef, IncomingMessage, UserRef
from bot.observability.logs import JsonFormatter, default_instance
from storage.db import Database
from tests.fakes import Harness

log = logging.getLogger("tests.observability")
DISPLAY_NAME = "Zainab Quetzal-Display"

router = Router("logging")


@router.command("noisy")
async def noisy(ctx: Context[Any]) -> None:
    log.info("handling a noisy command")


@router.command("boom")
async def boom(ctx: Context[Any]) -> None:
    raise RuntimeError("the handler broke")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger's lines, as ``copbot run`` writes them with COPBOT_LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("instance-7"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def send(harness: Harness, text: str) -> str:
    event_id = uuid.uuid4().hex
    sender = UserRef("console", "u-17", DISPLAY_NAME, None, "zq")
    handled = await harness.bot.handle(
        IncomingMessage(
            event_id=event_id, sender=sender, chat=ChatRef("console", "u-17"), is_direct=True, text=text
        )
    )
    await handled
    return event_id


async def test_a_line_names_the_event_and_the_person_by_id_only(
    db: Database, tmp_path: Path, captured: io.StringIO
) -> None:
    harness = await Harness.start(db, tmp_path, router=router, log_format="json")
    try:
        noisy_id = await send(harness, "/noisy")
        boom_id = await send(harness, "/boom")
    finally:
        await harness.stop()
    written = lines(captured)
    assert all(DISPLAY_NAME not in json.dumps(line) for line in written)
    noisy_line = next(line for line in written if line["message"] == "handling a noisy command")
    assert noisy_line["event_id"] == noisy_id
    assert noisy_line["platform"] == "console"
    assert isinstance(noisy_line["person_id"], int)
    assert noisy_line["level"] == "INFO"
    assert noisy_line["logger"] == "tests.observability"
    assert noisy_line["instance"] == "instance-7"
    assert noisy_line["time"].endswith("+00:00")
    failure = next(line for line in written if line.get("event_id") == boom_id and line["level"] == "ERROR")
    assert failure["person_id"] == noisy_line["person_id"]
    assert "RuntimeError: the handler broke" in failure["exception"]
    started = next(line for line in written if line["message"].startswith("copbot started"))
    assert "event_id" not in started  # outside an event, no event is named


def test_without_an_instance_the_host_and_process_name_it() -> None:
    record = logging.LogRecord("copbot", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["instance"] == default_instance()
    assert line["message"] == "hello world"
    assert default_instance().rsplit(":", 1)[1].isdigit()
