"""Unit-test conftest: every unit test runs against a frozen clock."""
import datetime

import pytest

from ..test_framework.memory import MemoryImpact, memory_profile


class FrozenClock:
    def __init__(self, at):
        self._at = at

    def now(self):
        return self._at

    def advance(self, seconds):
        self._at = self._at + datetime.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
@memory_profile("Clock frozen at a fixed instant for deterministic unit tests", MemoryImpact.MINIMAL)
def frozen_clock():
    return FrozenClock(datetime.datetime(2024, 1, 15, 12, 0, 0, tzinfo=datetime.timezone.utc))
