"""``fixture-graph rules`` (the rule table) and ``fixture-graph rule CODE`` (one rule explained,
with an example suite and its fix, as ``ruff rule`` does)."""

from __future__ import annotations

import difflib

import click

from fixture_graph.cli.help import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
def rules() -> None:
    """List every rule with its code, default severity and summary."""
    from fixture_graph.analyze import RULES

    for code in sorted(RULES):
        rule = RULES[code]
        click.echo(f"{code}  {rule.severity.label:<7}  {rule.name:<26} {rule.summary}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("code")
def rule(code: str) -> None:
    """Explain one rule: why it matters, an example and its fix.

    CODE is a rule code such as FG002 (fixture-graph rules lists them).
    """
    from fixture_graph.analyze import RULES
    from fixture_graph.analyze.rule_docs import RULE_DOCS

    wanted = code.strip().upper()
    found = RULES.get(wanted)
    if found is None:
        close = difflib.get_close_matches(wanted, sorted(RULES), n=1)
        hint = f"; did you mean {close[0]}?" if close else " (fixture-graph rules lists them)"
        raise click.BadParameter(f"no rule {code!r}{hint}", param_hint="CODE")
    doc = RULE_DOCS[wanted]
    lines = [
        f"{found.code} {found.name} ({found.severity.label} by default)",
        "",
        found.summary,
        "",
        doc.why,
        "",
        "Example:" + (f" (fixture-graph {' '.join(doc.args)})" if doc.args else ""),
        *_tree(doc.example),
        "Fix:",
        *_tree(doc.fixed),
        f"Silence one finding with '# fixture-graph: ignore[{found.code}]' on its def line, "
        f"or all with --ignore {found.code}.",
    ]
    click.echo("\n".join(lines))


def _tree(files: tuple[tuple[str, str], ...]) -> list[str]:
    out = []
    for name, source in files:
        out.append(f"  # {name}")
        out.extend(f"  {line}".rstrip() for line in source.rstrip("\n").splitlines())
        out.append("")
    return out
