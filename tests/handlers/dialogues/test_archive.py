"""The dialogue archive through the console: past dialogues listed, a closed one's replies read."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from bot.core.types import Role
from storage.dialogues.repository import DialogueRepository
from storage.models import RelayedMessage
from tests.fakes import Harness
from tests.handlers.dialogues.mirroring import Mirrored, count, remote_member, settle
from tests.handlers.dialogues.test_commands import make_member, plan, post_due
from tests.handlers.dialogues.test_relay import open_prompt


async def closed_dialogue(harness: Harness, replies: int = 2) -> None:
    """Dialogue 1 with prompts 1.1 and 1.2, ``replies`` replies to 1.1 (amina, then bruno in
    turn) and one to 1.2 (bruno), then closed."""
    await make_member(harness, "amina", "SN")
    await make_member(harness, "bruno", "BR")
    await plan(
        harness,
        "2026-09-22 09:00 What changed in your trainings this year, and why?",
        "2026-09-22 09:00 Which materials work?",
    )
    await post_due(harness)
    for number in range(replies):
        author = "amina" if number % 2 == 0 else "bruno"
        harness.clock.advance(timedelta(minutes=1))
        await harness.say(f"[community/1] Reply {number + 1} by {author}.", as_=author)
    await harness.say("[community/2] Local case studies.", as_="bruno")
    harness.clock.advance(timedelta(days=30))
    assert any("is closed" in line for line in await post_due(harness))


def files_in(lines: list[str]) -> list[Path]:
    return [Path(line.split("(file) ", 1)[1]) for line in lines if "(file) " in line]


async def test_dialogues_all_lists_every_dialogue_newest_first_with_pages(harness: Harness) -> None:
    await plan(harness)  # dialogue 1, open (the clock is on its first day)
    async with harness.bot.db.transaction() as session:
        repo = DialogueRepository(session)
        for number in range(2, 13):  # dialogues 2-12, one a month earlier each
            start = date(2026, 9, 1) - timedelta(days=30 * (number - 1))
            status = {2: "cancelled", 3: "draft", 12: "scheduled"}.get(number, "closed")
            await repo.create(
                title={"en": f"Dialogue {number}"},
                start=start,
                end=start + timedelta(days=10),
                timezone="UTC",
                now=harness.clock.now(),
                status=status,
            )
    plain = await harness.say("/dialogues", as_="bea")
    assert plain[-1] == "  Past dialogues: /dialogues all."
    assert not any("Dialogue 4" in line for line in plain)
    first = await harness.say("/dialogues all", as_="bea")
    assert first[:4] == [
        "[bea] All virtual dialogues, newest first (1–10 of 11):",
        "  1. Current Situation: open until Oct 17, 2026",
        "  2. Dialogue 2: Aug 2, 2026 to Aug 12, 2026, cancelled",
        "  4. Dialogue 4: Jun 3, 2026 to Jun 13, 2026, closed",
    ]
    assert not any("Dialogue 3" in line for line in first)  # a draft is the moderators' own
    assert harness.payloads() == ["archive:l:10"]
    second = await harness.press("archive:l:10", as_="bea")
    assert second[0] == "[bea] All virtual dialogues, newest first (11–11 of 11):"
    assert second[1] == "  12. Dialogue 12: from Oct 6, 2025 to Oct 16, 2025"
    assert harness.payloads() == ["archive:l:0"]
    assert await harness.say("/dialogues everything", as_="bea") == ["[bea] Usage: /dialogues [all]"]


async def test_a_closed_dialogue_shows_counts_and_members_page_its_replies(harness: Harness) -> None:
    await closed_dialogue(harness, replies=7)
    lines = await harness.say("/dialogue 1", as_="amina")
    assert lines == [
        "[amina] Current Situation (Sep 22, 2026 to Oct 17, 2026, UTC)",
        "  Prompt 1.1: What changed in your trainings this year, and… — replies: 7",
        "  Prompt 1.2: Which materials work? — replies: 1",
        "  This dialogue is closed. Read its replies here, or take them as a document:",
        "[#1] Read replies",
        "[#2] HTML",
        "[#3] Markdown",
    ]
    page = await harness.say("#1", as_="amina")
    assert page == [
        "[amina] Replies to Current Situation (1–5 of 8):",
        "  Prompt 1.1: What changed in your trainings this year, and…",
        "  amina (console, Sep 22, 2026, 9:01\u202fAM): Reply 1 by amina.",
        "  bruno (console, Sep 22, 2026, 9:02\u202fAM): Reply 2 by bruno.",
        "  amina (console, Sep 22, 2026, 9:03\u202fAM): Reply 3 by amina.",
        "  bruno (console, Sep 22, 2026, 9:04\u202fAM): Reply 4 by bruno.",
        "  amina (console, Sep 22, 2026, 9:05\u202fAM): Reply 5 by amina.",
        "[#1] Next ▶",
    ]
    following = await harness.say("#1", as_="amina")
    assert following[0] == "[amina] Replies to Current Situation (6–8 of 8):"
    assert following[1:6] == [
        "  Prompt 1.1: What changed in your trainings this year, and…",
        "  bruno (console, Sep 22, 2026, 9:06\u202fAM): Reply 6 by bruno.",
        "  amina (console, Sep 22, 2026, 9:07\u202fAM): Reply 7 by amina.",
        "  Prompt 1.2: Which materials work?",
        "  bruno (console, Sep 22, 2026, 9:07\u202fAM): Local case studies.",
    ]
    assert harness.payloads() == ["archive:r:1:0"]
    assert await harness.press("archive:r:1:40", as_="amina") == ["[amina] There are no more replies."]
    assert await harness.press("archive:r:1:x", as_="amina") == [
        "[amina] That button has expired. Send /dialogue 1 again."
    ]


async def test_guests_see_the_prompts_but_not_the_replies(harness: Harness) -> None:
    await closed_dialogue(harness)
    lines = await harness.say("/dialogue 1", as_="guest")
    assert lines[-1] == "  This dialogue is closed. Its replies are in the archive, which is for members."
    assert "  Prompt 1.1: What changed in your trainings this year, and… — replies: 2" in lines
    assert harness.payloads() == []
    refusal = ["[guest] Sorry, the replies in the archive are for members only."]
    assert await harness.press("archive:r:1:0", as_="guest") == refusal
    assert await harness.press("archive:f:1:html", as_="guest") == refusal


async def test_documents_go_by_direct_message_and_hold_names_not_handles(harness: Harness) -> None:
    await closed_dialogue(harness)
    await make_member(harness, "carla", role=Role.MEMBER)
    direct = await harness.press("archive:f:1:html", as_="carla")
    assert direct[0] == "[carla] The replies of dialogue 1, Current Situation:"
    [page] = files_in(direct)
    html = page.read_text(encoding="utf-8")
    assert "<h1>Current Situation</h1>" in html
    assert "<strong>amina</strong> (console, SN, 2026-09-22 09:01 UTC)" in html
    assert "Reply 2 by bruno." in html
    assert "console:" not in html  # no user id
    in_group = await harness.press("archive:f:1:md", as_="carla", chat="community")
    assert in_group[0] == "[carla] The replies of dialogue 1, Current Situation:"
    assert in_group[-1] == (
        "[community] I answered you privately. If nothing arrived, open a private chat with me and send /start."
    )
    [markdown] = files_in(in_group)
    assert "- **bruno** (console, BR, 2026-09-22 09:02 UTC): Reply 2 by bruno." in markdown.read_text(
        encoding="utf-8"
    )


async def test_an_open_dialogue_has_no_archive_yet(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 What changed?")
    await make_member(harness, "amina")
    assert await harness.press("archive:r:1:0", as_="amina") == [
        "[amina] Dialogue 1 is not closed: its replies are read in its threads."
    ]
    assert await harness.press("archive:f:9:md", as_="amina") == ["[amina] There is no dialogue 9."]


async def test_replies_of_someone_who_used_forget_are_gone(harness: Harness) -> None:
    await closed_dialogue(harness, replies=3)
    await harness.say("/forget", as_="bruno")
    await harness.press("forget:yes", as_="bruno")
    lines = await harness.say("/dialogue 1", as_="amina")
    assert "  Prompt 1.1: What changed in your trainings this year, and… — replies: 2" in lines
    assert "  Prompt 1.2: Which materials work? — replies: 0" in lines
    page = await harness.press("archive:r:1:0", as_="amina")
    assert page[0] == "[amina] Replies to Current Situation (1–2 of 2):"
    assert not any("bruno" in line for line in page)
    [document] = files_in(await harness.press("archive:f:1:md", as_="amina"))
    assert "bruno" not in document.read_text(encoding="utf-8")


async def test_a_reply_relayed_to_another_platform_counts_once_where_it_was_written(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    await make_member(harness, "amina", "SN")
    await remote_member(harness, "bea")
    thread = await open_prompt(harness, remote)
    await remote.post("bea", "Budgets shrank.", thread=thread)
    assert await settle(harness, remote) == (["[community/1] Bea Diallo (Remote): Budgets shrank."], [])
    await harness.say("[community/1] So did ours.", as_="amina")
    assert await settle(harness, remote) == ([], [f"[community/{thread}] amina (Console): So did ours."])
    assert await count(harness.bot.db, RelayedMessage) == 2  # a copy each way, neither a reply
    harness.clock.advance(timedelta(days=30))
    await post_due(harness)
    assert "  Prompt 1.1: What changed? — replies: 2" in await harness.say("/dialogue 1", as_="amina")
    page = await harness.press("archive:r:1:0", as_="amina")
    assert page[0] == "[amina] Replies to Current Situation (1–2 of 2):"
    assert page[2:] == [
        "  Bea Diallo (remote, Sep 22, 2026, 9:00\u202fAM): Budgets shrank.",
        "  amina (console, Sep 22, 2026, 9:00\u202fAM): So did ours.",
    ]


async def test_the_archive_in_french(harness: Harness) -> None:
    await closed_dialogue(harness)
    lines = await harness.say("/dialogue 1", as_="amina", lang="fr")
    assert lines[1:4] == [
        "  Question 1.1 : What changed in your trainings this year, and… — réponses : 2",
        "  Question 1.2 : Which materials work? — réponses : 1",
        "  Ce dialogue est clos. Lisez ses réponses ici, ou recevez-les sous forme de document :",
    ]
    assert lines[4] == "[#1] Lire les réponses"
    page = await harness.say("#1", as_="amina")
    assert page[0] == "[amina] Réponses à Current Situation (1–3 sur 3) :"
    assert page[2] == "  amina (console, 22 sept. 2026, 09:01) : Reply 1 by amina."
    listed = await harness.say("/dialogues all", as_="amina")
    assert listed[1] == "  1. Current Situation : du 22 sept. 2026 au 17 oct. 2026, clos"
    harness.console.languages["guest"] = "fr"
    assert await harness.press("archive:r:1:0", as_="guest") == [
        "[guest] Désolé, les réponses de l’archive sont réservées aux membres."
    ]
