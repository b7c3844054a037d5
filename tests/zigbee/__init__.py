"""Tests for the Zigbee quirks, the IAS helpers and the ZHA end-to-end harness."""
