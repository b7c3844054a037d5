"""ZHA quirks shipped with Smart Community (quirks v2, ``zhaquirks.builder``).

This folder is what users point ZHA's ``custom_quirks_path`` at::

    zha:
      custom_quirks_path: /config/custom_components/smart_community/zigbee/quirks

ZHA (``zhaquirks.setup``) imports every ``.py`` module in the folder as a top-level module after
its own quirks, so these win over upstream ones for the same device, and it purges and re-imports
them whenever ZHA starts. Each module therefore stands alone: it imports only zigpy, zha and
zhaquirks (never Home Assistant or a sibling module) and registers its quirks with
``add_to_registry()`` when imported.

The integration can also register them itself (``zigbee.registration.register_quirks``); see that
module and docs/zigbee.md for why ``custom_quirks_path`` stays the reliable route.
"""
