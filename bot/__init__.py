"""Fabrique: a Discord bot for member-led online work sessions, from proposal to published documentation."""
