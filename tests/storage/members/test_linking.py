"""Joining two people into one, separating an account, and whom messages for many reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.types import Role, UserRef
from storage.db import Database
from storage.dialogues.subscriptions import Subscriptions
from storage.members.linking import BothApplying, LinkedAccounts
from storage.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Dialogue,
    DialogueSubscription,
    Identity,
    MemberProfile,
    Person,
    Prompt,
    Reply,
    RoleGrant,
    UnreachableRecipient,
    WikiSuggestion,
)
from storage.users import UserRepository

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
TELEGRAM = UserRef("telegram", "1001", "Amina", "fr", "amina")
MATRIX = UserRef("matrix", "@amina:example.org", "Amina D.", "en")


async def two_people(db: Database) -> tuple[int, int]:
    """Amina on Telegram (a moderator, French) and on Matrix (a member with a history)."""
    async with db.transaction() as session:
        users = UserRepository(session)
        kept = (await users.resolve(TELEGRAM, NOW)).person_id
        other = (await users.resolve(MATRIX, NOW + timedelta(minutes=1))).person_id
        await users.grant(kept, Role.MODERATOR, NOW)
        await users.grant(other, Role.MEMBER, NOW, granted_by=other)
        await users.set_locale(kept, "fr")
        await users.set_country(other, "SN")
        application = Application(
            person_id=other,
            platform="matrix",
            platform_user_id=MATRIX.id,
            status="approved",
            answers={},
            created_at=NOW,
            updated_at=NOW,
            decided_by=other,
        )
        dialogue = Dialogue(
            title={"en": "D"}, start_date=NOW.date(), end_date=NOW.date(), created_at=NOW, created_by=other
        )
        session.add_all([application, dialogue, DialogueSubscription(person_id=other, created_at=NOW)])
        await session.flush()
        prompt = Prompt(dialogue_id=dialogue.id, text={"en": "Q"}, post_at=NOW)
        session.add(prompt)
        await session.flush()
        session.add_all(
            [
                ApplicationEvent(
                    application_id=application.id, at=NOW, kind="note", actor_person_id=other, details={}
                ),
                Reply(
                    prompt_id=prompt.id,
                    person_id=other,
                    platform="matrix",
                    chat_id="!room",
                    text="hi",
                    created_at=NOW,
                ),
                MemberProfile(person_id=other, name="Amina Diallo", listed=True, updated_at=NOW),
                WikiSuggestion(
                    person_id=other,
                    platform="matrix",
                    platform_user_id=MATRIX.id,
                    title="A toolkit",
                    status="accepted",
                    reviewed_by=other,
                    created_at=NOW,
                    decided_at=NOW,
                ),
                AuditEntry(
                    at=NOW,
                    actor=MATRIX.key,
                    actor_person_id=other,
                    action="person.ban",
                    target=f"person:{other}",
                    details={},
                ),
            ]
        )
    return kept, other


async def test_merge_moves_everything_that_names_the_joined_person(db: Database) -> None:
    kept, other = await two_people(db)
    async with db.transaction() as session:
        await LinkedAccounts(session).merge(kept, other)
    async with db.transaction() as session:
        assert await session.get(Person, other) is None
        person = await session.get(Person, kept)
        assert person is not None
        assert (person.display_name, person.locale, person.country) == ("Amina", "fr", "SN")
        assert await UserRepository(session).roles(kept) == {Role.MODERATOR, Role.MEMBER}
        for column in (
            Identity.person_id,
            Application.person_id,
            Application.decided_by,
            ApplicationEvent.actor_person_id,
            AuditEntry.actor_person_id,
            Reply.person_id,
            Dialogue.created_by,
            RoleGrant.granted_by,
            DialogueSubscription.person_id,
            MemberProfile.person_id,
            WikiSuggestion.person_id,
            WikiSuggestion.reviewed_by,
        ):
            values = set(await session.scalars(select(column).where(column.is_not(None))))
            assert values == {kept}, column
        assert set(await session.scalars(select(AuditEntry.target))) == {f"person:{kept}"}


async def test_merge_refuses_two_open_applications(db: Database) -> None:
    kept, other = await two_people(db)
    async with db.transaction() as session:
        for person, user in ((kept, TELEGRAM), (other, MATRIX)):
            session.add(
                Application(
                    person_id=person,
                    platform=user.platform,
                    platform_user_id=user.id,
                    status="submitted",
                    answers={},
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    with pytest.raises(BothApplying):
        async with db.transaction() as session:
            await LinkedAccounts(session).merge(kept, other)


async def test_separate_leaves_the_account_alone_and_moves_its_applications(db: Database) -> None:
    kept, other = await two_people(db)
    async with db.transaction() as session:
        await LinkedAccounts(session).merge(kept, other)
    async with db.transaction() as session:
        matrix = await UserRepository(session).find(MATRIX.platform, MATRIX.id)
        assert matrix is not None
        separated = await LinkedAccounts(session).separate(matrix, NOW)
        assert separated.former_person_id == kept
    async with db.transaction() as session:
        users = UserRepository(session)
        assert await users.roles(separated.person_id) == frozenset()
        assert [i.platform for i in await users.identities(kept)] == ["telegram"]
        application = await session.scalar(select(Application))
        assert application is not None
        assert (application.person_id, application.platform_user_id) == (kept, TELEGRAM.id)
        telegram = await users.find(TELEGRAM.platform, TELEGRAM.id)
        assert telegram is not None
        with pytest.raises(ValueError, match="only account"):
            await LinkedAccounts(session).separate(telegram, NOW)


async def test_one_account_per_person_preferred_then_reachable_then_latest(db: Database) -> None:
    kept, other = await two_people(db)
    async with db.transaction() as session:
        await LinkedAccounts(session).merge(kept, other)
    both = ("telegram", "matrix")

    async def reached() -> tuple[str | None, list[str], list[str]]:
        async with db.transaction() as session:
            account = await UserRepository(session).delivery_account(kept, both)
            subscribers = Subscriptions(session)
            on_telegram = [i.platform for i, _ in await subscribers.subscribers("telegram", both)]
            on_matrix = [i.platform for i, _ in await subscribers.subscribers("matrix", both)]
            return (account.identity.platform if account else None), on_telegram, on_matrix

    assert await reached() == ("matrix", [], ["matrix"])  # seen last
    async with db.transaction() as session:
        await LinkedAccounts(session).set_delivery_platform(kept, "telegram")
    assert await reached() == ("telegram", ["telegram"], [])  # chosen
    async with db.transaction() as session:  # blocked the bot on Telegram
        session.add(UnreachableRecipient(platform="telegram", recipient_id=TELEGRAM.id, since=NOW))
    assert await reached() == ("matrix", [], ["matrix"])
    async with db.transaction() as session:
        assert await UserRepository(session).delivery_account(kept, ("telegram",)) is not None
        recipients = await UserRepository(session).member_recipients(both)
        assert [(user.key, locale) for user, locale in recipients] == [(MATRIX.key, "fr")]
