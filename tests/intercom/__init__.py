"""Tests of the door intercom core."""
