"""Files in the fake Bot API: what members send, ``getFile`` and the file download.

Telegram keeps every file a member or the bot sent under a ``file_id``; ``getFile``
answers its ``file_path`` (400 "file is too big" over 20 MB, 400 "wrong file_id" for an
unknown id), and ``https://api.telegram.org/file/bot<token>/<file_path>`` serves its
bytes (404 otherwise). :class:`FileStore` keeps them for :class:`~tests.platforms.telegram.fake.FakeTelegram`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

#: ``getFile`` refuses files over this size.
DOWNLOAD_LIMIT = 20 * 1024 * 1024


class FileApiError(Exception):
    """A refusal: the fake answers it as a Bot API error."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


@dataclass
class StoredFile:
    file_id: str
    path: str
    data: bytes
    #: The size Telegram reports (a test may claim a size without holding the bytes).
    size: int


class FileStore:
    """Files by ``file_id``, and the calls that reach them."""

    def _init_files(self) -> None:
        self.files: dict[str, StoredFile] = {}
        #: ``file_path``s downloaded, in order (tests count fetches).
        self.downloads: list[str] = []
        self._file_numbers = itertools.count(1)

    def store_file(self, data: bytes, *, kind: str = "document", size: int | None = None) -> StoredFile:
        """Keep a file; ``size`` may claim more than ``data`` holds (a file too large to fetch)."""
        number = next(self._file_numbers)
        stored = StoredFile(
            f"file{number}", f"{kind}s/file_{number}", data, len(data) if size is None else size
        )
        self.files[stored.file_id] = stored
        return stored

    def photo(self, data: bytes, size: int | None = None) -> dict[str, Any]:
        """A member's photo, as a message carries it (``fake.share(user, fake.photo(b"..."))``)."""
        stored = self.store_file(data, kind="photo", size=size)
        sizes = [{"file_id": stored.file_id, "file_unique_id": stored.file_id, "width": 640, "height": 480}]
        sizes[0]["file_size"] = stored.size
        return {"photo": sizes}

    def document(self, data: bytes, name: str, mime_type: str, size: int | None = None) -> dict[str, Any]:
        """A member's document, as a message carries it."""
        stored = self.store_file(data, size=size)
        return {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_id,
                "file_name": name,
                "mime_type": mime_type,
                "file_size": stored.size,
            }
        }

    def _api_getfile(self, p: Any, files: Any) -> dict[str, Any]:
        stored = self.files.get(p.text("file_id"))
        if stored is None:
            raise FileApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.size > DOWNLOAD_LIMIT:
            raise FileApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_id,
            "file_size": stored.size,
            "file_path": stored.path,
        }

    def serve_file(self, path: str) -> tuple[int, bytes]:
        """The download of ``/file/bot<token>/<path>``: ``(HTTP status, body)``."""
        stored = next((f for f in self.files.values() if f.path == path), None)
        if stored is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        self.downloads.append(path)
        return 200, stored.data
