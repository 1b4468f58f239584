"""Read the JSON output of either schema as schema 1's per-test entries.

Schema 2 (``fixture-graph/2``) stores each test's closure as indexes into ``closures[]`` and
omits keys whose value is null, false or empty; :func:`v1_tests` rebuilds schema 1's ``tests[]``
from it (this is also how the README tells consumers to read it), so tests can assert on either.
"""

from __future__ import annotations

from typing import Any


def v1_tests(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """``tests[]`` as schema 1 writes it (nodeid, file, line, requests, closure, closure_defs,
    dynamic_deps, conditional, guards, weight), sorted by node id."""
    if doc["schema"] == "fixture-graph/1":
        return list(doc["tests"])
    fixtures = doc["fixtures"]
    parts = doc["closures"]
    out = []
    for module in doc["tests"]:
        for item in module["items"]:
            names = sorted({n for i in item["closure"] for n in parts[i]["names"]})
            defs = sorted({fixtures[d]["id"] for i in item["closure"] for d in parts[i]["defs"]})
            by_id = {fixtures[d]["id"]: fixtures[d] for i in item["closure"] for d in parts[i]["defs"]}
            guards = list(item.get("guards", []))
            for fid in defs:
                fixture = by_id[fid]
                if fixture.get("conditional"):
                    guards.extend(f"{fixture['name']}: {g}" for g in fixture.get("guards", []))
            guards = list(dict.fromkeys(guards))
            out.append(
                {
                    "nodeid": f"{module['module']}::{item['name']}",
                    "file": item.get("file", module["module"]),
                    "line": item["line"],
                    "requests": item["requests"],
                    "closure": names,
                    "closure_defs": defs,
                    "dynamic_deps": item.get("dynamic_deps", []),
                    "conditional": bool(guards),
                    "guards": guards,
                    "weight": item["weight"],
                }
            )
    return sorted(out, key=lambda t: t["nodeid"])


def compact(entry: dict[str, Any]) -> dict[str, Any]:
    """A schema 1 entry as schema 2 writes it: no null, false or empty values."""
    return {k: v for k, v in entry.items() if v is not None and v is not False and v != []}
