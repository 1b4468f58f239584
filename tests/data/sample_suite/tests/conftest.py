"""Root conftest for the orders-service suite.

This used to be a single ~1,400 line file. It is now only an orchestrator that
pulls fixtures in from the split modules; heavy service and browser fixtures are
only made visible when the matching environment variable is set.
"""
import os

from .conftest_base import *  # noqa: F401,F403
from .conftest_mocks import *  # noqa: F401,F403

if os.environ.get("USE_REAL_SERVICES", "").lower() == "true":
    from .conftest_services import *  # noqa: F401,F403
    from .test_framework.conftest_real_services import *  # noqa: F401,F403

if os.getenv("RUN_E2E_TESTS") == "true":
    from .conftest_e2e import *  # noqa: F401,F403
