"""Zigbee support: ZHA quirks for safety devices and IAS zone helpers."""
