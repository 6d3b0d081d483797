"""Logging in, the sync loop and confirming sync tokens.

The loop is matrix-nio's ``sync_forever`` taken apart, for three reasons (see
PLATFORM-NOTES): nio saves the sync token before callbacks run, so a crash would skip
events; callbacks run inside the loop, so a slow handler stalls receiving; and a
"limited" timeline silently drops events. Here each batch's events are mapped and handed
to the bot's sink in order, the loop moves on at once, and a separate task waits until
every event of a batch is committed before it writes that batch's token, batch after
batch, so a later token is never saved before an earlier batch is done.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    MessageDirection,
    RoomMessagesResponse,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)
from nio.crypto import ENCRYPTION_ENABLED

from bot.core.errors import ConfigurationError, PlatformError
from bot.core.platform import Handled
from bot.platforms.matrix.errors import http_status
from bot.platforms.matrix.settings import MatrixSettings
from bot.platforms.matrix.store import AdapterStore, Credentials

log = logging.getLogger(__name__)

#: Enough timeline per room and sync that a busy room rarely comes back "limited".
SYNC_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 100}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}
#: What an instance that does not receive syncs for: the rooms and their members, not their news.
STATE_FILTER: dict[str, Any] = {
    "room": {"timeline": {"limit": 1}, "state": {"lazy_load_members": False}},
    "presence": {"types": []},
}
#: How long the server may hold a sync open, in milliseconds.
LONG_POLL_MS = 30_000
#: Pages of 100 events fetched to fill one gap before giving up.
MAX_GAP_PAGES = 20

#: Turns one sync response into the sink's ``Handled`` awaitables, in order.
BatchHandler = Callable[[SyncResponse, str | None], Awaitable[Sequence[Handled]]]


class SyncTokens(Protocol):
    """Where the token of the last sync whose events were all handled is kept.

    A file in the adapter's store for a single process
    (:class:`~bot.platforms.matrix.store.FileSyncTokens`); the shared database when several
    instances take turns at receiving, so that the next one resumes where the last stopped.
    """

    async def load(self) -> str | None: ...

    async def save(self, token: str) -> None: ...


def encryption_available() -> bool:
    """Whether matrix-nio's end-to-end encryption (``vodozemac``) is installed."""
    return bool(ENCRYPTION_ENABLED)


#: How long the homeserver may take to answer at all when the platform starts.
REACHABLE_TIMEOUT = 10.0


async def check_reachable(homeserver: str) -> None:
    """Fail at once when the homeserver does not answer.

    matrix-nio retries a request whose connection fails forever, so a homeserver that is
    down would hold the start (and every platform behind it); the bot retries a failed
    start itself, with a log line per attempt (:mod:`bot.platform_start`). Any HTTP
    answer counts as reachable.

    Raises:
        PlatformError: nothing answered at ``homeserver`` within :data:`REACHABLE_TIMEOUT` seconds.
    """
    url = homeserver.rstrip("/") + "/_matrix/client/versions"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REACHABLE_TIMEOUT)) as http,
            http.get(url) as response,
        ):
            await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        reason = str(error) or type(error).__name__
        raise PlatformError(f"the Matrix homeserver {homeserver} cannot be reached: {reason}") from None


async def log_in(settings: MatrixSettings, store: AdapterStore) -> AsyncClient:
    """A logged-in client: the stored device and token if any, else a new login (saved).

    Raises:
        ConfigurationError: the homeserver refused the credentials.
        PlatformError: the homeserver cannot be reached.
    """
    await check_reachable(settings.homeserver)
    encrypted = settings.e2ee and encryption_available()
    if settings.e2ee and not encrypted:
        log.warning(
            "Matrix end-to-end encryption is unavailable (install matrix-nio[e2e]): "
            "copbot cannot read or answer in encrypted rooms, and works in unencrypted ones"
        )
    config = AsyncClientConfig(
        encryption_enabled=encrypted,
        store_sync_tokens=False,  # saved by us, after the events are handled
        max_limit_exceeded=0,  # M_LIMIT_EXCEEDED comes back to us: the outbox waits
        request_timeout=60,
    )
    client = AsyncClient(
        settings.homeserver, settings.user_id, store_path=str(store.crypto_path), config=config
    )
    stored = store.credentials(settings.homeserver, settings.user_id)
    if stored is not None:
        client.restore_login(stored.user_id, stored.device_id, stored.access_token)
        check = await client.whoami()
        if isinstance(check, WhoamiResponse):
            return client
        if http_status(check) != 401:
            await client.close()
            raise PlatformError(f"the Matrix homeserver did not accept the stored login: {check}")
        # Logged out elsewhere (or the token expired): a new login makes a new device.
        log.warning("the stored Matrix login was rejected (%s); logging in again", check)
        await client.close()
        client = AsyncClient(
            settings.homeserver, settings.user_id, store_path=str(store.crypto_path), config=config
        )
    if settings.access_token is not None:
        token = settings.access_token.get_secret_value()
        client.access_token = token
        whoami = await client.whoami()
        if not isinstance(whoami, WhoamiResponse) or whoami.device_id is None:
            await client.close()
            raise ConfigurationError(f"Matrix refused COPBOT_MATRIX__ACCESS_TOKEN: {whoami}")
        client.restore_login(settings.user_id, whoami.device_id, token)
    else:
        assert settings.password is not None  # MatrixSettings insists on one of the two
        response = await client.login(settings.password.get_secret_value(), device_name=settings.device_name)
        if not isinstance(response, LoginResponse):
            await client.close()
            raise ConfigurationError(f"Matrix login as {settings.user_id} failed: {response}")
    store.save_credentials(
        Credentials(settings.homeserver, settings.user_id, client.device_id, client.access_token)
    )
    log.info("logged in to %s as %s, device %s", settings.homeserver, settings.user_id, client.device_id)
    return client


class SyncLoop:
    """Receives from the homeserver and confirms what the bot has handled.

    Args:
        client: the logged-in client.
        tokens: where the confirmed sync token is kept.
        handle_batch: maps one sync response (and the token it started from) to the
            sink's awaitables; it must not wait for them.
    """

    def __init__(self, client: AsyncClient, tokens: SyncTokens, handle_batch: BatchHandler) -> None:
        self.client = client
        self.tokens = tokens
        self.handle_batch = handle_batch
        self.since: str | None = None
        self.synced = asyncio.Condition()
        self._batches: asyncio.Queue[tuple[Sequence[Handled], str]] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._refreshing = asyncio.Lock()

    @property
    def running(self) -> bool:
        """Whether the loop receives (between :meth:`start` and :meth:`stop`)."""
        return bool(self._tasks)

    async def first_sync(self) -> SyncResponse:
        """Sync once, with the whole room state, from the confirmed token if there is one."""
        self.since = await self.tokens.load()
        response = await self.client.sync(
            timeout=0, sync_filter=SYNC_FILTER, since=self.since, full_state=True
        )
        if not isinstance(response, SyncResponse):
            raise PlatformError(f"the first Matrix sync failed: {response}")
        await self._housekeeping()
        return response

    async def start(self, first: SyncResponse, *, handle: bool) -> None:
        """Start the loops after :meth:`first_sync`.

        Args:
            first: the first sync's response.
            handle: hand its events to the bot (resuming); ``False`` on the very first
                run, where the rooms' history is not news.
        """
        handled = await self.handle_batch(first, self.since) if handle else ()
        await self._batches.put((handled, first.next_batch))
        self.since = first.next_batch
        await self._notify()
        self._tasks = [
            asyncio.create_task(self._receive(), name="matrix-sync"),
            asyncio.create_task(self._confirm(), name="matrix-confirm"),
        ]

    async def stop(self) -> None:
        """Stop receiving at once. Batches not yet confirmed come again to the next receiver.

        Their tokens are dropped rather than saved later: by then another instance may have
        received (and confirmed) further, and an older token must not overwrite its newer one.
        """
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._batches = asyncio.Queue()

    async def catch_up(self) -> None:
        """Bring the client's rooms up to date: :meth:`refresh`, unless the loop does it already."""
        if not self.running:
            await self.refresh()

    async def refresh(self) -> None:
        """Bring the client's rooms and members up to date without receiving their events.

        For an instance that sends but does not receive (another holds the receiving
        lease): it must still know a direct chat opened since, and whom to encrypt for.
        Nothing is handed to the bot and no token is confirmed; the client's own position
        (``next_batch``) moves on, the confirmed token does not.
        """
        async with self._refreshing:
            response = await self.client.sync(timeout=0, sync_filter=STATE_FILTER)
            if not isinstance(response, SyncResponse):
                log.warning("Matrix: could not refresh the rooms (%s)", response)
                return
            await self._housekeeping()

    async def missed(self, room_id: str, prev_batch: str, since: str) -> list[Any]:
        """The events of ``room_id`` between ``since`` and a limited timeline's start, oldest first."""
        events: list[Any] = []
        start = prev_batch
        for _ in range(MAX_GAP_PAGES):
            page = await self.client.room_messages(
                room_id, start=start, end=since, direction=MessageDirection.back, limit=100
            )
            if not isinstance(page, RoomMessagesResponse):
                log.warning("could not fetch the events missed in %s: %s", room_id, page)
                break
            events.extend(page.chunk)
            if not page.chunk or not page.end or page.end == start:
                break
            start = page.end
        else:
            log.warning("gave up filling a gap of over %d events in %s", 100 * MAX_GAP_PAGES, room_id)
        events.reverse()
        return events

    async def _receive(self) -> None:
        while True:
            try:
                response = await self.client.sync(
                    timeout=LONG_POLL_MS, sync_filter=SYNC_FILTER, since=self.since
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Matrix sync failed; retrying")
                await asyncio.sleep(2)
                continue
            if isinstance(response, SyncError) or not isinstance(response, SyncResponse):
                wait = (getattr(response, "retry_after_ms", None) or 2000) / 1000
                log.warning("Matrix sync failed (%s); retrying in %.1f s", response, wait)
                await asyncio.sleep(wait)
                continue
            await self._housekeeping()
            try:
                handled = await self.handle_batch(response, self.since)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The same batch comes again from the same token; what was already
                # handed over is recognised by its event id and skipped.
                log.exception("could not hand a Matrix sync batch over; syncing it again")
                self.client.next_batch = self.since  # else nio skips (and leaves encrypted) a batch it saw
                await asyncio.sleep(1)
                continue
            await self._batches.put((handled, response.next_batch))
            self.since = response.next_batch
            await self._notify()

    async def _confirm(self) -> None:
        while True:
            handled, token = await self._batches.get()
            for awaitable in handled:
                await awaitable  # cancelled when the bot stops first: the token stays unsaved
            await self.tokens.save(token)

    async def _housekeeping(self) -> None:
        """What ``sync_forever`` does between syncs: encryption keys and to-device messages."""
        client = self.client
        if client.olm is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except Exception:
            log.exception("Matrix key exchange failed; retrying after the next sync")

    async def _notify(self) -> None:
        async with self.synced:
            self.synced.notify_all()

    async def known(self, room_id: str, patience: float = 10.0) -> bool:
        """Wait until a sync has told the client about ``room_id`` (a room just created or joined)."""
        if room_id in self.client.rooms:
            return True
        if not self.running:  # no loop to wait for: ask the homeserver now
            await self.catch_up()
            return room_id in self.client.rooms
        try:
            async with self.synced:
                await asyncio.wait_for(self.synced.wait_for(lambda: room_id in self.client.rooms), patience)
        except TimeoutError:
            return False
        return True
