"""What the public web site publishes, gathered from the database in one read.

Everything a page shows is copied here into plain frozen records, so rendering needs no
database and the same database gives the same records in the same order (pages are then
byte for byte the same). What is published, and only that:

* every wiki entry, with its translations;
* the dialogues that are open, scheduled (upcoming) or closed, never drafts nor cancelled
  ones: their titles, descriptions, dates and the prompts already due, each with how many
  replies it has;
* the replies of members who chose ``/profile quoted on``, under their profile's name.
  Nothing else of a member: no email, handle, platform id, country or application answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Database
from storage.dialogues.quotes import PublicQuotes, QuotableReply
from storage.dialogues.repository import DialogueRepository
from storage.models import WikiEntry
from storage.published import PUBLISHED_STATUSES  # drafts and cancelled dialogues stay private
from storage.wiki.repository import WikiRepository


@dataclass(frozen=True, slots=True)
class EntryText:
    """An entry's title, summary and body in one language."""

    title: str
    summary: str
    body: str


@dataclass(frozen=True, slots=True)
class PublishedEntry:
    """A wiki entry as the site shows it.

    Attributes:
        texts: the entry as written (under ``language``) and in each translation.
    """

    slug: str
    kind: str
    language: str
    texts: dict[str, EntryText]
    link: str | None
    tags: tuple[str, ...]
    region: str | None
    country: str | None
    deadline: date | None

    def text(self, locale: str) -> EntryText:
        """The entry in ``locale`` when written or translated in it, else as written."""
        return self.texts.get(locale) or self.texts[self.language]

    def speaks(self, locale: str) -> str:
        """The language :meth:`text` is in for a reader of ``locale``."""
        return locale if locale in self.texts else self.language


@dataclass(frozen=True, slots=True)
class PublishedPrompt:
    """A prompt of a dialogue, with its reply count and the replies that may be quoted."""

    position: int
    text: dict[str, str]
    post_at: datetime
    replies: int
    quotes: tuple[QuotableReply, ...]


@dataclass(frozen=True, slots=True)
class PublishedDialogue:
    """A dialogue as the site shows it: only its prompts already due."""

    id: int
    title: dict[str, str]
    description: dict[str, str]
    start_date: date
    end_date: date
    timezone: str
    status: str
    prompts: tuple[PublishedPrompt, ...]


@dataclass(frozen=True, slots=True)
class Published:
    """Everything the site publishes."""

    entries: tuple[PublishedEntry, ...]
    dialogues: tuple[PublishedDialogue, ...]


def published_entry(entry: WikiEntry) -> PublishedEntry:
    """``entry`` as a plain record (its translations by language, the original first)."""
    texts = {entry.language: EntryText(entry.title, entry.summary, entry.body)}
    for translation in sorted(entry.translations, key=lambda found: found.language):
        texts.setdefault(
            translation.language, EntryText(translation.title, translation.summary, translation.body)
        )
    return PublishedEntry(
        slug=entry.slug,
        kind=entry.kind,
        language=entry.language,
        texts=texts,
        link=entry.link,
        tags=tuple(entry.tags or ()),
        region=entry.region,
        country=entry.country,
        deadline=entry.deadline,
    )


async def gather(db: Database, now: datetime) -> Published:
    """What the site publishes, as of ``now`` (which prompts of an open dialogue are due).

    One read-only transaction: the pages agree with each other.
    """
    async with db.transaction() as session:
        entries = tuple([published_entry(entry) async for entry in WikiRepository(session).all()])
        repo = DialogueRepository(session)
        dialogues = []
        for dialogue in await repo.listed(PUBLISHED_STATUSES):
            due = [prompt for prompt in await repo.prompts(dialogue.id) if prompt.post_at <= now]
            if dialogue.status == "scheduled":
                due = []  # an upcoming dialogue shows its title and dates only
            ids = [prompt.id for prompt in due]
            counts = await repo.reply_counts(ids)
            quotes = await PublicQuotes(session).of_prompts(ids)
            dialogues.append(
                PublishedDialogue(
                    id=dialogue.id,
                    title=dict(dialogue.title),
                    description=dict(dialogue.description),
                    start_date=dialogue.start_date,
                    end_date=dialogue.end_date,
                    timezone=dialogue.timezone,
                    status=dialogue.status,
                    prompts=tuple(
                        PublishedPrompt(
                            prompt.position,
                            dict(prompt.text),
                            prompt.post_at,
                            counts[prompt.id],
                            tuple(quotes[prompt.id]),
                        )
                        for prompt in due
                    ),
                )
            )
    return Published(entries, tuple(dialogues))
