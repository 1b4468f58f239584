"""Run the analyzers: :func:`run_analysis` builds the shared analysis context, runs the
selected rules, drops findings silenced by ``# fixture-graph: ignore[CODE]`` comments, and returns
everything sorted, so every output format shows the same findings in the same order.
"""

from __future__ import annotations

from fixture_graph.analyze import (
    rules_body,
    rules_graph,
    rules_imports,
    rules_measured,
    rules_placement,
    rules_scope,
    rules_usage,
    rules_xdist,
)
from fixture_graph.analyze.context import Context
from fixture_graph.analyze.findings import Analysis, Finding
from fixture_graph.analyze.registry import RULES, selected
from fixture_graph.config import AnalyzeConfig, GateConfig
from fixture_graph.measure import Measurements
from fixture_graph.model import Resolution, ScanResult

__all__ = ["RULES", "Analysis", "run_analysis"]
_RULE_MODULES = (
    rules_body,
    rules_graph,
    rules_imports,
    rules_measured,
    rules_scope,
    rules_placement,
    rules_usage,
    rules_xdist,
)  # importing them registers the rules

ALL = "*"


def _suppressed(finding: Finding, ctx: Context, lines: dict[tuple[str, int], tuple[str, ...]]) -> bool:
    codes: tuple[str, ...] = lines.get((finding.file, finding.line), ())
    if finding.symbol is not None:
        owner = ctx.fixtures.get(finding.symbol) or ctx.items.get(finding.symbol)
        if owner is not None:
            codes = (*codes, *owner.suppress)
    return ALL in codes or finding.code in codes


def run_analysis(
    scan: ScanResult,
    resolution: Resolution,
    config: AnalyzeConfig,
    gate: GateConfig | None = None,
    measurements: Measurements | None = None,
) -> Analysis:
    """Run every selected rule over one resolved scan (FG011 needs ``measurements``)."""
    gate = gate or GateConfig()
    select = (*gate.select, *gate.extend_select) if gate.select else ()
    ctx = Context(scan, resolution, config, measurements)
    lines = {(file, line): codes for file, line, codes in scan.suppressions}
    findings: list[Finding] = []
    suppressed = 0
    ran = []
    for code in sorted(RULES):
        if not selected(code, select, gate.ignore):
            continue
        ran.append(code)
        for finding in RULES[code].check(ctx):
            if _suppressed(finding, ctx, lines):
                suppressed += 1
            else:
                findings.append(finding)
    return Analysis(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        heavy_chains=ctx.heavy_chains,
        test_costs=ctx.test_costs,
        fan_in=tuple(sorted(ctx.fan_in.items())),
        fan_out=tuple(ctx.fan_out[k] for k in sorted(ctx.fan_out)),
        suppressed=suppressed,
        rules_run=tuple(ran),
        weight_unit=ctx.weight_unit,
    )
