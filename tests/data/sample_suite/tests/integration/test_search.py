"""Search, cache and worker integration against the real services."""
import os

import pytest

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif("USE_REAL_SERVICES" not in os.environ, reason="needs real services (set USE_REAL_SERVICES=true)"),
]


def test_search_index_query(search_index):
    assert len(search_index.search("mug")) == 2


def test_redis_roundtrip(redis_client):
    redis_client.set("greeting", "hello")
    assert redis_client.get("greeting") == "hello"


def test_worker_pool_dispatch(worker_pool, message_broker):
    assert worker_pool.dispatch("reindex")["queued"] is True
    assert "reindex" in message_broker.queues["tasks"]
