"""One prompt numbering, D.P, read and typed the same way everywhere (issue 16)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from storage.models import Reply
from tests.fakes import Harness
from tests.handlers.dialogues.test_commands import make_member, plan, post_due


async def two_open_dialogues(harness: Harness) -> None:
    """Dialogue 1 with prompt 1.1, dialogue 2 ("Budgets") with prompt 2.1, both posted."""
    await plan(harness, "2026-09-22 10:00 What changed in your trainings this year?")
    await harness.say('/dialogue_new "Budgets" 2026-09-22 2026-10-17', as_="admin")
    added = await harness.say(
        '/prompt_add 2 "2026-09-22 10:00" What works in your budget negotiations with donors?', as_="admin"
    )
    assert added == ["[admin] Prompt 2.1 will be posted on Sep 22, 2026, 10:00\u202fAM (UTC)."]
    harness.clock.advance(timedelta(hours=1))
    lines = await post_due(harness)
    assert "[community/1] (new thread) Current Situation — prompt 1.1" in lines
    assert "[community/2] (new thread) Budgets — prompt 2.1" in lines


async def test_a_reply_goes_to_the_prompt_its_number_names(harness: Harness) -> None:
    await two_open_dialogues(harness)
    await make_member(harness, "amina", "SN")
    assert await harness.say("/reply 2.1 Ring-fenced lines.", as_="amina") == [
        "[community/2] amina replied: Ring-fenced lines.",
        "[amina] Thank you! Your reply to 2.1 “What works in your budget…” (Budgets) "
        "is saved and posted in its thread.",
    ]
    async with harness.bot.db.transaction() as session:
        reply = (await session.execute(select(Reply))).scalar_one()
    assert reply.prompt_id == 2  # dialogue 2's prompt, not the prompt whose id is 1


async def test_a_bare_number_is_refused_with_the_form_to_write(harness: Harness) -> None:
    await two_open_dialogues(harness)
    await make_member(harness, "amina")
    assert await harness.say("/reply 1 Ring-fenced lines.", as_="amina") == [
        "[amina] Prompts are written dialogue.prompt, like 2.1 (dialogue 2, prompt 1). "
        "/dialogues lists the dialogues."
    ]
    assert await harness.say("/reply 1.7 Hello", as_="amina", lang="fr") == [
        "[amina] Il n’y a pas de question 1.7."
    ]
    assert await harness.say("/reply first Hello", as_="amina", lang="es") == [
        "[amina] first no es un número de consigna: las consignas se escriben diálogo.consigna, como 2.1."
    ]
    async with harness.bot.db.transaction() as session:
        assert (await session.execute(select(Reply))).first() is None


async def test_with_one_open_dialogue_a_bare_number_suggests_its_prompt(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    await make_member(harness, "amina")
    assert await harness.say("/reply 1 A lot", as_="amina") == [
        "[amina] Prompts are written dialogue.prompt: did you mean 1.1?"
    ]


async def test_positions_stay_when_a_prompt_is_deleted(harness: Harness) -> None:
    await plan(harness, "2026-09-25 10:00 One", "2026-09-26 10:00 Two", "2026-09-27 10:00 Three")
    assert await harness.say("/prompt_delete 1.2", as_="admin") == ["[admin] Prompt 1.2 deleted."]
    assert await harness.say("/prompt_delete 1.2", as_="admin") == ["[admin] There is no prompt 1.2."]
    assert await harness.say("/prompt_edit 1.3 Three, better", as_="admin") == [
        "[admin] Prompt 1.3 changed; it is posted on Sep 27, 2026, 10:00\u202fAM (UTC)."
    ]
    assert await harness.say("/prompt_add 1 2026-09-28 10:00 Four", as_="admin") == [
        "[admin] Prompt 1.4 will be posted on Sep 28, 2026, 10:00\u202fAM (UTC)."
    ]
    harness.clock.advance(timedelta(days=7))
    lines = await post_due(harness)
    titles = [line for line in lines if "(new thread)" in line]
    assert titles == [
        "[community/1] (new thread) Current Situation — prompt 1.1",
        "[community/2] (new thread) Current Situation — prompt 1.3",
        "[community/3] (new thread) Current Situation — prompt 1.4",
    ]
    listing = await harness.say("/dialogue 1", as_="bea")
    assert "  Prompt 1.3 (Sep 27, 2026, 10:00\u202fAM): Three, better" in listing
    assert listing[-1] == (
        "  Reply in the prompt's thread in the community chat, or privately with /reply 1.4 <text>."
    )


async def test_prompt_add_takes_a_quoted_time_or_now_and_refuses_the_past(harness: Harness) -> None:
    await plan(harness)
    harness.clock.advance(timedelta(days=1))  # 2026-09-23 09:00
    assert await harness.say("/prompt_add 1 2026-09-22 10:00 Too late", as_="admin") == [
        "[admin] 2026-09-22 10:00 (UTC) has already passed. "
        "To post the prompt at once, write now instead of the date."
    ]
    assert await harness.say('/prompt_add 1 "2026-09-24 09:00" Quoted', as_="admin", lang="fr") == [
        "[admin] La question 1.1 sera publiée le 24 sept. 2026, 09:00 (UTC)."
    ]
    assert await harness.say('/prompt_add 1 "2026-09-24 09:00 Unclosed', as_="admin", lang="en") == [
        "[admin] Usage: /prompt_add <dialogue> <YYYY-MM-DD HH:MM | now> <text>"
    ]
    lines = await harness.say("/prompt_add 1 now Right away", as_="admin")
    assert lines[0] == "[admin] Prompt 1.2 is being posted now."
    lines += await post_due(harness)
    assert "[community/1] (new thread) Current Situation — prompt 1.2" in lines
    await harness.say('/dialogue_new "Later" 2026-11-01 2026-11-09', as_="admin")
    assert await harness.say("/prompt_add 2 now Early", as_="admin") == [
        "[admin] Dialogue 2 is not open now, so a prompt cannot be posted at once; give its date and time."
    ]


async def test_a_cancelled_dialogue_says_so_and_invites_no_reply(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    await harness.say("/dialogue_cancel 1", as_="admin")
    await harness.say("#1", as_="admin")
    lines = await harness.say("/dialogue 1", as_="bea", lang="es")
    assert lines[-1] == "  Este diálogo fue cancelado: no admite respuestas."
    assert not any("/reply" in line or "Consigna" in line for line in lines)


async def test_exports_number_prompts_as_people_type_them(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    await make_member(harness, "amina")
    await harness.say("/reply 1.1 A lot.", as_="amina")

    async def exported(kind: str) -> str:
        lines = await harness.say(f"/export 1 {kind}", as_="admin")
        return Path(lines[1].removeprefix("[admin] (file) ")).read_text(encoding="utf-8")

    assert "## 1.1 What changed?" in await exported("md")
    assert "<h2>1.1 What changed?</h2>" in await exported("html")
    assert (await exported("csv")).splitlines()[1].startswith("1.1,What changed?,amina,")
    assert json.loads(await exported("json"))["prompts"][0]["number"] == "1.1"
