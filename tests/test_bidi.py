"""Right-to-left messages: values isolated, paragraphs marked, on every platform.

The real Arabic catalogue is written elsewhere; these tests build a tiny Arabic
catalogue of their own so they hold whatever it says.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from bot.catalogs import DOMAIN, LocaleTranslator
from bot.core.cldr import is_rtl
from bot.core.context import Actor, Context
from bot.core.formats import Formats
from bot.core.text import FSI, PDI, RLM, Text, bidi_label, bold, code, fill, to_plain
from bot.core.types import Button, ChatRef, IncomingMessage, OutgoingMessage, Role, UserRef
from bot.platforms.console import ConsolePlatform
from bot.platforms.matrix.render import message_content
from bot.platforms.telegram.render import html_pieces, keyboard

PLANNED = "Dialogue {id} {title} planned from {start} to {end} ({zone}). Add prompts with {command}."
PLANNED_AR = "الحوار {id} {title} مخطط من {start} إلى {end} ({zone}). أضف الأسئلة باستخدام {command}."
REPLY = "{name} ({platform}, {date}): {text}"  # placeholders only: the same in every language
COMMAND_FIRST = "{command} to see one."
COMMAND_FIRST_AR = "{command} لعرض واحد."
NEXT = "Next ▶"
NEXT_AR = "التالي ◀"
ENTRIES = ("The wiki has {n} entry:", "The wiki has {n} entries:")
ENTRIES_AR = (
    "لا توجد مداخل ({n}):",
    "في الويكي مدخل واحد:",
    "في الويكي مدخلان:",
    "في الويكي {n} مداخل:",
    "في الويكي {n} مدخلًا:",
    "في الويكي {n} مدخل:",
)


def arabic() -> LocaleTranslator:
    """A translator for a small Arabic catalogue built in memory."""
    catalog = Catalog(locale="ar", domain=DOMAIN)
    for msgid, msgstr in (
        (PLANNED, PLANNED_AR),
        (REPLY, REPLY),
        (COMMAND_FIRST, COMMAND_FIRST_AR),
        (NEXT, NEXT_AR),
    ):
        catalog.add(msgid, msgstr)
    catalog.add(ENTRIES, ENTRIES_AR)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return LocaleTranslator("ar", Translations(compiled, domain=DOMAIN))


def context(console: ConsolePlatform) -> Context[None]:
    user = UserRef("console", "amina", "Amina")
    event = IncomingMessage(
        event_id="e", sender=user, chat=ChatRef("console", "amina"), is_direct=True, text="/x"
    )
    return Context(event, Actor(1, user, Role.MEMBER, "ar"), {"console": console}, arabic(), None)


def planned(ctx: Context[None]) -> Text:
    return ctx._(
        PLANNED,
        id=12,
        title=bold("Gender & Budgets <2026>"),
        start=date(2026, 9, 22),
        end=date(2026, 10, 17),
        zone="Europe/Zurich",
        command=code("/prompt_add 12 <YYYY-MM-DD HH:MM> <text>"),
    )


class _Tags(HTMLParser):
    """Checks that every tag opened is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.broken = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in ("br",):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.broken = True


def well_formed(markup: str) -> bool:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return not parser.broken and not parser.open


def test_babel_says_which_languages_are_right_to_left() -> None:
    assert all(is_rtl(code) for code in ("ar", "he", "fa"))
    assert not any(is_rtl(code) for code in ("en", "fr", "es", "ru", "zh", "not a code"))


def test_a_languages_direction_is_babels_without_keeping_its_locale_data() -> None:
    import subprocess
    import sys

    from babel import Locale, localedata

    codes = [*localedata.locale_identifiers()[::7], "ar-EG", "en-GB", "ur", "ps", "dv", "yi"]
    assert [is_rtl(code) for code in codes] == [
        Locale.parse(code.replace("-", "_")).text_direction == "rtl" for code in codes
    ]
    program = (
        "from babel import localedata\n"
        "from bot.core.cldr import is_rtl\n"
        "assert is_rtl('ar') and not is_rtl('en') and not is_rtl('zh')\n"
        "print(sorted(localedata._cache))\n"
    )
    kept = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert kept.stdout.strip() == "[]"  # no language's whole data kept for a direction


def test_every_value_of_an_arabic_sentence_is_isolated() -> None:
    ctx = context(ConsolePlatform(io.StringIO()))
    plain = str(planned(ctx))
    day, end = Formats("ar").date(date(2026, 9, 22)), Formats("ar").date(date(2026, 10, 17))
    assert plain == (
        f"الحوار {FSI}12{PDI} {FSI}Gender & Budgets <2026>{PDI} مخطط من {FSI}{day}{PDI} إلى {FSI}{end}{PDI} "
        f"({FSI}Europe/Zurich{PDI}). أضف الأسئلة باستخدام {FSI}/prompt_add 12 <YYYY-MM-DD HH:MM> <text>{PDI}."
    )
    assert "2026-09-22" not in plain  # the date is written the Arabic way, by Babel


def test_a_sentence_that_starts_with_a_value_is_marked_right_to_left() -> None:
    ctx = context(ConsolePlatform(io.StringIO()))
    assert str(ctx._(COMMAND_FIRST, command=code("/dialogue 1"))) == f"{RLM}{FSI}/dialogue 1{PDI} لعرض واحد."
    # a sentence of placeholders only has no Arabic letter, yet an Arabic reader gets it isolated
    moment = datetime(2026, 9, 22, 9, 1, tzinfo=UTC)
    reply = str(ctx._(REPLY, name=bold("Bea Diallo"), platform="console", date=moment, text="نعم"))
    when = Formats("ar").datetime(moment)
    assert reply == f"{RLM}{FSI}Bea Diallo{PDI} ({FSI}console{PDI}, {FSI}{when}{PDI}): {FSI}نعم{PDI}"


def test_a_sentence_of_placeholders_takes_the_direction_of_its_first_letter() -> None:
    # a form's summary line "{field}: {answer}" with an Arabic title, filled without a context
    line = fill("{field}: {answer}", {"field": bold("الاسم"), "answer": "Amina Diallo"})
    assert str(line) == f"{RLM}{FSI}الاسم{PDI}: {FSI}Amina Diallo{PDI}"
    assert str(fill("{field}: {answer}", {"field": bold("Name"), "answer": "أمينة"})) == "Name: أمينة"


def test_a_left_to_right_sentence_is_left_alone() -> None:
    filled = fill("Dialogue {id} {title}", {"id": 1, "title": bold("حوار")})
    assert str(filled) == "Dialogue 1 حوار"
    assert str(fill("{name} ({platform})", {"name": "Amina", "platform": "console"})) == "Amina (console)"


def test_arabic_plurals_take_each_of_the_six_forms() -> None:
    ctx = context(ConsolePlatform(io.StringIO()))
    numbers = (0, 1, 2, 3, 11, 100)  # CLDR: zero, one, two, few, many, other
    forms = [str(ctx.ngettext(*ENTRIES, n)) for n in numbers]
    expected = [
        fill(form, {"n": Formats("ar").number(n)}, rtl=True)
        for form, n in zip(ENTRIES_AR, numbers, strict=True)
    ]
    assert forms == [str(text) for text in expected]
    assert forms[3] == f"في الويكي {FSI}{Formats('ar').number(3)}{PDI} مداخل:"


def test_telegram_html_keeps_the_isolates_outside_the_tags_and_escapes_the_values() -> None:
    ctx = context(ConsolePlatform(io.StringIO()))
    (markup,) = html_pieces(planned(ctx), 4096)
    assert f"{FSI}<b>Gender &amp; Budgets &lt;2026&gt;</b>{PDI}" in markup
    assert f"{FSI}<code>/prompt_add 12 &lt;YYYY-MM-DD HH:MM&gt; &lt;text&gt;</code>{PDI}" in markup
    assert well_formed(markup)
    buttons = keyboard(
        ((Button(ctx.gettext(NEXT), "wiki:p:1"), Button("12 " + ctx.gettext(NEXT), "wiki:p:2")),)
    )
    assert buttons is not None
    labels = [button.text for row in buttons.inline_keyboard for button in row]
    assert labels == [NEXT_AR, f"{RLM}12 {NEXT_AR}"]  # a label starting with a number is marked


def test_matrix_content_isolates_values_and_marks_its_numbered_buttons() -> None:
    ctx = context(ConsolePlatform(io.StringIO()))
    content = message_content(planned(ctx), ((Button("1 " + ctx.gettext(NEXT), "wiki:p:1"),),))
    assert f"{FSI}<b>Gender &amp; Budgets &lt;2026&gt;</b>{PDI}" in content["formatted_body"]
    assert well_formed(content["formatted_body"])
    assert content["body"].startswith(to_plain(planned(ctx)))
    assert content["body"].endswith(f"\n\n1. {RLM}1 {NEXT_AR}")
    assert f"<li>{RLM}1 {NEXT_AR}</li>" in content["formatted_body"]


async def test_the_console_prints_the_isolated_sentence() -> None:
    out = io.StringIO()
    console = ConsolePlatform(out)
    ctx = context(console)
    await console.send(OutgoingMessage(ctx.event.chat, planned(ctx)))
    printed = out.getvalue()
    assert f"{FSI}Gender & Budgets <2026>{PDI}" in printed
    assert f"{FSI}Europe/Zurich{PDI}" in printed


def test_bidi_labels() -> None:
    assert bidi_label("Next ▶") == "Next ▶"
    assert bidi_label("التالي") == "التالي"
    assert bidi_label("🔎 مساواة") == f"{RLM}🔎 مساواة"
