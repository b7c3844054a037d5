"""The household <-> community link (pure Python, no Home Assistant imports).

Modules: :mod:`.protocol` (envelopes, signatures, validation), :mod:`.outbox`
(store-and-forward state), :mod:`.transport` (interface, in-process hub),
:mod:`.mqtt` (aiomqtt transport), :mod:`.topics` (MQTT topic scheme),
:mod:`.broker` (Mosquitto password/ACL/config export) and :mod:`.endpoint`
(:class:`~.endpoint.LinkEndpoint`, what the Home Assistant layer uses).
The MQTT transport is imported from :mod:`.mqtt` directly, so the in-process
default does not load aiomqtt.
"""
