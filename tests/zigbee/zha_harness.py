"""End-to-end harness: Home Assistant's real ``zha`` integration over a simulated Zigbee radio.

Only the radio is fake. ``FakeRadioApp`` is a zigpy ``ControllerApplication`` whose
``send_packet`` answers like the simulated devices would (ZDO interview, ZCL reads, binds,
reporting configuration) and whose helpers inject frames through ``packet_received``. Everything
above it is real: zigpy's interview, quirk resolution through ZHA's registry, the zha library and
Home Assistant's ``zha`` integration with its entities and ``zha_event``s.

Typical use (the ``zha_gateway`` fixture in ``conftest.py`` sets ZHA up)::

    device = await async_join_device(hass, ieee=..., manufacturer="HEIMAN",
                                     model="SmokeSensor-EM", endpoints=IAS_ZONE_ENDPOINTS,
                                     attributes={(1, 0x0500, 0x0001): 0x0028})
    await async_zone_status(hass, device, 0x0001)
    entity_id = zha_entity_id(hass, device, "binary_sensor", device_class="smoke")
"""

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import itertools
import time
from typing import Any, Final

from zha.application.gateway import Gateway
from zha.zigbee.device import DeviceStatus
from zhaquirks.tuya import TuyaCommand, TuyaData, TuyaDatapointData, TuyaDPType
import zigpy.application
import zigpy.config
import zigpy.device
import zigpy.endpoint
import zigpy.exceptions
import zigpy.types as t
from zigpy.zcl import foundation
from zigpy.zcl.clusters.security import IasAce, IasZone
import zigpy.zdo.types as zdo_t

from homeassistant.components.zha.helpers import get_zha_gateway
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

COORDINATOR_IEEE: Final = t.EUI64.convert("00:15:8d:00:02:32:4f:32")
COORDINATOR_NWK: Final = t.NWK(0x0000)
ZHA_PROFILE: Final = 0x0104
TUYA_CLUSTER: Final = 0xEF00
TUYA_SET_DATA_RESPONSE: Final = 0x02
JOIN_TIMEOUT: Final = 10.0

# Signatures from the devices' interviews (zigbee2mqtt / ZHA issue threads).
Endpoints = Mapping[int, Mapping[str, Any]]
IAS_ZONE_ENDPOINTS: Final[Endpoints] = {
    1: {"device_type": 0x0402, "in": [0x0000, 0x0001, 0x0003, 0x0500], "out": [0x0019]},
}
HEIMAN_GAS_ENDPOINTS: Final[Endpoints] = {
    1: {
        "device_type": 0x0402,
        "in": [0x0000, 0x0003, 0x0009, 0x0500],
        "out": [0x0003, 0x0019],
    },
}
TUYA_TS0601_ENDPOINTS: Final[Endpoints] = {
    1: {
        "device_type": 0x0051,
        "in": [0x0000, 0x0004, 0x0005, TUYA_CLUSTER],
        "out": [0x000A, 0x0019],
    },
}
TUYA_SOS_ENDPOINTS: Final[Endpoints] = {
    1: {
        "device_type": 0x0401,
        "in": [0x0000, 0x0001, 0x0003, 0x0500],
        "out": [0x0019, 0x000A, 0x0501],
    },
}


@dataclass
class SimulatedDevice:
    """What the fake radio knows about a device: its descriptors and attribute values."""

    ieee: t.EUI64
    nwk: t.NWK
    manufacturer: str
    model: str
    endpoints: Endpoints
    mains_powered: bool = False
    attributes: dict[tuple[int, int, int], Any] = field(default_factory=dict)
    online: bool = True
    tsn: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def node_descriptor(self) -> zdo_t.NodeDescriptor:
        """Return a router node descriptor if mains powered, else a sleepy end device one."""
        if self.mains_powered:
            logical, mac = zdo_t.LogicalType.Router, 0x8E
        else:
            logical, mac = zdo_t.LogicalType.EndDevice, 0x80
        return zdo_t.NodeDescriptor(
            logical_type=logical,
            complex_descriptor_available=0,
            user_descriptor_available=0,
            reserved=0,
            aps_flags=0,
            frequency_band=zdo_t.NodeDescriptor.FrequencyBand.Freq2400MHz,
            mac_capability_flags=mac,
            manufacturer_code=0x1141,
            maximum_buffer_size=82,
            maximum_incoming_transfer_size=82,
            server_mask=0,
            maximum_outgoing_transfer_size=82,
            descriptor_capability_field=0,
        )

    def simple_descriptor(self, endpoint_id: int) -> zdo_t.SizePrefixedSimpleDescriptor:
        """Return the simple descriptor of one endpoint."""
        spec = self.endpoints[endpoint_id]
        return zdo_t.SizePrefixedSimpleDescriptor(
            endpoint=endpoint_id,
            profile=spec.get("profile", ZHA_PROFILE),
            device_type=spec["device_type"],
            device_version=1,
            input_clusters=list(spec.get("in", [])),
            output_clusters=list(spec.get("out", [])),
        )


class FakeRadioApp(zigpy.application.ControllerApplication):
    """A zigpy application whose radio is a table of simulated devices."""

    simulated: dict[t.NWK, SimulatedDevice]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.simulated = {}
        self.sent: list[t.ZigbeePacket] = []
        self.state.node_info.nwk = COORDINATOR_NWK
        self.state.node_info.ieee = COORDINATOR_IEEE
        self.state.node_info.logical_type = zdo_t.LogicalType.Coordinator
        self.state.network_info.pan_id = t.PanId(0x1234)
        self.state.network_info.extended_pan_id = t.ExtendedPanId(COORDINATOR_IEEE)
        self.state.network_info.channel = 15
        self.state.network_info.network_key.key = t.KeyData(range(16))

    async def connect(self) -> None:
        """Nothing to open."""

    async def disconnect(self) -> None:
        """Nothing to close."""

    async def start_network(self) -> None:
        """Add the coordinator device with its endpoint 1, as a radio library does."""
        coordinator = self.add_device(COORDINATOR_IEEE, COORDINATOR_NWK)
        endpoint = coordinator.add_endpoint(1)
        endpoint.profile_id = ZHA_PROFILE
        endpoint.device_type = 0x0005
        endpoint.status = zigpy.endpoint.Status.ZDO_INIT
        coordinator.manufacturer = "Smart Community"
        coordinator.model = "Simulated radio"
        coordinator.node_desc = zdo_t.NodeDescriptor(
            logical_type=zdo_t.LogicalType.Coordinator,
            complex_descriptor_available=0,
            user_descriptor_available=0,
            reserved=0,
            aps_flags=0,
            frequency_band=zdo_t.NodeDescriptor.FrequencyBand.Freq2400MHz,
            mac_capability_flags=0x8E,
            manufacturer_code=0x1234,
            maximum_buffer_size=82,
            maximum_incoming_transfer_size=82,
            server_mask=0,
            maximum_outgoing_transfer_size=82,
            descriptor_capability_field=0,
        )

    async def load_network_info(self, *, load_devices: bool = False) -> None:
        """The network settings were set in the constructor."""

    async def write_network_info(self, *args: Any, **kwargs: Any) -> None:
        """Accept any network settings."""

    async def reset_network_info(self) -> None:
        """Nothing to reset."""

    async def force_remove(self, dev: zigpy.device.Device) -> None:
        """Forget a simulated device."""
        self.simulated.pop(dev.nwk, None)

    async def add_endpoint(self, descriptor: zdo_t.SimpleDescriptor) -> None:
        """The coordinator accepts any endpoint."""

    async def permit_ncp(self, time_s: int = 60) -> None:
        """Joins are simulated, nothing to permit."""

    async def permit_with_link_key(self, *args: Any, **kwargs: Any) -> None:
        """Joins are simulated, nothing to permit."""

    async def _network_scan(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def _packet_capture(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def _packet_capture_change_channel(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    async def _subscribe_to_multicast_group(self, *args: Any, **kwargs: Any) -> None:
        """Group membership is not simulated."""

    async def _unsubscribe_from_multicast_group(
        self, *args: Any, **kwargs: Any
    ) -> None:
        """Group membership is not simulated."""

    async def send_packet(self, packet: t.ZigbeePacket) -> None:
        """Deliver a packet to a simulated device and schedule its answer."""
        self.sent.append(packet)
        if packet.dst is None or packet.dst.addr_mode != t.AddrMode.NWK:
            return
        sim = self.simulated.get(t.NWK(packet.dst.address))
        if sim is None:
            return
        if not sim.online:
            raise zigpy.exceptions.DeliveryError("simulated device is offline")
        data = packet.data.serialize()
        if packet.profile_id == 0 and packet.dst_ep == 0:
            reply = _zdo_reply(sim, packet.cluster_id, data)
            if reply is not None:
                cluster_id, payload = reply
                self._schedule(sim, 0, 0, 0, cluster_id, payload)
            return
        reply = self._zcl_reply(sim, packet, data)
        if reply is not None:
            self._schedule(
                sim,
                packet.dst_ep,
                packet.profile_id,
                packet.src_ep,
                packet.cluster_id,
                reply,
            )

    def _schedule(
        self,
        sim: SimulatedDevice,
        src_ep: int,
        profile: int,
        dst_ep: int,
        cluster_id: int,
        payload: bytes,
    ) -> None:
        """Hand a frame from a simulated device to zigpy on the next loop iteration."""
        asyncio.get_running_loop().call_soon(
            self.inject, sim, src_ep, profile, dst_ep, cluster_id, payload
        )

    def inject(
        self,
        sim: SimulatedDevice,
        src_ep: int,
        profile: int,
        dst_ep: int,
        cluster_id: int,
        payload: bytes,
    ) -> None:
        """Pass a frame sent by a simulated device to zigpy, as the radio library would."""
        self.packet_received(
            t.ZigbeePacket(
                src=t.AddrModeAddress(addr_mode=t.AddrMode.NWK, address=sim.nwk),
                src_ep=src_ep,
                dst=t.AddrModeAddress(
                    addr_mode=t.AddrMode.NWK, address=COORDINATOR_NWK
                ),
                dst_ep=dst_ep,
                tsn=payload[0] if profile == 0 else 0,
                profile_id=profile,
                cluster_id=cluster_id,
                data=t.SerializableBytes(payload),
                lqi=200,
                rssi=-50,
            )
        )

    def _zcl_reply(
        self, sim: SimulatedDevice, packet: t.ZigbeePacket, data: bytes
    ) -> bytes | None:
        """Answer a ZCL request the way a cooperative device does."""
        hdr, rest = foundation.ZCLHeader.deserialize(data)
        general = foundation.GeneralCommand
        to_server = hdr.direction == foundation.Direction.Client_to_Server
        direction = (
            foundation.Direction.Server_to_Client
            if to_server
            else foundation.Direction.Client_to_Server
        )
        if hdr.frame_control.is_general:
            if hdr.command_id == general.Read_Attributes:
                schema = foundation.GENERAL_COMMANDS[general.Read_Attributes].schema
                request, _ = schema.deserialize(rest)
                records = [
                    self._read_record(sim, packet, hdr, attrid)
                    for attrid in request.attribute_ids
                ]
                return _general(
                    hdr, general.Read_Attributes_rsp, direction, status_records=records
                )
            if hdr.command_id == general.Write_Attributes:
                ok = [
                    foundation.WriteAttributesStatusRecord(
                        status=foundation.Status.SUCCESS
                    )
                ]
                return _general(
                    hdr, general.Write_Attributes_rsp, direction, status_records=ok
                )
            if hdr.command_id == general.Configure_Reporting:
                ok_rep = [
                    foundation.ConfigureReportingResponseRecord(
                        status=foundation.Status.SUCCESS
                    )
                ]
                return _general(
                    hdr,
                    general.Configure_Reporting_rsp,
                    direction,
                    status_records=ok_rep,
                )
        if hdr.frame_control.disable_default_response:
            return None
        return _general(
            hdr,
            general.Default_Response,
            direction,
            command_id=hdr.command_id,
            status=foundation.Status.SUCCESS,
        )

    def _read_record(
        self,
        sim: SimulatedDevice,
        packet: t.ZigbeePacket,
        hdr: foundation.ZCLHeader,
        attrid: int,
    ) -> foundation.ReadAttributeRecord:
        """Return one read-attributes record from the simulated attribute table."""
        key = (packet.dst_ep, packet.cluster_id, attrid)
        if hdr.direction == foundation.Direction.Server_to_Client:
            return foundation.ReadAttributeRecord(
                attrid=attrid, status=foundation.Status.UNSUPPORTED_ATTRIBUTE
            )
        if packet.cluster_id == 0x0000 and attrid in (0x0004, 0x0005):
            value: Any = sim.manufacturer if attrid == 0x0004 else sim.model
        elif key in sim.attributes:
            value = sim.attributes[key]
        else:
            return foundation.ReadAttributeRecord(
                attrid=attrid, status=foundation.Status.UNSUPPORTED_ATTRIBUTE
            )
        device = self.get_device(ieee=sim.ieee)
        cluster = device.endpoints[packet.dst_ep].in_clusters[packet.cluster_id]
        attr = cluster.find_attribute(attrid, manufacturer_code=hdr.manufacturer)
        return foundation.ReadAttributeRecord(
            attrid=attrid,
            status=foundation.Status.SUCCESS,
            value=foundation.TypeValue(type=attr.zcl_type, value=attr.type(value)),
        )


def _general(
    request: foundation.ZCLHeader,
    response_id: foundation.GeneralCommand,
    direction: foundation.Direction,
    **fields: Any,
) -> bytes:
    """Serialize a general-command answer to ``request``."""
    hdr = foundation.ZCLHeader.general(
        request.tsn, response_id, request.manufacturer, direction
    )
    hdr.frame_control = hdr.frame_control.replace(disable_default_response=True)
    schema = foundation.GENERAL_COMMANDS[response_id].schema
    return hdr.serialize() + schema(**fields).serialize()


def _zdo_reply(
    sim: SimulatedDevice, cluster_id: int, data: bytes
) -> tuple[int, bytes] | None:
    """Answer the ZDO requests of an interview and of binding; ignore the rest."""
    tsn = t.uint8_t(data[0]).serialize()
    ok = t.uint8_t(zdo_t.Status.SUCCESS).serialize()
    nwk = sim.nwk.serialize()
    if cluster_id == zdo_t.ZDOCmd.Node_Desc_req:
        return (
            zdo_t.ZDOCmd.Node_Desc_rsp,
            tsn + ok + nwk + sim.node_descriptor().serialize(),
        )
    if cluster_id == zdo_t.ZDOCmd.Active_EP_req:
        eps = t.LVList[t.uint8_t](sim.endpoints)
        return zdo_t.ZDOCmd.Active_EP_rsp, tsn + ok + nwk + eps.serialize()
    if cluster_id == zdo_t.ZDOCmd.Simple_Desc_req:
        endpoint_id = data[3]
        return zdo_t.ZDOCmd.Simple_Desc_rsp, tsn + ok + nwk + sim.simple_descriptor(
            endpoint_id
        ).serialize()
    if cluster_id in (zdo_t.ZDOCmd.Bind_req, zdo_t.ZDOCmd.Unbind_req):
        return cluster_id | 0x8000, tsn + ok
    return None


def fake_app(hass: HomeAssistant) -> FakeRadioApp:
    """Return the fake radio application ZHA is running on."""
    app = get_zha_gateway(hass).application_controller
    assert isinstance(app, FakeRadioApp)
    return app


def new_fake_app() -> FakeRadioApp:
    """Return a fake radio application outside Home Assistant (for quirk-level tests)."""
    return FakeRadioApp(
        {
            zigpy.config.CONF_DATABASE: None,
            zigpy.config.CONF_DEVICE: {zigpy.config.CONF_DEVICE_PATH: "/dev/null"},
        }
    )


async def async_wait_for(
    hass: HomeAssistant, condition: Any, timeout: float = JOIN_TIMEOUT
) -> None:
    """Let the loop run until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.01)
    await hass.async_block_till_done()


async def async_join_device(
    hass: HomeAssistant,
    *,
    ieee: str,
    manufacturer: str,
    model: str,
    endpoints: Endpoints,
    mains_powered: bool = False,
    attributes: Mapping[tuple[int, int, int], Any] | None = None,
    nwk: int | None = None,
) -> zigpy.device.Device:
    """Join a simulated device: zigpy interviews it, ZHA configures it, HA adds its entities.

    ``attributes`` maps ``(endpoint, cluster, attribute)`` to the value the device reports when
    read (for example the IAS zone type). Returns the quirk-resolved zigpy device.
    """
    app = fake_app(hass)
    gateway: Gateway = get_zha_gateway(hass)
    sim = SimulatedDevice(
        ieee=t.EUI64.convert(ieee),
        nwk=t.NWK(nwk if nwk is not None else 0x1000 + len(app.simulated)),
        manufacturer=manufacturer,
        model=model,
        endpoints=endpoints,
        mains_powered=mains_powered,
        attributes=dict(attributes or {}),
    )
    app.simulated[sim.nwk] = sim
    app.handle_join(sim.nwk, sim.ieee, COORDINATOR_NWK)
    interviewed = app.get_device(ieee=sim.ieee)

    def _initialized() -> bool:
        device = gateway.get_device(sim.ieee)
        return (
            device is not None
            and device.status is DeviceStatus.INITIALIZED
            and sim.ieee not in gateway._device_init_tasks
            # zigpy's interview task must be done too, or teardown races its cleanup.
            and not interviewed._tasks
        )

    await async_wait_for(hass, _initialized)
    return app.get_device(ieee=sim.ieee)


def _simulated(
    hass: HomeAssistant, device: zigpy.device.Device
) -> tuple[FakeRadioApp, SimulatedDevice]:
    app = fake_app(hass)
    return app, app.simulated[device.nwk]


async def async_send_cluster_command(
    hass: HomeAssistant,
    device: zigpy.device.Device,
    *,
    cluster_id: int,
    command_id: int,
    payload: bytes,
    endpoint_id: int = 1,
    direction: foundation.Direction = foundation.Direction.Server_to_Client,
) -> None:
    """Make a simulated device send a cluster-specific command to the coordinator."""
    app, sim = _simulated(hass, device)
    hdr = foundation.ZCLHeader.cluster(
        next(sim.tsn) & 0xFF, command_id, direction=direction
    )
    hdr.frame_control = hdr.frame_control.replace(disable_default_response=True)
    app.inject(sim, endpoint_id, ZHA_PROFILE, 1, cluster_id, hdr.serialize() + payload)
    await hass.async_block_till_done()


async def async_zone_status(
    hass: HomeAssistant,
    device: zigpy.device.Device,
    status: int,
    *,
    endpoint_id: int = 1,
) -> None:
    """Send an IAS zone status change notification (for example ``0x0001`` for Alarm_1)."""
    schema = IasZone.ClientCommandDefs.status_change_notification.schema
    payload = schema(
        zone_status=status, extended_status=0, zone_id=0, delay=0
    ).serialize()
    await async_send_cluster_command(
        hass,
        device,
        cluster_id=IasZone.cluster_id,
        command_id=IasZone.ClientCommandDefs.status_change_notification.id,
        payload=payload,
        endpoint_id=endpoint_id,
    )


async def async_ias_ace(
    hass: HomeAssistant,
    device: zigpy.device.Device,
    command: str = "emergency",
    *,
    endpoint_id: int = 1,
) -> None:
    """Send an IAS ACE command from a keyfob or SOS button (``emergency``, ``fire``, ``panic``)."""
    definition = getattr(IasAce.ServerCommandDefs, command)
    await async_send_cluster_command(
        hass,
        device,
        cluster_id=IasAce.cluster_id,
        command_id=definition.id,
        payload=b"",
        endpoint_id=endpoint_id,
        direction=foundation.Direction.Client_to_Server,
    )


def tuya_datapoint(
    dp: int, value: int | bool, dp_type: TuyaDPType
) -> TuyaDatapointData:
    """Return a Tuya datapoint record as the MCU encodes it."""
    data = TuyaData()
    data.dp_type = dp_type
    data.function = t.uint8_t(0)
    if dp_type == TuyaDPType.VALUE:
        data.raw = t.int32s_be(value).serialize()
    else:
        data.raw = t.uint8_t(int(value)).serialize()
    return TuyaDatapointData(dp=dp, data=data)


def tuya_report_payload(records: Iterable[TuyaDatapointData], seq: int = 1) -> bytes:
    """Serialize a Tuya ``set_data_response`` payload carrying ``records``."""
    return TuyaCommand(status=0, tsn=seq & 0xFF, datapoints=list(records)).serialize()


async def async_tuya_dp(
    hass: HomeAssistant,
    device: zigpy.device.Device,
    dp: int,
    value: int | bool,
    dp_type: TuyaDPType = TuyaDPType.ENUM,
) -> None:
    """Make a simulated Tuya TS0601 report one datapoint (enum by default)."""
    _, sim = _simulated(hass, device)
    payload = tuya_report_payload([tuya_datapoint(dp, value, dp_type)], next(sim.tsn))
    await async_send_cluster_command(
        hass,
        device,
        cluster_id=TUYA_CLUSTER,
        command_id=TUYA_SET_DATA_RESPONSE,
        payload=payload,
    )


async def async_make_offline(hass: HomeAssistant, device: zigpy.device.Device) -> None:
    """Stop a device answering and let ZHA's availability check notice, as after hours of silence."""
    _, sim = _simulated(hass, device)
    sim.online = False
    zha_device = get_zha_gateway(hass).get_device(device.ieee)
    assert zha_device is not None
    device.last_seen = time.time() - zha_device.consider_unavailable_time - 60
    for _ in range(10):
        await zha_device._check_available()
        if not zha_device.available:
            break
    await hass.async_block_till_done()


async def async_make_online(hass: HomeAssistant, device: zigpy.device.Device) -> None:
    """Let a device answer again and check in, so ZHA marks its entities available."""
    _, sim = _simulated(hass, device)
    sim.online = True
    device.last_seen = time.time()
    zha_device = get_zha_gateway(hass).get_device(device.ieee)
    assert zha_device is not None
    await zha_device._check_available()

    def _available() -> bool:
        states = [
            hass.states.get(entity_id) for entity_id in zha_entity_ids(hass, device)
        ]
        return all(
            state is not None and state.state != STATE_UNAVAILABLE for state in states
        )

    await async_wait_for(hass, _available)


def ha_device_id(hass: HomeAssistant, device: zigpy.device.Device) -> str:
    """Return the Home Assistant device registry id of a ZHA device."""
    return _device_entry(hass, device).id


def _device_entry(hass: HomeAssistant, device: zigpy.device.Device) -> dr.DeviceEntry:
    entry_id = hass.config_entries.async_entries("zha")[0].entry_id
    device_entry = dr.async_get(hass).async_get_device_by_identifier(
        ("zha", str(device.ieee)), entry_id
    )
    assert device_entry is not None, f"no HA device for {device.ieee}"
    return device_entry


def zha_entity_id(
    hass: HomeAssistant,
    device: zigpy.device.Device,
    platform: str,
    *,
    device_class: str | None = None,
    unique_id_suffix: str | None = None,
) -> str:
    """Return the single entity of a ZHA device matching the platform and filters."""
    device_entry = _device_entry(hass, device)
    matches = []
    for entry in er.async_entries_for_device(er.async_get(hass), device_entry.id):
        if entry.domain != platform:
            continue
        if unique_id_suffix is not None and not entry.unique_id.endswith(
            unique_id_suffix
        ):
            continue
        if device_class is not None:
            state = hass.states.get(entry.entity_id)
            if state is None or state.attributes.get("device_class") != device_class:
                continue
        matches.append(entry.entity_id)
    assert len(matches) == 1, f"expected one {platform} entity, found {matches}"
    return matches[0]


def zha_entity_ids(hass: HomeAssistant, device: zigpy.device.Device) -> list[str]:
    """Return every entity id of a ZHA device."""
    device_entry = _device_entry(hass, device)
    return [
        e.entity_id
        for e in er.async_entries_for_device(er.async_get(hass), device_entry.id)
    ]
