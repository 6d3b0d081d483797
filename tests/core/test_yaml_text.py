"""YAML read through libyaml reads as PyYAML's safe loader reads, errors and marks included."""

from __future__ import annotations

import pytest
import yaml

from bot.core.yaml_text import read_yaml

DOCUMENT = """\
title: Guía de formación — 性别
tags: [gender, "العربية"]
published: 2026-09-22
steps:
  - {field: email, kind: email}
  - field: motivation
    min_length: 20
"""


def test_read_yaml_gives_what_the_safe_loader_gives() -> None:
    assert read_yaml(DOCUMENT) == yaml.safe_load(DOCUMENT)


def test_a_yaml_error_names_the_line_as_the_safe_loader_does() -> None:
    broken = "title: ok\nsteps: [a, b\nnext: c\n"
    with pytest.raises(yaml.MarkedYAMLError) as ours:
        read_yaml(broken)
    with pytest.raises(yaml.MarkedYAMLError) as theirs:
        yaml.safe_load(broken)
    assert ours.value.problem_mark is not None
    assert theirs.value.problem_mark is not None
    assert ours.value.problem_mark.line == theirs.value.problem_mark.line


def test_tags_that_build_objects_are_refused() -> None:
    with pytest.raises(yaml.YAMLError):
        read_yaml("!!python/object/apply:os.system ['true']")
