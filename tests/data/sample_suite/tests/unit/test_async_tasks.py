"""Task scheduling on the synchronous event-loop stand-in."""
import os

import pytest

pytestmark = pytest.mark.unit


@pytest.mark.usefixtures("event_loop_runner")
class TestScheduler:
    def test_clock_is_frozen(self, frozen_clock):
        assert frozen_clock.now().year == 2024

    def test_run_until_complete(self, event_loop_runner):
        assert event_loop_runner.run_until_complete(lambda: 42) == 42


def test_frozen_clock_advances(frozen_clock):
    before = frozen_clock.now()
    frozen_clock.advance(60)
    assert (frozen_clock.now() - before).total_seconds() == 60


def test_event_loop_starts_open(event_loop_runner):
    assert not event_loop_runner.closed


def test_environment_is_isolated():
    assert os.environ["APP_ENV"] == "test"
    assert "ORDERS_API_TOKEN" not in os.environ
