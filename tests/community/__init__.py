"""Tests of the community hub's pure modules."""
