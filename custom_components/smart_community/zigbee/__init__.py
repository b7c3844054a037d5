"""zigbee."""
