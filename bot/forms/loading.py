"""Reading a form from a YAML file, with errors a deployer can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.yaml_text import read_yaml
from bot.forms.steps import Form


class FormFileError(ValueError):
    """A form file cannot be used; the message names the file, the step and the problem."""


def load_form(path: Path) -> Form:
    """Read and validate a form file.

    The file holds ``steps:``, a list of steps as :class:`~bot.forms.steps.Step` declares
    them; questions and labels are text per language (``{en: ..., es: ..., fr: ...}``).

    Raises:
        FormFileError: the file is missing, is not YAML, or describes an invalid form.
    """
    try:
        data = read_yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FormFileError(f"the form file {path} cannot be read ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        raise FormFileError(f"the form file {path} is not valid YAML ({error})") from None
    if not isinstance(data, dict) or "steps" not in data:
        raise FormFileError(f"the form file {path} must contain a list under the key 'steps'")
    try:
        return Form.model_validate(data)
    except ValidationError as error:
        raise FormFileError(_describe(path, data, error)) from None


def _describe(path: Path, data: dict[str, Any], error: ValidationError) -> str:
    problems = []
    steps = data.get("steps")
    for item in error.errors():
        location = list(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if len(location) >= 2 and location[0] == "steps" and isinstance(location[1], int):
            number = location[1]
            field = None
            if isinstance(steps, list) and number < len(steps) and isinstance(steps[number], dict):
                field = steps[number].get("field")
            where = f"step {number + 1}" + (f" ({field})" if field else "")
            detail = ".".join(str(part) for part in location[2:])
            problems.append(f"{where}: {detail + ': ' if detail else ''}{message}")
        else:
            problems.append(f"{'.'.join(str(part) for part in location) or 'form'}: {message}")
    return f"the form file {path} is invalid: " + "; ".join(problems)
