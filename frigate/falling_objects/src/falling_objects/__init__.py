"""Falling-object detector for facade cameras."""
