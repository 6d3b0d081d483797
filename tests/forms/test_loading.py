"""Form files: a deployment's own questions, and errors that name the file, step and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.errors import ConfigurationError
from bot.forms.loading import FormFileError, load_form


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_form_file_is_loaded(tmp_path: Path) -> None:
    form = load_form(
        write(
            tmp_path,
            'steps:\n  - field: name\n    question: {en: "Name?", fr: "Nom ?"}\n  - field: age\n    kind: number\n    question: Age?\n',
        )
    )
    assert form.fields == ("name", "age")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("steps: [", "is not valid YAML"),
        ("- just a list\n", "must contain a list under the key 'steps'"),
        (
            "steps:\n  - field: ok\n    question: Q\n  - field: when\n    kind: colour\n    question: When?\n",
            "step 2 (when): kind:",
        ),
        (
            "steps:\n  - field: pick\n    kind: single\n    question: Pick\n",
            "step 1 (pick): a single step needs at least two choices",
        ),
        ("steps:\n  - field: Bad Name\n    question: Q\n", "step 1 (Bad Name): field:"),
        ("steps: []\n", "steps:"),
    ],
)
def test_errors_name_the_file_the_step_and_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FormFileError) as error:
        load_form(path)
    assert str(path) in str(error.value)
    assert problem in str(error.value)


def test_a_bad_form_file_stops_the_configuration(tmp_path: Path) -> None:
    path = write(
        tmp_path, "steps:\n  - field: n\n    kind: number\n    question: N\n    minimum: 5\n    maximum: 1\n"
    )
    with pytest.raises(ConfigurationError) as error:
        load_settings(application_form=path)
    message = str(error.value)
    assert message.startswith("copbot cannot start: the configuration is invalid. COPBOT_APPLICATION_FORM")
    assert f"the form file {path} is invalid: step 1 (n): minimum is larger than maximum" in message


def test_a_missing_terms_file_stops_the_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"COPBOT_TERMS_FILE names .* which is not a readable file"):
        load_settings(terms_file=tmp_path / "nope.md")
