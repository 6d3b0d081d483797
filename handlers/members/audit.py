"""The audit log as moderators read it: each action code as a translated sentence.

Features record actions by code (``person.ban``, ``application.approve``); this module
says each one in words, in the moderator's language ("Mod banned Carlos (#3)"). A code
nobody described yet is shown as it is, so a new action is never hidden.

``/audit`` is a moderators' command, so the kernel answers it privately wherever members
read (``bot/core/router.py``): the names, reasons and other free text shown here reach
only the moderator who asked, or the moderators' chat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from bot.core.i18n import N_
from bot.core.text import Text, code
from bot.services import Ctx
from storage.models import AuditEntry

#: Each action code's sentence. Placeholders: ``{actor}``, ``{target}`` (a person, an
#: application, a dialogue... as the code's target names it), ``{id}`` (the target's
#: number) and the entry's details by name.
ACTIONS: dict[str, str] = {
    "person.ban": N_("{actor} banned {target}"),
    "person.unban": N_("{actor} lifted the ban on {target}"),
    "person.readmit": N_("{actor} let {target} back into the community"),
    "person.remove": N_("{actor} removed {target} from the community"),
    "person.link": N_("{actor} linked the account {account} to {target}"),
    "person.unlink": N_("{actor} separated the account {account} from {target}"),
    "role.grant.moderator": N_("{actor} made {target} a moderator"),
    "role.revoke.moderator": N_("{actor} took the moderator role back from {target}"),
    "application.submit": N_("{actor} sent application #{id}"),
    "application.approve": N_("{actor} approved application #{id}"),
    "application.reject": N_("{actor} rejected application #{id}"),
    "application.ask": N_("{actor} sent application #{id} back to its applicant with a question"),
    "application.retention": N_("{deleted} rejected applications past the retention period were deleted"),
    "privacy.forget": N_("A person had everything the bot stored about them deleted ({actor})"),
    "broadcast.announce": N_("{actor} sent announcement #{id} to {recipients} recipients"),
    "dialogue.create": N_("{actor} planned dialogue {id}"),
    "dialogue.prompt_delete": N_("{actor} deleted prompt {id}"),
    "dialogue.cancel": N_("{actor} cancelled dialogue {id}"),
    "member_thread.close": N_("{actor} closed member thread #{id}"),
    "wiki.add": N_("{actor} added the wiki entry {target}"),
    "wiki.edit": N_("{actor} changed the {field} of the wiki entry {target}"),
    "wiki.delete": N_("{actor} deleted the wiki entry {target}"),
    "directory.introduce": N_("{actor} asked the directory to introduce them to {target}"),
    "wiki.suggest": N_("{actor} sent wiki suggestion #{id}"),
    "wiki.accept": N_("{actor} accepted wiki suggestion #{id}: it is the wiki entry {slug}"),
    "wiki.reject": N_("{actor} rejected wiki suggestion #{id}"),
}

#: ``access.denied``: a refused attempt, by what the refusal protected.
REFUSALS: dict[str | None, str] = {
    None: N_("{actor} was refused {command}"),
    "admin": N_("{actor} was refused {command} against {person}, an admin"),
    "moderator": N_("{actor} was refused {command} against {person}, a moderator"),
    "self": N_("{actor} was refused {command} against themselves"),
}


class PeopleNames:
    """The names of the people an audit page mentions, looked up once per page."""

    def __init__(self, names: dict[int, str]) -> None:
        self._names = names

    @classmethod
    async def of(cls, ctx: Ctx, entries: Iterable[AuditEntry]) -> PeopleNames:
        """Look up every person an entry names (its actor, a ``person:N`` target or detail)."""
        wanted: set[int] = set()
        for entry in entries:
            if entry.actor_person_id is not None:
                wanted.add(entry.actor_person_id)
            for reference in (entry.target, (entry.details or {}).get("person")):
                number = _person_number(reference)
                if number is not None:
                    wanted.add(number)
        users = ctx.services.users
        names = {}
        for number in sorted(wanted):
            person = await users.person(number)
            if person is not None:
                names[number] = person.display_name
        return cls(names)

    def person(self, number: int) -> str:
        """``Name (#N)``, or ``#N`` for a person the bot no longer knows."""
        name = self._names.get(number)
        return f"{name} (#{number})" if name else f"#{number}"

    def actor(self, entry: AuditEntry) -> str:
        if entry.actor_person_id is not None:
            return self.person(entry.actor_person_id)
        return entry.actor  # "system", or a forgotten person's alias


def describe(ctx: Ctx, entry: AuditEntry, names: PeopleNames) -> Text:
    """One audit entry as a sentence in the moderator's language, with its reason if any."""
    details: dict[str, Any] = dict(entry.details or {})
    target = entry.target or ""
    kind, _, key = target.partition(":")
    number = _person_number(target)
    values: dict[str, Any] = {
        **{name: value for name, value in details.items() if isinstance(value, str | int)},
        "actor": names.actor(entry),
        "target": names.person(number) if number is not None else (key if kind and key else target),
        "id": key or target,
    }
    if entry.action == "access.denied":
        person = _person_number(details.get("person"))
        msgid = REFUSALS.get(details.get("protects"), REFUSALS[None])
        sentence = ctx._(
            msgid,
            actor=values["actor"],
            command=code(ctx.cmd(target)),
            person=names.person(person) if person is not None else "",
        )
    elif entry.action in ACTIONS:
        sentence = ctx._(ACTIONS[entry.action], **values)
    else:  # an action nobody described yet: shown as recorded
        sentence = Text.of(values["actor"], " ", code(entry.action), f" {target}" if target else "")
    if entry.reason:
        sentence = ctx._(N_("{action}. Reason: {reason}"), action=sentence, reason=entry.reason)
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)  # SQLite keeps UTC, naive
    return Text.of(code(ctx.datetime(at, ctx.services.settings.timezone)), " ", sentence)


def _person_number(reference: object) -> int | None:
    if isinstance(reference, str) and reference.startswith("person:") and reference[7:].isdigit():
        return int(reference[7:])
    return None
