"""The adapters' declarations (what the configuration derives from them: tests/test_config.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import qualify_user_id
from bot.core.platform import Platform
from bot.platforms import SPECS
from bot.platforms.spec import PlatformSpec, UserIdForm

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_each_declaration_names_its_adapter_and_a_valid_example_id(spec: PlatformSpec) -> None:
    adapter = spec.adapter_class()
    assert issubclass(adapter, Platform)
    assert adapter.name == spec.name
    assert qualify_user_id(spec.user_ids.example) == spec.user_ids.example


def test_a_declaration_refuses_an_adapter_outside_its_package() -> None:
    with pytest.raises(ValueError, match=r"is not a class in bot\.platforms\.telegram"):
        PlatformSpec(
            name="telegram",
            package="bot.platforms.telegram",
            adapter="bot.platforms.matrix.platform:MatrixPlatform",
            user_ids=UserIdForm(example="telegram:1"),
        )


def test_reading_the_configuration_imports_no_chat_library() -> None:
    libraries = sorted(spec.library for spec in SPECS if spec.library)
    probe = (
        "import sys, bot.config, bot.platforms; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
