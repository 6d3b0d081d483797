"""One-time codes that join two accounts into one person (``/link``).

A code is issued to a person in a direct chat and typed from their other account. It is
single use and valid for :data:`CODE_TTL`; only its SHA-256 digest is stored (in
``bot_state``), so a database dump reveals no usable code, and codes survive a restart.
Twelve characters from a 31-letter alphabet without look-alikes (no ``0``/``O``,
``1``/``I``/``L``) are about 59 bits: not guessable in ten minutes, easy to type as
three groups of four. Each person may get :data:`MAX_FAILURES` codes wrong within
:data:`FAILURE_WINDOW`; then they wait until the window ends.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotState
from storage.repository import SessionRepository
from storage.state import StateStore

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, GROUP_LENGTH = 3, 4
#: How long a code may be used after it was issued.
CODE_TTL = timedelta(minutes=10)
#: Wrong codes a person may type within :data:`FAILURE_WINDOW` before they must wait.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

_CODE_PREFIX = "link.code."
_FAILURES_PREFIX = "link.failures."


@dataclass(frozen=True, slots=True)
class Redemption:
    """What typing a code did.

    Attributes:
        issuer: the person who was given the code, when it was right (it is used up now).
        own: the code is the typist's own: it was not used, and they should type it from
            their other account.
        retry_at: set when the typist got too many codes wrong and must wait until then.
        attempts_left: wrong codes the typist may still type before waiting.
    """

    issuer: int | None = None
    own: bool = False
    retry_at: datetime | None = None
    attempts_left: int = MAX_FAILURES


def normalize(code: str) -> str | None:
    """A typed code as issued (upper case, no spaces or dashes), or ``None`` if it cannot be one."""
    letters = "".join(code.split()).replace("-", "").upper()
    if len(letters) != CODE_GROUPS * GROUP_LENGTH or any(c not in CODE_ALPHABET for c in letters):
        return None
    return letters


def _key(letters: str) -> str:
    return _CODE_PREFIX + hashlib.sha256(letters.encode()).hexdigest()


class LinkCodes(SessionRepository):
    """Issues and redeems link codes within one unit of work.

    Args:
        session: the unit of work's session.
    """

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.state = StateStore(session)

    async def issue(self, person_id: int, now: datetime) -> str:
        """A new code for ``person_id``; any code they were given before stops working.

        Returns:
            The code as shown: three groups of four characters, e.g. ``K7QM-XD3P-9TWA``.
        """
        await self.state.forget_older(_CODE_PREFIX, now - CODE_TTL)
        await self.cancel(person_id)
        letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * GROUP_LENGTH))
        expires = now + CODE_TTL
        await self.state.set(_key(letters), {"person": person_id, "expires": expires.isoformat()}, now)
        groups = (letters[i : i + GROUP_LENGTH] for i in range(0, len(letters), GROUP_LENGTH))
        return "-".join(groups)

    async def cancel(self, person_id: int) -> None:
        """Withdraw every code given to ``person_id`` (a new one was asked for, or one leaked)."""
        rows = await self.session.scalars(
            select(BotState).where(BotState.key.startswith(_CODE_PREFIX, autoescape=True))
        )
        for row in rows:
            if isinstance(row.value, dict) and row.value.get("person") == person_id:
                await self.session.delete(row)
        await self.session.flush()

    async def forget(self, person_id: int) -> None:
        """Drop everything kept about ``person_id`` here: their codes and wrong attempts."""
        await self.cancel(person_id)
        await self.state.pop(f"{_FAILURES_PREFIX}{person_id}")

    async def cancel_code(self, code: str) -> None:
        """Withdraw ``code`` (it was shown where others can read it)."""
        letters = normalize(code)
        if letters is not None:
            await self.state.take(_key(letters))

    async def redeem(self, code: str, person_id: int, now: datetime) -> Redemption:
        """Use ``code`` typed by ``person_id``, counting a wrong one against them.

        A right code is used up in one ``DELETE ... RETURNING`` (of two people typing it at
        once, one gets it). A wrong, expired or used code counts as a failure.
        """
        await self.state.forget_older(_FAILURES_PREFIX, now - FAILURE_WINDOW)
        failures_key = f"{_FAILURES_PREFIX}{person_id}"
        failures = await self.state.get(failures_key)
        count, since = 0, now
        if isinstance(failures, dict) and now < datetime.fromisoformat(failures["since"]) + FAILURE_WINDOW:
            count, since = int(failures["count"]), datetime.fromisoformat(failures["since"])
        if count >= MAX_FAILURES:
            return Redemption(retry_at=since + FAILURE_WINDOW, attempts_left=0)
        letters = normalize(code)
        if letters is not None:
            stored = await self.state.get(_key(letters))
            if isinstance(stored, dict) and stored.get("person") == person_id:
                return Redemption(own=True, attempts_left=MAX_FAILURES - count)
            taken = await self.state.take(_key(letters))
            if isinstance(taken, dict) and now < datetime.fromisoformat(taken["expires"]):
                await self.state.pop(failures_key)
                return Redemption(issuer=int(taken["person"]))
        count += 1
        await self.state.set(failures_key, {"count": count, "since": since.isoformat()}, now)
        if count >= MAX_FAILURES:
            return Redemption(retry_at=since + FAILURE_WINDOW, attempts_left=0)
        return Redemption(attempts_left=MAX_FAILURES - count)
