"""household."""
