"""``fixture-graph rules``: the rule table (code, default severity, name, summary)."""

from __future__ import annotations

import click


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
def rules() -> None:
    """List every rule with its code, default severity and summary."""
    from fixture_graph.analyze import RULES

    for code in sorted(RULES):
        rule = RULES[code]
        click.echo(f"{code}  {rule.severity.label:<7}  {rule.name:<26} {rule.summary}")
