"""Pure Frigate core: HTTP client, MQTT parsers, gates, access log, fire lanes, audio alarms."""
