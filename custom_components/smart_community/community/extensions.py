"""Pieces that plug into a running community: Frigate gates and cameras, door intercoms.

Each extension is built from the community entry once the community runtime started, may
register link message handlers (`Community.message_handlers`) and actions' targets, and is
stopped before the community is. Its entities come from `platforms()`.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .frigate_hub import FrigateHub
from .intercom_hub import IntercomHub

if TYPE_CHECKING:
    from .runtime import Community


class CommunityExtension(Protocol):
    """A part of the community that starts and stops with it."""

    async def async_start(self) -> None:
        """Start (subscribe, open clients)."""

    async def async_stop(self) -> None:
        """Stop and release everything."""


type ExtensionFactory = Callable[
    [HomeAssistant, ConfigEntry, Community], CommunityExtension
]

# Factories are added here by the modules that implement them (one line each).
FACTORIES: list[ExtensionFactory] = []
FACTORIES.append(IntercomHub)
FACTORIES.append(FrigateHub)

# Extra entity platforms a community entry forwards to for its extensions.
EXTRA_PLATFORMS: list[Platform] = []
EXTRA_PLATFORMS.append(Platform.EVENT)
