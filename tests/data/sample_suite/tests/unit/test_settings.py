"""Settings behaviour, including a module-level and a class-level override of `settings`.

Override chain for tests in TestSettingsOverrides:
    class `settings` -> module `settings` -> conftest_base `settings` -> `config`
"""
import pytest

from ..test_framework.memory import MemoryImpact, memory_profile

pytestmark = pytest.mark.unit


@pytest.fixture
@memory_profile("Settings with the new checkout flag switched off for this module", impact="LOW")
def settings(settings):
    overridden = dict(settings)
    overridden["feature_flags"] = {**settings["feature_flags"], "new_checkout": False}
    overridden["overridden_by"] = "module"
    return overridden


def test_settings_has_environment(settings):
    assert settings["environment"] == "test"


def test_module_override_applied(settings):
    assert settings["overridden_by"] == "module"


def test_feature_flags_follow_module_settings(feature_flags):
    assert feature_flags["new_checkout"] is False


def test_config_is_not_overridden(config):
    assert config["app_name"] == "orders-service"


def test_locale_is_supported(locale, config):
    assert locale in config["supported_locales"]


@pytest.mark.parametrize("currency", ["EUR", "GBP"], ids=["eur", "gbp"])
def test_currency_parametrized_directly(currency, config):
    assert currency != config["default_currency"]


class TestSettingsOverrides:
    @pytest.fixture
    @memory_profile("Settings pinned to the German storefront for this class", MemoryImpact.MINIMAL)
    def settings(self, settings):
        return {**settings, "storefront": "de", "overridden_by": "class"}

    def test_class_override_wins(self, settings):
        assert settings["overridden_by"] == "class"
        assert settings["storefront"] == "de"

    def test_module_override_still_underneath(self, settings):
        assert settings["feature_flags"]["new_checkout"] is False

    def test_feature_flags_see_class_settings(self, feature_flags):
        assert feature_flags is not None
