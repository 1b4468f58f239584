"""``plan-split`` output: a readable plan (text) and the whole plan as data (JSON).

The JSON holds every module's complete text and the orchestrator's, so a script (or the
acceptance test) can write the split out; keys are sorted and lists keep the plan's order.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from fixture_graph.analyze.split import PlannedModule, SplitPlan
from fixture_graph.render.paths import path_display
from fixture_graph.words import counted

SCHEMA = "fixture-graph-split/1"


def render_split_json(plan: SplitPlan, rootdir: str) -> str:
    """The plan as one JSON document (paths rootdir-relative, as in every data format)."""
    document: dict[str, Any] = {"schema": SCHEMA, "rootdir": rootdir, **dataclasses.asdict(plan)}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _when(module: PlannedModule) -> str:
    return "only when " + " and ".join(module.guards) if module.guards else "always loaded"


def render_split_text(plan: SplitPlan, rootdir: str) -> str:
    """The plan for a person: each module with its fixtures, what it carries and when it
    loads, the orchestrating conftest in full, and the collection-time saving (the modules'
    texts are in the JSON)."""
    show = path_display(rootdir)
    fixtures = sum(len(m.fixtures) for m in plan.modules)
    lines = [
        f"plan-split {show(plan.conftest)}: {counted(fixtures, 'fixture')} in "
        f"{counted(plan.lines, 'line')} -> {counted(len(plan.modules), 'module')} (no file is changed)",
    ]
    if len(plan.sources) > 1:
        lines.append(f"  from {', '.join(show(s) for s in plan.sources)}")
    for module in plan.modules:
        lines += ["", f"{show(module.file)} ({counted(len(module.fixtures), 'fixture')}, {_when(module)})"]
        names = ", ".join(f.name + (f" [{f.impact}]" if f.impact else "") for f in module.fixtures)
        lines.append(f"  fixtures: {names or '(none: shared helpers only)'}")
        if module.helpers:
            lines.append(f"  helpers:  {', '.join(module.helpers)}")
        if module.shared:
            lines.append(f"  from {plan.modules[0].name}: {', '.join(module.shared)}")
        lines.append(f"  imports:  {'; '.join(module.imports) if module.imports else '(none)'}")
        if module.folder is not None:
            lines.append(
                f"  every test using it is under {show(module.folder)}/: "
                f"{show(module.folder + '/conftest.py')} could import it instead"
            )
    lines += ["", f"{show(plan.conftest)} would become:"]
    lines += [f"  | {row}".rstrip() for row in plan.orchestrator.splitlines()]
    if plan.kept:
        lines.append(f"  (kept in it: {', '.join(plan.kept)})")
    lines += ["", "collection-time saving when the guards are off:"]
    heavy = f"; heavy imports no longer run: {', '.join(plan.saved_heavy)}" if plan.saved_heavy else ""
    moved = counted(plan.saved_lines, "line")
    lines.append(f"  {moved} that ran at every collection now run only under a guard{heavy}")
    if plan.measured is not None:
        seconds, megabytes = plan.measured
        lines.append(
            f"  measured import of {show(plan.conftest)}: {seconds:.3f} s, {megabytes:.1f} MB "
            "(the most any split can save)"
        )
    for note in plan.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"
