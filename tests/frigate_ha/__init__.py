"""Tests of the Frigate part wired into Home Assistant."""
