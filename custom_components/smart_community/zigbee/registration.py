"""Register the shipped ZHA quirks from inside the integration.

Trade-off: ZHA resolves a device against the quirk registry when it loads the device (at ZHA
start-up, from its database) and when a device finishes pairing. Home Assistant sets ZHA up
before Smart Community (``after_dependencies``), so quirks registered here apply to devices that
pair afterwards and to every device the next time ZHA's config entry loads, but not to devices
ZHA already loaded in this run. ``custom_quirks_path`` has no such gap, which is why the docs
make it the supported route and this function the fallback.

Upstream modules a shipped quirk overrides are imported first, so ours register later and take
precedence (the registry prefers the newest entry for a manufacturer/model pair).
"""

import importlib
from pathlib import Path
from typing import Final

QUIRKS_PATH: Final = Path(__file__).parent / "quirks"
QUIRK_MODULES: Final = ("heiman", "tuya_gas", "tuya_smoke", "tuya_sos")
OVERRIDDEN_UPSTREAM: Final = ("zhaquirks.tuya.tuya_gas", "zhaquirks.tuya.tuya_smoke")


def register_quirks() -> tuple[str, ...]:
    """Import the shipped quirk modules into ZHA's registry (idempotent); return their names."""
    for name in OVERRIDDEN_UPSTREAM:
        importlib.import_module(name)
    return tuple(
        importlib.import_module(f"{__package__}.quirks.{module}").__name__
        for module in QUIRK_MODULES
    )
