"""Constants for the Smart Community integration."""

import logging
from typing import Final

DOMAIN: Final = "smart_community"
LOGGER = logging.getLogger(__package__)
