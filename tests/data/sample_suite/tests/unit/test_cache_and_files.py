"""Cache, scratch-directory and logging fixtures."""
import pytest

pytestmark = pytest.mark.unit


def test_cache_set_get(mock_cache):
    mock_cache.set("k", "v")
    assert mock_cache.get("k") == "v"


def test_cache_miss(mock_cache):
    assert mock_cache.get("missing") is None


def test_services_registry_shares_cache(mock_services, mock_cache):
    assert mock_services["cache"] is mock_cache


def test_tmp_data_dir_exists(tmp_data_dir):
    assert tmp_data_dir.is_dir()


def test_log_config_points_into_data_dir(log_config, tmp_data_dir):
    assert log_config["path"].parent == tmp_data_dir
