"""Analyzers over the resolved fixture graph (filled in by the rules registry)."""

from __future__ import annotations

from fixture_graph.analyze.findings import Analysis
from fixture_graph.config import AnalyzeConfig
from fixture_graph.model import Resolution, ScanResult


def run_analysis(scan: ScanResult, resolution: Resolution, config: AnalyzeConfig) -> Analysis:
    """Run every rule; placeholder until the registry lands."""
    del scan, resolution, config
    return Analysis()
