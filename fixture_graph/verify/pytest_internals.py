"""Every read of pytest's private objects, in one place, each guarded.

The verify probe and the measurement plugin need facts pytest keeps private: the definitions
each item resolved (``item._fixtureinfo``), the definitions an item really used
(``item._request._fixture_defs``) and the conftest import step
(``PytestPluginManager._importconftest``). They have been stable from pytest 8.0 to 9.2; when a
future pytest changes them these helpers return None, and callers fall back (verify then
parses ``--setup-plan -q``).

This module imports only the standard library: it is copied next to the probe plugin and
imported inside the *suite's* interpreter, which may not have fixture-graph installed.
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable
from typing import Any

# Top-level package directory of pytest's own modules (builtins live there).
PYTEST_PACKAGE = "_pytest"


def function_code(func: Any) -> Any:
    """The code object of a function, through ``functools.wraps`` layers and bound methods."""
    with contextlib.suppress(ValueError):
        func = inspect.unwrap(func)
    return getattr(getattr(func, "__func__", func), "__code__", None)


def code_location(func: Any) -> tuple[str, int]:
    """``(real path, first line)`` of a function's code (first decorator line on 3.8+)."""
    code = function_code(func)
    if code is None:
        return ("?", 0)
    return (os.path.realpath(code.co_filename), code.co_firstlineno)


def fixturedef_facts(fixturedef: Any) -> dict[str, Any]:
    """The public-looking facts of one ``FixtureDef``: where, what, which scope, which holder."""
    func = fixturedef.func
    path, line = code_location(func)
    real = getattr(func, "__func__", func)
    return {
        "name": str(getattr(fixturedef, "argname", "?")),
        "module": str(getattr(real, "__module__", "?")),
        "qualname": str(getattr(real, "__qualname__", "?")),
        "path": path,
        "line": line,
        "scope": str(getattr(fixturedef, "scope", "?")),
        "argnames": [str(a) for a in getattr(fixturedef, "argnames", ())],
        "baseid": str(getattr(fixturedef, "baseid", "") or ""),
    }


def resolved_definitions(item: Any) -> dict[str, list[Any]] | None:
    """Visible definitions per name for ``item``, farthest first, as collection resolved them.

    None when pytest no longer keeps them where 8.x/9.x do (``item._fixtureinfo``).
    """
    info = getattr(item, "_fixtureinfo", None)
    name2defs = getattr(info, "name2fixturedefs", None)
    if not isinstance(name2defs, dict):
        return None
    return {str(name): list(defs) for name, defs in name2defs.items()}


def late_definitions(item: Any, names: list[str]) -> dict[str, list[Any]]:
    """Definitions pytest's setup would find for names collection left unresolved.

    ``_get_active_fixturedef`` looks a name absent from ``name2fixturedefs`` up again at setup
    (``FixtureManager.getfixturedefs(argname, item)``), which finds fixtures of plugins registered
    after the item was collected (by a later module's ``pytest_plugins``). Called once collection
    is over; names still unresolved are left out (an empty dict when the manager moved).
    """
    manager = getattr(getattr(item, "session", None), "_fixturemanager", None)
    lookup = getattr(manager, "getfixturedefs", None)
    if lookup is None:
        return {}
    found: dict[str, list[Any]] = {}
    for name in names:
        try:
            defs = lookup(name, item)
        except Exception:
            continue
        if defs:
            found[str(name)] = list(defs)
    return found


def used_definitions(item: Any) -> dict[str, Any] | None:
    """The definition each name resolved to while ``item`` ran, dynamic requests included.

    Read after the call phase and before teardown. None when the request object changed shape.
    """
    request = getattr(item, "_request", None)
    defs = getattr(request, "_fixture_defs", None)
    if not isinstance(defs, dict):
        return None
    return dict(defs)


def wrap_conftest_import(
    pluginmanager: Any, around: Callable[[Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any]
) -> bool:
    """Route every conftest import through ``around(original, args, kwargs)``.

    Returns False (and changes nothing) when the plugin manager has no ``_importconftest``.
    """
    original = getattr(pluginmanager, "_importconftest", None)
    if original is None or not callable(original):
        return False

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return around(original, args, kwargs)

    pluginmanager._importconftest = wrapper
    return True


def fixture_function_code(obj: Any) -> Any:
    """The code object behind a module attribute that is a fixture, or None.

    pytest 9 wraps fixtures in ``FixtureFunctionDefinition`` (``_get_wrapped_function``); 8.x marks
    the function with ``_pytestfixturefunction`` and keeps the original in ``__pytest_wrapped__``.
    """
    getter = getattr(type(obj), "_get_wrapped_function", None)
    if getter is not None:
        try:
            func = getter(obj)
        except Exception:
            return None
    elif getattr(obj, "_pytestfixturefunction", None) is not None:
        wrapped = getattr(obj, "__pytest_wrapped__", None)
        func = getattr(wrapped, "obj", obj)
    else:
        return None
    return function_code(func)


def fixture_declared_name(obj: Any, attr: str) -> str:
    """The name a fixture attribute registers under: ``name=`` if given, else the attribute."""
    marker = getattr(obj, "_fixture_function_marker", None) or getattr(obj, "_pytestfixturefunction", None)
    name = getattr(marker, "name", None)
    return str(name) if name else attr
