"""Tuya TS0215A SOS button: each press becomes an ``emergency`` event and device trigger.

The button sends the IAS ACE ``emergency`` command (cluster 0x0501, client side). ZHA turns that
into an alarm_control_panel going ``triggered`` but fires no ``zha_event``, so automations and
blueprints cannot trigger on the button itself (zha-device-handlers #1052). This quirk forwards
``emergency``, ``fire`` and ``panic`` as ``zha_event`` commands and declares the ``emergency``
device trigger. Signature (zigbee2mqtt ``TS0601_sos`` / ``TS0215A_sos`` threads): endpoint 1,
device type 0x0401, ``in [0x0000, 0x0001, 0x0003, 0x0500] out [0x0019, 0x000A, 0x0501]``.
"""

from typing import Any, Final

from zhaquirks.builder import QuirkBuilder
from zhaquirks.clusters import CustomCluster
from zigpy.zcl import ClusterType, foundation
from zigpy.zcl.clusters.security import IasAce

MODEL: Final = "TS0215A"
MANUFACTURERS: Final = (
    "_TZ3000_fsiepnrh",
    "_TZ3000_4fsgukof",
    "_TZ3000_wr2ucaj9",
    "_TZ3000_tj4pwzzm",
    "_TZ3000_0dumfk2z",
)
EMERGENCY: Final = "emergency"
_FORWARDED: Final = {
    IasAce.ServerCommandDefs.emergency.id: EMERGENCY,
    IasAce.ServerCommandDefs.fire.id: "fire",
    IasAce.ServerCommandDefs.panic.id: "panic",
}


class SosIasAce(CustomCluster, IasAce):  # type: ignore[misc]
    """IAS ACE client cluster that reports panic-type commands as ZHA events."""

    def handle_cluster_request(
        self,
        hdr: foundation.ZCLHeader,
        args: list[Any],
        *,
        dst_addressing: Any = None,
    ) -> None:
        """Forward ``emergency``, ``fire`` and ``panic`` as events, then answer as usual."""
        command = _FORWARDED.get(hdr.command_id)
        if (
            command is not None
            and hdr.direction == foundation.Direction.Client_to_Server
        ):
            self.listener_event("zha_send_event", command, {})
        super().handle_cluster_request(hdr, args, dst_addressing=dst_addressing)


_builder = QuirkBuilder(MANUFACTURERS[0], MODEL)
for _manufacturer in MANUFACTURERS[1:]:
    _builder.applies_to(_manufacturer, MODEL)
(
    _builder.replaces(SosIasAce, cluster_type=ClusterType.Client)
    .device_automation_triggers({(EMERGENCY, "button"): {"command": EMERGENCY}})
    .add_to_registry()
)
