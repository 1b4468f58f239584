"""Scanning: files -> records -> fixture definitions and tests, without importing any of them."""
