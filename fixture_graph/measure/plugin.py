"""The ``pytest11`` entry point of fixture-graph: inert unless ``--fixture-graph-measure=FILE``.

Disabled, it only adds its option: no tracemalloc import, no other hook. Enabled, it registers a
:class:`~fixture_graph.measure.recorder.Recorder` before the initial conftests are imported, so
their import cost is measured too, and the recorder writes FILE when pytest exits.
"""

from __future__ import annotations

from typing import Any

import pytest

OPTION = "--fixture-graph-measure"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("fixture-graph")
    group.addoption(
        OPTION,
        dest="fixture_graph_measure",
        metavar="FILE",
        default=None,
        help="Measure each fixture's setup/teardown time and memory and each conftest's import "
        "cost; write them as JSON to FILE (for fixture-graph --measurements).",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: Any) -> None:
    out = getattr(early_config.known_args_namespace, "fixture_graph_measure", None)
    if not out:
        return
    from fixture_graph.measure.recorder import Recorder

    early_config.pluginmanager.register(Recorder(early_config, out), "fixture-graph-recorder")
