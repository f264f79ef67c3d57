"""Disputes of a charge: a parent's of a lesson, a school coordinator's of a culture session."""
