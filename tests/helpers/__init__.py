"""Test helpers (not collected: no test_ prefix)."""
