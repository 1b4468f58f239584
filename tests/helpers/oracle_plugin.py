"""A pytest plugin that dumps pytest's own fixture resolution as JSON (the test oracle).

Loaded with ``-p oracle_plugin`` (its folder on PYTHONPATH) and ``FG_ORACLE_OUT`` naming the output
file. It reads ``item._fixtureinfo`` at ``pytest_collection_finish``, which is what pytest itself
uses for ``--fixtures-per-test``; it is private API, but stable across pytest 8.x and 9.x.
"""

from __future__ import annotations

import inspect
import json
import os
from pathlib import Path
from typing import Any


def _location(func: Any, rootdir: Path) -> tuple[str, int]:
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None:
        return ("?", 0)
    return (os.path.realpath(code.co_filename), code.co_firstlineno)


def pytest_collection_finish(session: Any) -> None:
    out_path = os.environ.get("FG_ORACLE_OUT")
    if not out_path:
        return
    rootdir = Path(str(session.config.rootpath))
    items = []
    for item in session.items:
        info = getattr(item, "_fixtureinfo", None)
        defs: dict[str, list[dict[str, Any]]] = {}
        if info is not None:
            for name, fixturedefs in info.name2fixturedefs.items():
                entries = []
                for fd in fixturedefs:
                    path, line = _location(fd.func, rootdir)
                    entries.append(
                        {
                            "func": getattr(fd.func, "__qualname__", "?"),
                            "module": getattr(fd.func, "__module__", "?"),
                            "path": path,
                            "line": line,
                            "scope": fd.scope,
                            "argnames": list(fd.argnames),
                            "baseid": getattr(fd, "baseid", None),
                        }
                    )
                defs[name] = entries
        items.append(
            {
                "nodeid": item.nodeid,
                "function": getattr(getattr(item, "function", None), "__name__", None),
                "originalname": getattr(item, "originalname", item.name),
                "fixturenames": list(getattr(item, "fixturenames", [])),
                "initialnames": list(getattr(info, "initialnames", ())),
                "defs": defs,
            }
        )
    data = {"rootdir": str(rootdir), "items": items}
    Path(out_path).write_text(json.dumps(data, indent=1, sort_keys=True))
