"""What each platform adapter declares about itself, so that nothing else lists platforms.

An adapter's package (or module, for the console) defines one :class:`PlatformSpec`:
its name, the chat library only it may import, its settings group, how its user ids are
written, and where its adapter class is. :data:`bot.platforms.SPECS` gathers them;
from there the configuration derives its settings groups' names, the known user-id
prefixes and their validation, and the architecture test derives which folders may
import which library.

A declaration imports neither the chat library nor the adapter: ``bot.config`` reads
them at start, and a platform that is not configured never loads its library. Only
:meth:`PlatformSpec.build` imports the adapter, for a configured platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from bot.core.platform import Platform


def any_user_id(user_id: str) -> bool:
    """Every non-empty user part is well formed (the console's names)."""
    return True


@dataclass(frozen=True, slots=True)
class UserIdForm:
    """How a platform writes its user ids after the ``name:`` prefix.

    Attributes:
        example: a well-formed id in full, such as ``telegram:12345``; messages show it.
        accepts: whether a (non-empty) user part is well formed.
        problem: what is wrong with an id ``accepts`` refuses; ``{value!r}`` is the id as
            given, ``{example}`` the example.
        bare: whether an id given without any prefix is this platform's (Matrix ids,
            ``@alice:example.org``, cannot be mistaken for another platform's).
    """

    example: str
    accepts: Callable[[str], bool] = any_user_id
    problem: str = "{value!r} is not a user id such as {example}"
    bare: Callable[[str], bool] | None = None


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """One platform adapter, as the rest of copbot knows it before it is loaded.

    Attributes:
        name: the platform's name: the prefix of its user ids (``telegram:12345``) and
            the name of its settings group (``COPBOT_TELEGRAM__*``, ``[telegram]``).
        package: the adapter's package (or module): the only code that may import
            :attr:`library`.
        adapter: the adapter class, ``module:Class``, inside :attr:`package`.
        user_ids: how its user ids are written.
        settings: the model of its settings group; setting the group turns the platform
            on. ``None`` for the console, which needs no settings and runs when no chat
            platform is configured.
        library: the top-level name of the chat library the adapter wraps, if any.
    """

    name: str
    package: str
    adapter: str
    user_ids: UserIdForm
    settings: type[BaseModel] | None = None
    library: str | None = None

    def __post_init__(self) -> None:
        module, _, cls = self.adapter.partition(":")
        if not cls or not (module == self.package or module.startswith(self.package + ".")):
            raise ValueError(f"the adapter {self.adapter!r} is not a class in {self.package}")

    @property
    def is_chat_platform(self) -> bool:
        """Whether it is a chat platform, run when its settings group is set."""
        return self.settings is not None

    def check_user_id(self, value: str, user_id: str) -> None:
        """Refuse a malformed user part ``user_id`` of the id ``value``.

        Raises:
            ValueError: :attr:`UserIdForm.problem`, filled in.
        """
        if not self.user_ids.accepts(user_id):
            raise ValueError(self.user_ids.problem.format(value=value, example=self.user_ids.example))

    def adapter_class(self) -> type[Platform]:
        """The adapter class, imported now (with its chat library)."""
        module, _, cls = self.adapter.partition(":")
        found: type[Platform] = getattr(import_module(module), cls)
        return found

    def group_of(self, settings: BaseModel) -> BaseModel | None:
        """This chat platform's settings group in the whole configuration (``bot.config.Settings``).

        Returns:
            The group, or ``None`` when the platform is not configured (or is the console).
        """
        if not self.is_chat_platform:
            return None
        group: BaseModel | None = getattr(settings, self.name, None)
        return group

    def build(self, settings: BaseModel) -> Platform:
        """The adapter of this chat platform, built from its settings group.

        An adapter class takes its group and the whole configuration (for the default
        language, the files folder and the like): ``TelegramPlatform(settings.telegram,
        settings)``.

        Raises:
            ValueError: the platform is not configured (or is the console).
        """
        group = self.group_of(settings)
        if group is None:
            raise ValueError(f"the {self.name} platform is not configured")
        return self.adapter_class()(group, settings)  # type: ignore[call-arg]
