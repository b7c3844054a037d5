"""Runtime data attached to config entries."""

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .community.runtime import Community
from .household.link import HouseholdLink
from .household.runtime import Household


@dataclass(kw_only=True, slots=True)
class SmartCommunityData:
    """What a loaded entry carries: exactly one of a household or a community."""

    household: Household | None = None
    link: HouseholdLink | None = None
    community: Community | None = None


type SmartCommunityConfigEntry = ConfigEntry[SmartCommunityData]
