"""pytest's builtin fixtures, hand-kept: the fallback when pytest's source cannot be found.

The scan reads the builtin fixtures from the target environment's installed ``_pytest`` package
(:mod:`fixture_graph.scan.session`); this table (read from pytest 9.2.0, kept equal to what that
reading gives, see tests/test_builtins_source.py) is only used when ``_pytest`` is not on the
target's path. Each entry names the internal plugin that provides it, because ``-p no:<plugin>``
in ``addopts`` removes those fixtures (``-p no:cacheprovider`` removes ``cache``), and the first
pytest version that has it, because the target environment may run an older pytest.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixture_graph.scope import Scope


@dataclass(frozen=True, slots=True)
class Builtin:
    """One builtin fixture."""

    name: str
    scope: Scope
    argnames: tuple[str, ...]
    plugin: str
    file: str
    line: int
    since: tuple[int, int] = (7, 0)
    opt_in: bool = False


_F, _S = Scope.FUNCTION, Scope.SESSION
_R = ("request",)

BUILTINS: tuple[Builtin, ...] = (
    Builtin("cache", _F, _R, "cacheprovider", "_pytest/cacheprovider.py", 577),
    Builtin("capfd", _F, _R, "capture", "_pytest/capture.py", 1103),
    Builtin("capfdbinary", _F, _R, "capture", "_pytest/capture.py", 1131),
    Builtin("caplog", _F, _R, "logging", "_pytest/logging.py", 621),
    Builtin("capsys", _F, _R, "capture", "_pytest/capture.py", 1012),
    Builtin("capsysbinary", _F, _R, "capture", "_pytest/capture.py", 1075),
    Builtin("capteesys", _F, _R, "capture", "_pytest/capture.py", 1040, since=(8, 4)),
    Builtin("doctest_namespace", _S, (), "doctest", "_pytest/doctest.py", 737),
    Builtin("monkeypatch", _F, (), "monkeypatch", "_pytest/monkeypatch.py", 35),
    Builtin("pytestconfig", _S, _R, "fixtures", "_pytest/fixtures.py", 1644),
    Builtin("_pytest", _F, _R, "pytester", "_pytest/pytester.py", 198, opt_in=True),
    Builtin("linecomp", _F, (), "pytester", "_pytest/pytester.py", 460, opt_in=True),
    Builtin("LineMatcher", _F, _R, "pytester", "_pytest/pytester.py", 467, opt_in=True),
    Builtin("_sys_snapshot", _F, (), "pytester", "_pytest/pytester.py", 494, opt_in=True),
    Builtin("_config_for_test", _F, (), "pytester", "_pytest/pytester.py", 503, opt_in=True),
    Builtin(
        "pytester",
        _F,
        ("request", "tmp_path_factory", "monkeypatch"),
        "pytester",
        "_pytest/pytester.py",
        477,
        opt_in=True,
    ),
    Builtin("record_property", _F, _R, "junitxml", "_pytest/junitxml.py", 321),
    Builtin("record_testsuite_property", _S, _R, "junitxml", "_pytest/junitxml.py", 382),
    Builtin("record_xml_attribute", _F, _R, "junitxml", "_pytest/junitxml.py", 344),
    Builtin("recwarn", _F, (), "recwarn", "_pytest/recwarn.py", 36),
    Builtin("subtests", _F, _R, "subtests", "_pytest/subtests.py", 136, since=(9, 0)),
    Builtin("testdir", _F, ("pytester",), "pytester", "_pytest/legacypath.py", 254, opt_in=True),
    Builtin("tmp_path", _F, ("request", "tmp_path_factory"), "tmpdir", "_pytest/tmpdir.py", 328),
    Builtin("tmp_path_factory", _S, _R, "tmpdir", "_pytest/tmpdir.py", 313),
    Builtin("tmpdir", _F, ("tmp_path",), "legacypath", "_pytest/legacypath.py", 304),
    Builtin("tmpdir_factory", _S, _R, "legacypath", "_pytest/legacypath.py", 297),
)


def parse_version(text: str | None) -> tuple[int, int]:
    """``"9.2.0"`` -> ``(9, 2)``; unknown versions count as the newest we know."""
    if not text:
        return (99, 0)
    parts = text.split(".")
    try:
        return (int(parts[0]), int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0)
    except ValueError:
        return (99, 0)


# Plugin classes pytest registers as plugin instances when another plugin is loaded:
# (module of _pytest, class, the plugin that must be there). legacypath's pytest_configure and
# pytest_plugin_registered hooks (pytest 7.0 to 9.2).
CLASS_PLUGINS: tuple[tuple[str, str, str], ...] = (
    ("legacypath", "LegacyTmpdirPlugin", "tmpdir"),
    ("legacypath", "LegacyTestdirPlugin", "pytester"),
)


def fallback_builtins(
    version: str | None, plugin: str | None, blocked: frozenset[str] = frozenset()
) -> tuple[Builtin, ...]:
    """The hand-kept builtins of ``plugin`` (every one when None) a pytest of ``version`` has.

    ``testdir`` also needs ``legacypath``; ``blocked`` are the plugins ``-p no:`` removed.
    """
    have = parse_version(version)
    return tuple(
        b
        for b in BUILTINS
        if (plugin is None or b.plugin == plugin)
        and b.since <= have
        and b.plugin not in blocked
        and not (b.name == "testdir" and "legacypath" in blocked)
    )


def active_builtins(
    version: str | None, enabled: tuple[str, ...], disabled: tuple[str, ...]
) -> tuple[Builtin, ...]:
    """The builtins a pytest of ``version`` offers with ``-p`` / ``-p no:`` applied."""
    have = parse_version(version)
    out = []
    for builtin in BUILTINS:
        if builtin.since > have or builtin.plugin in disabled:
            continue
        if builtin.opt_in and "pytester" not in enabled:
            continue
        if builtin.name == "testdir" and "legacypath" in disabled:
            continue
        out.append(builtin)
    return tuple(out)
