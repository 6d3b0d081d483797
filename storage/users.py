"""People, their platform identities and their roles."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Self, cast

from sqlalchemy import Select, Table, bindparam, delete, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Role, UserRef
from storage.application.repository import Status
from storage.models import Application, Identity, NameSource, Person, RoleGrant
from storage.profiles import Profile, ProfileCache
from storage.recipients import DeliveryAccount, delivery_accounts
from storage.repository import Shared
from storage.statements import Prebuilt, insert_ignoring, insert_into

#: ``last_seen_at`` is refreshed at most this often, to spare a write per message.
LAST_SEEN_RESOLUTION = timedelta(hours=1)

# Every cache miss and first contact runs these: prebuilt (see storage/statements.py), on the
# tables (naming mapped attributes takes the ORM's slower path even for plain rows).
_PEOPLE = cast(Table, Person.__table__)
_IDENTITIES = cast(Table, Identity.__table__)
_GRANTS = cast(Table, RoleGrant.__table__)
# The identity, its person and their roles at once: a row per role (one row if none).
# Prebuilt, as the statements of a new person's first contact below.
_LOOKUP = Prebuilt(
    select(
        *_IDENTITIES.c["id", "person_id", "display_name", "username", "language", "last_seen_at"],
        *_PEOPLE.c["display_name", "locale", "banned_at"],
        _GRANTS.c.role,
    )
    .join(_PEOPLE, _PEOPLE.c.id == _IDENTITIES.c.person_id)
    .outerjoin(_GRANTS, _GRANTS.c.person_id == _IDENTITIES.c.person_id)
    .where(
        _IDENTITIES.c.platform == bindparam("platform"),
        _IDENTITIES.c.platform_user_id == bindparam("user_id"),
    )
)
_ROLES = select(_GRANTS.c.role).where(_GRANTS.c.person_id == bindparam("person"))
_NEW_PERSON = Prebuilt(insert_into(_PEOPLE, ("display_name", "created_at"), returning=(_PEOPLE.c.id,)))
_NEW_IDENTITY = Prebuilt(
    insert_ignoring(
        _IDENTITIES,
        [column.name for column in _IDENTITIES.c if column.name != "id"],  # every column is given
        returning=(_IDENTITIES.c.id,),
    )
)
# Prebuilt: granted to every applicant as their form opens.
_GRANT = Prebuilt(insert_ignoring(_GRANTS, ("person_id", "role", "granted_at", "granted_by")))


def _roles_named(names: Iterable[str]) -> frozenset[Role]:
    """The roles of stored role names (a name copbot no longer knows is left out)."""
    return frozenset(Role[name.upper()] for name in names if name.upper() in Role.__members__)


def fitted(user: UserRef) -> UserRef:
    """``user`` with names cut to what the columns hold (a platform's own limits are not trusted)."""
    name, username, language = user.display_name[:255], user.username, user.language
    username = username[:255] if username is not None else None
    language = language[:35] if language is not None else None
    if (name, username, language) == (user.display_name, user.username, user.language):
        return user
    return replace(user, display_name=name, username=username, language=language)


class UserRepository:
    """Looks up and records people and identities within one unit of work.

    Args:
        session: the unit of work's session.
        cache: a process-wide :class:`ProfileCache`, if the caller keeps one.
    """

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``, with the bot's people already resolved."""
        return cls(session, shared.get(ProfileCache))

    def __init__(self, session: AsyncSession, cache: ProfileCache | None = None) -> None:
        self.session = session
        self.cache = cache
        #: People whose stored profile this unit of work changed.
        self.changed: set[int] = set()

    def forget_changed(self) -> None:
        """Drop the people this unit of work changed from the cache, once it has ended.

        Their profile may have been cached again by a concurrent event while the
        transaction was open; the next event then reads them anew.
        """
        if self.cache is not None:
            for person_id in self.changed:
                self.cache.forget(person_id)

    async def resolve(self, user: UserRef, now: datetime) -> Profile:
        """Find the person behind ``user``, creating them on first contact.

        The identity's display name, username and language are refreshed when the
        platform reports new ones; the person's name is not (it is their first nickname, or
        the name from their approved application: :meth:`name_from_form`).
        """
        if self.cache is not None and (cached := self.cache.get(user, now)) is not None:
            return cached
        stored = fitted(user)
        found = await self._lookup(stored, now)
        if found is not None:
            if self.cache is not None:
                self.cache.put(user, found, now)
            return found
        created = await self._create(stored, now)
        if created is not None:
            return created
        found = await self._lookup(stored, now)  # another event of the same user created them first
        if found is None:
            raise RuntimeError(f"identity {user.key} was neither created nor found")
        return found

    async def _lookup(self, user: UserRef, now: datetime) -> Profile | None:
        rows = await _LOOKUP.rows(self.session, {"platform": user.platform, "user_id": user.id})
        if not rows:
            return None
        identity_id, person_id, name, username, language, last_seen, person_name, locale, banned_at, _ = rows[
            0
        ]
        changes: dict[str, object] = {}
        if user.display_name and user.display_name != name:
            changes["display_name"] = user.display_name
        if user.username is not None and user.username != username:
            changes["username"] = user.username
        if user.language is not None and user.language != language:
            changes["language"] = user.language
        if changes or now - last_seen >= LAST_SEEN_RESOLUTION:
            await self.session.execute(
                update(Identity).where(Identity.id == identity_id).values(last_seen_at=now, **changes)
            )
        roles = _roles_named(row[-1] for row in rows if row[-1] is not None)
        return Profile(person_id, identity_id, person_name, locale, roles, banned=banned_at is not None)

    async def _create(self, user: UserRef, now: datetime) -> Profile | None:
        """Record a new person reachable at ``user``.

        Returns:
            Their profile, or ``None`` if the identity was recorded meanwhile by another
            unit of work (the person row written for it is removed again).
        """
        person_id = await _NEW_PERSON.scalar(self.session, {"display_name": user.name, "created_at": now})
        assert person_id is not None  # INSERT ... RETURNING returns the new row
        identity_id = await _NEW_IDENTITY.scalar(
            self.session,
            {
                "person_id": person_id,
                "platform": user.platform,
                "platform_user_id": user.id,
                "username": user.username,
                "display_name": user.display_name,
                "language": user.language,
                "created_at": now,
                "last_seen_at": now,
            },
        )
        if identity_id is None:
            await self.session.execute(delete(_PEOPLE).where(_PEOPLE.c.id == person_id))
            return None
        self._changing(person_id)
        return Profile(person_id, identity_id, user.name, None, frozenset(), created=True)

    async def link(self, user: UserRef, person_id: int, now: datetime) -> Identity:
        """Record ``user`` as another identity of person ``person_id``.

        Raises:
            IntegrityError: the identity already belongs to someone.
        """
        user = fitted(user)
        self._changing(person_id)
        identity = Identity(
            person_id=person_id,
            platform=user.platform,
            platform_user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            language=user.language,
            created_at=now,
            last_seen_at=now,
        )
        self.session.add(identity)
        await self.session.flush()
        return identity

    async def roles(self, person_id: int) -> frozenset[Role]:
        """The roles stored for a person."""
        return _roles_named((await self.session.scalars(_ROLES, {"person": person_id})).all())

    def forget_cached(self, person_id: int) -> None:
        """Drop a person's cached profile now and when this unit of work ends.

        For changes made through another repository (linking accounts, say).
        """
        self._changing(person_id)

    def _changing(self, person_id: int) -> None:
        self.changed.add(person_id)
        if self.cache is not None:
            self.cache.forget(person_id)

    async def grant(self, person_id: int, role: Role, now: datetime, granted_by: int | None = None) -> bool:
        """Grant ``role``; returns ``False`` if the person already had it."""
        self._changing(person_id)
        granted = await _GRANT.execute(
            self.session,
            {"person_id": person_id, "role": role.label, "granted_at": now, "granted_by": granted_by},
        )
        return bool(granted)

    async def revoke(self, person_id: int, role: Role) -> bool:
        """Revoke ``role``; returns ``False`` if the person did not have it."""
        self._changing(person_id)
        result = await self.session.execute(
            delete(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.role == role.label)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_country(self, person_id: int, country: str) -> None:
        """Store a person's country (ISO 3166-1 alpha-2), e.g. from their approved application."""
        # No cached profile carries the country: nothing to forget.
        await self.session.execute(update(Person).where(Person.id == person_id).values(country=country))

    async def name_from_form(self, person_id: int, name: str) -> None:
        """Name a person by their approved application's full name, whatever their nicknames."""
        self._changing(person_id)
        await self.session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(display_name=name[:255], name_source=NameSource.FORM.value)
        )

    async def set_announcements(self, person_id: int, on: bool) -> None:
        """Let the moderators' announcements reach a person, or stop them (``/announcements``)."""
        await self.session.execute(update(Person).where(Person.id == person_id).values(announcements=on))

    async def set_locale(self, person_id: int, locale: str | None) -> None:
        """Store the language a person chose (``None`` returns to the platform's)."""
        self._changing(person_id)
        await self.session.execute(update(Person).where(Person.id == person_id).values(locale=locale))

    async def find(self, platform: str, platform_user_id: str) -> Identity | None:
        """The identity ``platform:platform_user_id``, if the bot has met it."""
        return await self.session.scalar(
            select(Identity).where(
                Identity.platform == platform, Identity.platform_user_id == platform_user_id
            )
        )

    async def identities(self, person_id: int) -> list[Identity]:
        """Every platform identity of a person, oldest first."""
        result = await self.session.scalars(
            select(Identity).where(Identity.person_id == person_id).order_by(Identity.id)
        )
        return list(result)

    async def with_role(self, roles: Iterable[Role]) -> list[Identity]:
        """The identities of everyone holding one of ``roles`` (stored grants only)."""
        labels = [role.label for role in roles]
        result = await self.session.scalars(
            select(Identity)
            .join(RoleGrant, RoleGrant.person_id == Identity.person_id)
            .where(RoleGrant.role.in_(labels))
            .distinct()
            .order_by(Identity.id)
        )
        return list(result)

    async def member_recipients(self, platforms: Collection[str]) -> list[tuple[UserRef, str | None]]:
        """One account per member on ``platforms`` that announcements reach, with their language.

        Members are people holding the member role or a higher one, except those who
        turned announcements off (:meth:`set_announcements`); a person with linked
        accounts is reached once (see :func:`storage.recipients.delivery_accounts`).
        """
        labels = [role.label for role in Role if role >= Role.MEMBER]
        members = (
            select(RoleGrant.person_id)
            .join(Person, Person.id == RoleGrant.person_id)
            .where(RoleGrant.role.in_(labels), Person.announcements.is_(True))
        )
        accounts = await delivery_accounts(self.session, members, platforms)
        return [(a.identity.ref, a.locale or a.identity.language) for a in accounts.values()]

    async def delivery_account(self, person_id: int, platforms: Collection[str]) -> DeliveryAccount | None:
        """The account a message for many reaches this person through, on ``platforms``.

        See :func:`storage.recipients.delivery_accounts`.
        """
        accounts = await delivery_accounts(
            self.session, select(Person.id).where(Person.id == person_id), platforms
        )
        return accounts.get(person_id)

    async def person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def lookup(self, reference: str) -> list[Person]:
        """The people a moderator's reference may mean.

        A reference is a platform-qualified id (``telegram:123``, ``matrix:@a:b``), a bare
        Matrix id (``@alice:example.org``), an ``@username``, or a member number (``#12``
        or ``12``). Display names are never used: anyone can choose any display name.
        """
        text = reference.strip()
        number = text.removeprefix("#")
        if number.isdigit():
            person = await self.person(int(number))
            return [person] if person is not None else []
        if text.startswith("@") and ":" in text:
            text = f"matrix:{text}"
        platform, sep, user_id = text.partition(":")
        if sep and user_id and platform.isalpha():
            identity = await self.find(platform, user_id)
            person = await self.person(identity.person_id) if identity is not None else None
            return [person] if person is not None else []
        if text.startswith("@") and len(text) > 1:
            people = await self.session.scalars(
                select(Person)
                .join(Identity, Identity.person_id == Person.id)
                .where(func.lower(Identity.username) == text[1:].lower())
                .distinct()
                .order_by(Person.id)
            )
            return list(people)
        return []

    async def set_banned(self, person_id: int, at: datetime | None, reason: str | None = None) -> None:
        """Ban a person (``at`` set) or lift the ban (``at`` is ``None``)."""
        self._changing(person_id)
        await self.session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(banned_at=at, banned_reason=reason if at else None)
        )

    def _chose(self, field: str, choice: str) -> Select[int]:
        """The people whose approved application has ``choice`` among its answers to ``field``."""
        if self.session.get_bind().dialect.name == "postgresql":
            elements = func.json_array_elements_text(Application.answers.op("->")(field))
            chosen = elements.table_valued("value").render_derived()  # AS anon(value)
        else:  # SQLite's json_each has its own value column
            chosen = func.json_each(Application.answers, f'$."{field}"').table_valued("value")
        return (
            select(Application.person_id)
            .join(chosen, true())
            .where(Application.status == Status.APPROVED.value, chosen.c.value == choice)
        )

    async def people(
        self,
        *,
        roles: Collection[Role] = (),
        country: str | None = None,
        countries: Collection[str] | None = None,
        platform: str | None = None,
        answer: tuple[str, str] | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> tuple[list[Person], int]:
        """A page of people matching every given filter, by member number, and the total.

        Args:
            answer: ``(field, choice)``: people whose approved application chose ``choice``
                in the multiple-choice step ``field`` (an area of expertise, say).
        """
        query = select(Person)
        if answer is not None:
            query = query.where(Person.id.in_(self._chose(*answer)))
        if roles:
            query = query.where(
                Person.id.in_(select(RoleGrant.person_id).where(RoleGrant.role.in_([r.label for r in roles])))
            )
        if country:
            query = query.where(Person.country == country.upper())
        if countries is not None:
            query = query.where(Person.country.in_(sorted(countries)))
        if platform:
            query = query.where(
                Person.id.in_(select(Identity.person_id).where(Identity.platform == platform))
            )
        total = int(await self.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        page = await self.session.scalars(query.order_by(Person.id).offset(offset).limit(limit))
        return list(page), total
