"""frigate."""
