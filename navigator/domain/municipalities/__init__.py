"""Municipalities: their policy, their administrators and their decision log."""
