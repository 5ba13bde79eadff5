"""Enforcement records (处理) kept by member units."""
