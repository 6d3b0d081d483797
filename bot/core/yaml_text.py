"""YAML as copbot reads it: safe, and through libyaml when PyYAML was built with it.

Deployers' forms, the wiki's front matter and the sample community are YAML. PyYAML's
pure-Python loader is slow (the sample wiki's front matter alone took ~70 ms of a new
database's start-up); its C loader reads the same documents several times faster and
raises the same :class:`yaml.YAMLError` subclasses, with the same marks (line, column).
"""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's safe loader, or PyYAML's own where it was built without libyaml.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    """The data of one YAML document, safely (tags build only plain data).

    Raises:
        yaml.YAMLError: the text is not valid YAML.
    """
    return yaml.load(text, Loader=SafeLoader)
