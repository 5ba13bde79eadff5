"""Checklists, inspection visits and their findings (排查)."""
