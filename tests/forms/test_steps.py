"""The form engine: steps as data and the validation of one answer, with no I/O."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.forms import Accepted, Choice, Form, Rejected, Step, parse_answer
from bot.forms.countries import country_name, find_country
from bot.forms.steps import NOT_ACCEPTED, text_weight

LEVELS = Step(
    field="levels",
    question="Levels?",
    kind="multi",
    choices=(Choice(value="low", label="Low"), Choice(value="high", label="High")),
)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Kenya", "KE"),
        ("kenia", "KE"),
        ("KEN", "KE"),
        ("Allemagne", "DE"),
        ("alemania", "DE"),
        ("Germny", "DE"),  # a misspelling that points to one country
        ("cote divoire", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Perú", "PE"),
        ("Estados Unidos", "US"),
        ("États-Unis", "US"),
        ("uk", "GB"),
        ("Niger", "NE"),
        ("Nigeria", "NG"),
        ("Suisse", "CH"),
    ],
)
def test_countries_by_name_in_three_languages(typed: str, code: str) -> None:
    assert find_country(typed) == code


@pytest.mark.parametrize("typed", ["Narnia", "xx", "", "   ", "Zqx"])
def test_unknown_or_ambiguous_countries_are_refused(typed: str) -> None:
    assert find_country(typed) is None


def test_country_names_are_shown_in_the_readers_language() -> None:
    assert (country_name("DE", "en"), country_name("DE", "es"), country_name("DE", "fr")) == (
        "Germany",
        "Alemania",
        "Allemagne",
    )


def test_text_limits_cut_long_answers_and_refuse_short_ones() -> None:
    step = Step(field="why", question="Why?", min_length=5, max_length=10)
    assert parse_answer(step, "  hello world, long  ") == Accepted("hello worl", truncated=True)
    assert parse_answer(step, "hey") == Rejected(
        "Please write at least {minimum} characters (you wrote {length}).", {"minimum": 5, "length": 3}
    )
    assert parse_answer(step, "<b>hi</b>") == Accepted("<b>hi</b>")  # markup kept verbatim


def test_numbers_emails_and_consent() -> None:
    years = Step(field="years", question="Years?", kind="number", minimum=0, maximum=60)
    assert parse_answer(years, "12") == Accepted(12)
    assert isinstance(parse_answer(years, "twelve"), Rejected)
    assert isinstance(parse_answer(years, "-1"), Rejected)
    email = Step(field="email", question="Email?", kind="email")
    assert parse_answer(email, "a.b@example.org") == Accepted("a.b@example.org")
    for bad in ("a@b", "a b@c.org", "@example.org", "x" * 250 + "@e.org"):
        assert isinstance(parse_answer(email, bad), Rejected), bad
    consent = Step(field="ok", question="OK?", kind="consent")
    for yes in ("yes", "Sí", "oui", "J'accepte"):
        assert parse_answer(consent, yes) == Accepted(True), yes
    assert parse_answer(consent, "non") == Rejected(NOT_ACCEPTED)


def test_choices_typed_by_number_value_or_label() -> None:
    assert parse_answer(LEVELS, "2, low") == Accepted(["low", "high"])
    assert parse_answer(LEVELS, "Bajo", labels=["Bajo", "Alto"]) == Accepted(["low"])
    refused = parse_answer(LEVELS, "low, medium")
    assert isinstance(refused, Rejected)
    assert refused.values == {"unknown": "medium"}


def test_invalid_steps_and_forms_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least two choices"):
        Step(field="x", question="X?", kind="single", choices=(Choice(value="a", label="A"),))
    with pytest.raises(ValidationError, match="takes no choices"):
        Step(field="x", question="X?", choices=(Choice(value="a", label="A"), Choice(value="b", label="B")))
    with pytest.raises(ValidationError, match="used by two steps"):
        Form(steps=(Step(field="x", question="X?"), Step(field="x", question="Y?")))


def test_the_first_unanswered_step_counts_skipped_ones_as_answered() -> None:
    form = Form(steps=(Step(field="a", question="A"), Step(field="b", question="B", required=False), LEVELS))
    assert form.first_unanswered({}) == form.steps[0]
    assert form.first_unanswered({"a": "x", "b": None}) == LEVELS
    assert form.first_unanswered({"a": "x", "b": None, "levels": ["low"]}) is None


@given(st.text(max_size=3000))
def test_any_text_is_either_accepted_within_the_limit_or_refused(answer: str) -> None:
    step = Step(field="t", question="T", min_length=2, max_length=100)
    result = parse_answer(step, answer)
    if isinstance(result, Accepted):  # the minimum weighs a CJK character as three
        assert text_weight(result.value) >= 2
        assert 1 <= len(result.value) <= 100


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://example.org/a?b=1", Accepted("https://example.org/a?b=1")),
        ("  http://example.org  ", Accepted("http://example.org")),
        ("mailto:team@example.org", Accepted("mailto:team@example.org")),
        ("example.org", Rejected("That does not look like a web address, such as https://example.org.")),
        (
            "https://exa mple.org",
            Rejected("That does not look like a web address, such as https://example.org."),
        ),
        (
            "javascript:alert(1)",
            Rejected("That does not look like a web address, such as https://example.org."),
        ),
    ],
)
def test_url_steps_take_web_and_mailto_addresses(typed: str, expected: Accepted | Rejected) -> None:
    assert parse_answer(Step(field="link", question="Link?", kind="url"), typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-03-31", Accepted("2027-03-31")),
        ("2028-02-29", Accepted("2028-02-29")),
        ("2027-02-29", None),
        ("31/03/2027", None),
        ("20270331", None),
        ("2027-W13-3", None),
        ("tomorrow", None),
    ],
)
def test_date_steps_take_year_month_day(typed: str, expected: Accepted | None) -> None:
    result = parse_answer(Step(field="when", question="When?", kind="date"), typed)
    assert result == (expected or Rejected("Please write a date as year-month-day, such as 2026-12-31."))


@pytest.mark.parametrize(
    "typed", ["1，2", "Low、High", "low；high", "1، 2", "Low؛ High", "low, high", "low\nhigh"]
)
def test_options_are_separated_in_every_script(typed: str) -> None:
    assert parse_answer(LEVELS, typed, ["Low", "High"]) == Accepted(["low", "high"])


def test_an_unknown_option_is_echoed_without_its_final_punctuation() -> None:
    refused = parse_answer(LEVELS, "Low, Middle。", ["Low", "High"])
    assert isinstance(refused, Rejected)
    assert refused.values == {"unknown": "Middle"}
    assert parse_answer(LEVELS, "Low, High, .", ["Low", "High"]) == Accepted(["low", "high"])


@pytest.mark.parametrize(
    ("typed", "labels"),
    [
        ("是，我接受", ["是，我接受", "否"]),
        ("我接受", ["是，我接受", "否"]),
        ("Да, принимаю", ["Да, принимаю", "Нет"]),
        ("принимаю", ["Да, принимаю", "Нет"]),
        ("أوافق", []),
        ("Sí, acepto", ["Sí, acepto", "No"]),
    ],
)
def test_a_consent_takes_its_buttons_label_typed(typed: str, labels: list[str]) -> None:
    consent = Step(field="terms", question="Terms?", kind="consent")
    assert parse_answer(consent, typed, labels) == Accepted(True)
    assert parse_answer(consent, labels[1] if labels else "لا", labels) == Rejected(NOT_ACCEPTED)


def test_a_chinese_character_weighs_three_against_a_minimum() -> None:
    motivation = Step(field="why", question="Why?", min_length=20)
    assert parse_answer(motivation, "我想向同行学习经验") == Accepted("我想向同行学习经验")
    assert parse_answer(motivation, "我想学习") == Rejected(
        "Please write at least {minimum} characters (you wrote {length}).", {"minimum": 7, "length": 4}
    )
    name = Step(field="name", question="Name?", min_length=2)
    assert parse_answer(name, "李") == Accepted("李")
    assert isinstance(parse_answer(name, "L"), Rejected)


@pytest.mark.parametrize("typed", [".", "。，", "😀"])
def test_options_of_punctuation_or_symbols_alone_are_refused(typed: str) -> None:
    assert isinstance(parse_answer(LEVELS, typed, ["Low", "High"]), Rejected)
