"""Exports of a virtual dialogue: Markdown, HTML, CSV and JSON.

An export holds the dialogue's prompts in order, each with its replies (author, country,
platform, time, text). It never holds email addresses or application data: it is built
only from the dialogue tables and the author's community name and country. Deleted
replies are left out.

Member text runs nothing where the file is opened: CSV cells a spreadsheet would take
for formulas are written as text, Markdown is escaped, HTML too (see
:mod:`bot.core.export_safety`): the HTML export is rendered with the public site's
templates (``export.html`` extends the site's layout and carries its style sheet inline,
one standalone file), whose Jinja2 environment escapes every value.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.export_safety import CsvWriter, markdown_text
from handlers.dialogues.posting import prompt_number
from storage.dialogues.repository import DialogueRepository, ExportedReply
from storage.dialogues.texts import localized

#: Format name -> media type.
FORMATS = {
    "md": "text/markdown",
    "html": "text/html",
    "csv": "text/csv",
    "json": "application/json",
}


@dataclass(frozen=True, slots=True)
class ExportedPrompt:
    id: int
    #: As people read and type it: ``2.1`` is dialogue 2, prompt 1.
    number: str
    position: int
    post_at: datetime
    text: str
    replies: tuple[ExportedReply, ...]


@dataclass(frozen=True, slots=True)
class DialogueExport:
    id: int
    title: str
    start: str
    end: str
    timezone: str
    prompts: tuple[ExportedPrompt, ...]
    #: The language of its texts (the HTML page's ``lang``).
    locale: str = "en"


async def load_export(repo: DialogueRepository, dialogue_id: int, locale: str) -> DialogueExport:
    """Gather a dialogue for export, its texts in ``locale`` where they exist.

    Raises:
        LookupError: there is no such dialogue.
    """
    dialogue = await repo.get(dialogue_id)
    if dialogue is None:
        raise LookupError(f"there is no dialogue {dialogue_id}")
    prompts = await repo.prompts(dialogue_id)
    replies = await repo.replies([prompt.id for prompt in prompts])
    return DialogueExport(
        id=dialogue.id,
        title=localized(dialogue.title, locale),
        start=dialogue.start_date.isoformat(),
        end=dialogue.end_date.isoformat(),
        timezone=dialogue.timezone,
        prompts=tuple(
            ExportedPrompt(
                prompt.id,
                prompt_number(prompt),
                prompt.position,
                prompt.post_at,
                localized(prompt.text, locale),
                tuple(replies[prompt.id]),
            )
            for prompt in prompts
        ),
        locale=locale,
    )


def render(export: DialogueExport, kind: str) -> tuple[bytes, str]:
    """The export as a file's bytes, and its media type.

    Raises:
        ValueError: ``kind`` is not one of :data:`FORMATS`.
    """
    renderers = {"md": to_markdown, "html": to_html, "csv": to_csv, "json": to_json}
    if kind not in renderers:
        raise ValueError(f"unknown export format {kind!r}; choose one of {', '.join(FORMATS)}")
    return renderers[kind](export).encode("utf-8"), FORMATS[kind]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _author(reply: ExportedReply) -> str:
    return reply.author or "—"


def to_markdown(export: DialogueExport) -> str:
    """The export as Markdown; every text in it is escaped (see :func:`markdown_text`)."""
    md = markdown_text
    lines = [f"# {md(export.title)}", "", f"{export.start} – {export.end} ({md(export.timezone)})", ""]
    for prompt in export.prompts:
        lines += [f"## {prompt.number} {md(prompt.text)}", "", f"_{_when(prompt.post_at)}_", ""]
        for reply in prompt.replies:
            country = f", {md(reply.country)}" if reply.country else ""
            text = md(reply.text).replace("\n", "\n  ")
            lines.append(
                f"- **{md(_author(reply))}** ({md(reply.platform)}{country}, {_when(reply.created_at)}): {text}"
            )
        lines.append("")
    return "\n".join(lines)


def to_html(export: DialogueExport) -> str:
    """The export as one standalone HTML page, in the public site's layout and style."""
    from handlers.site.templating import RTL, environment, stylesheet  # Jinja2 only when exporting

    return (
        environment()
        .get_template("export.html")
        .render(
            export=export,
            lang=export.locale,
            direction="rtl" if export.locale in RTL else "ltr",
            stylesheet=stylesheet(),
            when=_when,
            author=_author,
            about=_about,
        )
    )


def _about(reply: ExportedReply) -> str:
    """Where and when a reply was written: platform, country, time."""
    return ", ".join(item for item in (reply.platform, reply.country or "", _when(reply.created_at)) if item)


def to_csv(export: DialogueExport) -> str:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(
        ["prompt", "prompt_text", "author", "country", "platform", "created_at", "edited_at", "text"]
    )
    for prompt in export.prompts:
        for reply in prompt.replies:
            writer.writerow(
                [
                    prompt.number,
                    prompt.text,
                    reply.author,
                    reply.country or "",
                    reply.platform,
                    reply.created_at.isoformat(),
                    reply.edited_at.isoformat() if reply.edited_at else "",
                    reply.text,
                ]
            )
    return out.getvalue()


def to_json(export: DialogueExport) -> str:
    document: dict[str, Any] = {
        "id": export.id,
        "title": export.title,
        "start": export.start,
        "end": export.end,
        "timezone": export.timezone,
        "prompts": [
            {
                "number": prompt.number,
                "position": prompt.position,
                "post_at": prompt.post_at.isoformat(),
                "text": prompt.text,
                "replies": [
                    {
                        "author": reply.author,
                        "country": reply.country,
                        "platform": reply.platform,
                        "created_at": reply.created_at.isoformat(),
                        "edited_at": reply.edited_at.isoformat() if reply.edited_at else None,
                        "text": reply.text,
                    }
                    for reply in prompt.replies
                ],
            }
            for prompt in export.prompts
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
