"""Find what a question names: a test from a pytest-style argument, a fixture by name or id.

A test is named as on pytest's command line: a path relative to the working directory, then
``::Class::test`` and an optional parametrization id (``test_b[1]``), which is dropped because
the scan works on test functions. Lookups that fail raise :class:`NotFound` with a one-line
message that suggests close names.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fixture_graph.model import FixtureDef, ScanResult, TestItem

_PARAM_ID = re.compile(r"\[.*\]$")


class NotFound(LookupError):
    """The test or fixture a question names is not in the scan (the message says what is near)."""


@dataclass(frozen=True, slots=True)
class FixtureQuery:
    """A fixture as asked for: its name, and a definition id when one was given."""

    name: str
    definition: str | None = None


def split_test_argument(argument: str) -> tuple[str, str]:
    """``path[::rest]`` -> (path, node id rest without a parametrization id)."""
    path, sep, rest = argument.partition("::")
    return path, _PARAM_ID.sub("", rest) if sep else ""


def nodeid_of(argument: str, rootdir: str, cwd: str | None = None) -> str:
    """The rootdir-relative node id a pytest-style test argument names (see the module docstring)."""
    path, rest = split_test_argument(argument)
    absolute = Path(cwd or os.getcwd(), path).resolve() if path else Path(cwd or os.getcwd())
    try:
        relative = absolute.relative_to(Path(rootdir).resolve()).as_posix()
    except ValueError:
        relative = absolute.as_posix()
    return f"{relative}::{rest}" if rest else relative


def find_test(scan: ScanResult, argument: str, cwd: str | None = None) -> TestItem:
    """The test a pytest-style ``argument`` names; raises :class:`NotFound`."""
    nodeid = nodeid_of(argument, scan.rootdir, cwd)
    for test in scan.tests:
        if test.nodeid == nodeid:
            return test
    module = nodeid.split("::", 1)[0]
    here = [t.nodeid for t in scan.tests if t.nodeid.split("::", 1)[0] == module]
    if "::" not in nodeid:
        what = f"{argument} names a module, not a test" if here else f"no test in {argument}"
        raise NotFound(f"{what}; give a test node id (FILE::TEST or FILE::CLASS::TEST)")
    near = _close(nodeid, here or [t.nodeid for t in scan.tests])
    raise NotFound(f"no test {nodeid} in the scan{_did_you_mean(near)}")


def find_fixture(scan: ScanResult, argument: str) -> FixtureQuery:
    """A fixture name, or a definition id (``tests/conftest.py::db``); raises :class:`NotFound`."""
    for fixture in scan.fixtures:
        if fixture.id == argument:
            return FixtureQuery(fixture.name, fixture.id)
    if any(f.name == argument for f in scan.fixtures):
        return FixtureQuery(argument)
    if "::" in argument:
        near = _close(argument, [f.id for f in scan.fixtures])
        raise NotFound(f"no fixture definition {argument} in the scan{_did_you_mean(near)}")
    near = _close(argument, sorted({f.name for f in scan.fixtures}))
    raise NotFound(f"no fixture named {argument} is defined in the scan{_did_you_mean(near)}")


def nearest_definitions(scan: ScanResult, name: str, item: TestItem, limit: int = 3) -> list[FixtureDef]:
    """The definitions of ``name``, those visible from ``item`` first, then by distance from it."""
    visible = set(item.ancestors)
    place = _parts(item.nodeid)

    def distance(fixture: FixtureDef) -> tuple[bool, int, str]:
        there = _parts(fixture.holder)
        shared = next((i for i, (a, b) in enumerate(zip(place, there, strict=False)) if a != b), None)
        common = min(len(place), len(there)) if shared is None else shared
        return (fixture.holder not in visible, len(place) + len(there) - 2 * common, fixture.id)

    return sorted((f for f in scan.fixtures if f.name == name), key=distance)[:limit]


def is_visible(fixture: FixtureDef, item: TestItem) -> bool:
    """True when ``item`` can see ``fixture`` (its holder is one of the test's ancestors)."""
    return fixture.holder in item.ancestors


def _parts(node: str) -> tuple[str, ...]:
    path, *classes = node.split("::")
    return (*PurePosixPath(path).parts, *classes) if path else tuple(classes)


def _close(word: str, candidates: Sequence[str]) -> list[str]:
    return difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)


def _did_you_mean(near: Iterable[str]) -> str:
    found = list(near)
    return f" (did you mean {', '.join(found)}?)" if found else ""
