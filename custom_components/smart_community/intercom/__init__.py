"""The door intercom: room parsing, visitor calls, door-access decisions, phrases (pure Python)."""
