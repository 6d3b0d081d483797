"""The console platform: the bot in a terminal, a pipe, or a test.

Input lines::

    hello                 a direct message from the session's user
    @amina hello          a direct message from console user ``amina``
    [community/3] hi      a message in a chat (and thread) instead of the direct chat
    @amina [community] hi both together
    (file ./plan.pdf) hi  a file (its path on this machine), with a caption or none
    #2                    press button 2 of the last keyboard the user was shown
    [moderators] #2       press button 2 of the last keyboard shown in that chat

Output lines: ``[recipient] text``, where the recipient is a user name for direct
messages or ``chat`` / ``chat/thread`` for community posts; continuation lines are
indented by two spaces; buttons follow as ``[#N] Label``. Documents are written to the
files folder and shown as ``[recipient] (file) path``.
"""

from __future__ import annotations

import itertools
import mimetypes
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.core.platform import Capability, EventSink, Platform
from bot.core.text import to_plain
from bot.core.types import (
    ChatRef,
    FileLimits,
    IncomingMessage,
    Media,
    MediaKind,
    MessageRef,
    OutgoingMessage,
    Recipient,
    UserRef,
)
from bot.platforms.spec import PlatformSpec, UserIdForm

NAME = "console"
#: The console's declaration: no chat library, no settings (it runs when no chat
#: platform is configured), and any name as a user id (``console:mod``).
CONSOLE = PlatformSpec(
    name=NAME,
    package="bot.platforms.console",
    adapter="bot.platforms.console:ConsolePlatform",
    user_ids=UserIdForm(example=f"{NAME}:mod"),
)
#: Group chats of the console community; any other chat id is a user's direct chat.
COMMUNITY = ChatRef(NAME, "community")
MODERATORS = ChatRef(NAME, "moderators")
GROUP_CHATS = frozenset({COMMUNITY.id, MODERATORS.id})

_USER = re.compile(r"@([A-Za-z0-9_.-]{1,64})(?:\s+|$)")
_CHAT = re.compile(r"\[([A-Za-z0-9_.-]{1,64})(?:/([A-Za-z0-9_.-]{1,64}))?\](?:\s+|$)")
_BUTTON = re.compile(r"#(\d{1,3})")
_FILE = re.compile(r"\(file ([^)]+)\)(?:\s+|$)")
#: The console reads and writes files on this machine: as large as a chat platform takes.
_FILE_LIMITS = FileLimits(download=100_000_000, image=100_000_000, document=100_000_000)


def media_of(text: str) -> tuple[Media | None, str | None]:
    """The file a console line names (``(file PATH) caption``) and its caption, or the text."""
    match = _FILE.match(text)
    if match is None:
        return None, text
    path = Path(match.group(1).strip()).expanduser()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    kind = MediaKind.PHOTO if media_type.startswith("image/") else MediaKind.DOCUMENT
    size = path.stat().st_size if path.is_file() else None
    caption = text[match.end() :].strip() or None
    return Media(kind, path.name, str(path), size, media_type), caption


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    """An input line taken apart: who speaks, where, and what."""

    user: str
    chat: ChatRef
    text: str
    button: int | None = None


def parse_line(line: str, default_user: str) -> ConsoleLine | None:
    """Parse one input line; ``None`` for a blank line."""
    rest = line.strip()
    if not rest:
        return None
    user = default_user
    if match := _USER.match(rest):
        user, rest = match.group(1), rest[match.end() :]
    chat = ChatRef(NAME, user)
    if match := _CHAT.match(rest):
        chat, rest = ChatRef(NAME, match.group(1), match.group(2)), rest[match.end() :]
    button = int(match.group(1)) if (match := _BUTTON.fullmatch(rest)) else None
    return ConsoleLine(user, chat, rest, button)


class ConsolePlatform(Platform):
    """The console adapter.

    Args:
        out: where the bot's messages are printed.
        files_dir: where documents the bot sends are written.
        languages: the language each console user reports (``--lang``).
    """

    name = NAME
    bot_username = "copbot"
    message_limit = 1_000_000
    #: A terminal has no menu, and cannot take back a line printed twice.
    capabilities = frozenset(Capability) - {Capability.COMMAND_MENU, Capability.IDEMPOTENT_SEND}
    community_chat = COMMUNITY
    #: Whoever types (or pipes a script) is the operator, speaking as any user.
    local_operator = True
    file_limits = _FILE_LIMITS

    def __init__(
        self, out: TextIO, files_dir: Path = Path("var/files"), languages: dict[str, str] | None = None
    ) -> None:
        self.out = out
        self.files_dir = files_dir
        self.languages = dict(languages or {})
        self.members: set[str] = set()
        self.closed_threads: set[ChatRef] = set()
        self._sink: EventSink | None = None
        self._message_ids = itertools.count(1)
        self._thread_ids = itertools.count(1)
        self._keyboards: dict[str, list[str]] = {}

    # -- Platform ---------------------------------------------------------------------

    def is_moderators_chat(self, chat: ChatRef) -> bool:
        # ``[moderators]`` is where moderators talk with the bot; review notices still go
        # to each moderator directly (no moderator_chat), in their own language, because
        # a console user cannot press buttons shown in a group chat.
        return chat.platform == NAME and chat.id == MODERATORS.id

    async def start(self, sink: EventSink) -> None:
        self._sink = sink

    async def stop(self) -> None:
        self._sink = None

    async def send(self, message: OutgoingMessage) -> MessageRef:
        chat = self._chat_of(message.to)
        label = self._label(chat)
        self._print(label, to_plain(message.text))
        for attachment in message.attachments:
            self._print(label, f"(file) {self._save(attachment.filename, attachment.data)}")
        if message.buttons:
            payloads = [button.payload for row in message.buttons for button in row]
            # a direct chat's keyboard is its user's; a group's is pressed by whoever types there
            self._keyboards[label] = payloads
            labels = (button.label for row in message.buttons for button in row)
            for number, button_label in enumerate(labels, start=1):
                self.out.write(f"[#{number}] {button_label}\n")
        self.out.flush()
        return MessageRef(chat, str(next(self._message_ids)))

    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        self._print(self._label(ref.chat), f"(edited #{ref.id}) {to_plain(message.text)}")
        self.out.flush()

    def continue_after(self, thread: int, message: int) -> None:
        """Number new threads and messages after ``thread`` and ``message``: the shell
        passes the highest ids earlier processes stored, so no new thread or message
        takes the id of one already stored."""
        self._thread_ids = itertools.count(thread + 1)
        self._message_ids = itertools.count(message + 1)

    def thread_link(self, thread: ChatRef, opening: str | None) -> str | None:
        return f"[{self._label(thread)}]"

    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        thread = chat.thread(str(next(self._thread_ids)))
        self._print(self._label(thread), f"(new thread) {title}")
        return await self.send(
            OutgoingMessage(thread, opening.text, opening.buttons, attachments=opening.attachments)
        )

    async def admit_user(self, user: UserRef) -> None:
        self.members.add(user.id)
        self._print(COMMUNITY.id, f"(joined) {user.id}")

    async def remove_user(self, user: UserRef, reason: str | None = None) -> None:
        self.members.discard(user.id)
        self._print(COMMUNITY.id, f"(removed) {user.id}")

    async def delete_message(self, ref: MessageRef) -> None:
        self._print(self._label(ref.chat), f"(deleted #{ref.id})")

    async def close_thread(self, chat: ChatRef) -> None:
        self.closed_threads.add(chat)
        self._print(self._label(chat), "(thread closed)")

    # -- input ------------------------------------------------------------------------

    async def feed(self, line: str, default_user: str) -> IncomingMessage | None:
        """Turn an input line into an event and hand it to the bot."""
        parsed = parse_line(line, default_user)
        if parsed is None or self._sink is None:
            return None
        payload = None
        if parsed.button is not None:
            keyboard = self._keyboards.get(self._label(parsed.chat), [])
            # A number with no button behind it is a stale press, not text.
            payload = keyboard[parsed.button - 1] if 1 <= parsed.button <= len(keyboard) else "expired"
        media, text = media_of(parsed.text) if payload is None else (None, None)
        event = IncomingMessage(
            event_id=uuid.uuid4().hex,
            sender=UserRef(NAME, parsed.user, parsed.user, self.languages.get(parsed.user), parsed.user),
            chat=parsed.chat,
            is_direct=parsed.chat.id not in GROUP_CHATS,
            received_at=datetime.now(UTC),
            text=text,
            message_id=str(next(self._message_ids)),
            button=payload,
            media=media,
        )
        await self._sink(event)
        return event

    async def download(self, media: Media) -> bytes | None:
        """The file a console line named, read from this machine; ``None`` if it is gone."""
        path = Path(media.ref) if media.ref else None
        return path.read_bytes() if path is not None and path.is_file() else None

    # -- rendering --------------------------------------------------------------------

    @staticmethod
    def _chat_of(recipient: Recipient) -> ChatRef:
        return ChatRef(NAME, recipient.id) if isinstance(recipient, UserRef) else recipient

    @staticmethod
    def _label(chat: ChatRef) -> str:
        return f"{chat.id}/{chat.thread_id}" if chat.thread_id else chat.id

    def _print(self, label: str, text: str) -> None:
        lines = text.split("\n")
        self.out.write(f"[{label}] {lines[0]}\n")
        for line in lines[1:]:
            self.out.write(f"  {line}\n")
        self.out.flush()

    def _save(self, filename: str, data: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(filename).name) or "file"
        path = self.files_dir / safe
        for index in itertools.count(2):
            if not path.exists():
                break
            path = self.files_dir / f"{Path(safe).stem}-{index}{Path(safe).suffix}"
        path.write_bytes(data)
        return path
