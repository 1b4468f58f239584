"""``--help`` grouped by purpose, as ruff's is: input, environment, rules, outputs, graph view,
performance.

The options themselves are plain click options shared by several commands; which section each
belongs to is this one table (by parameter name), so the grouping is decided in one place and a
test can check that no option of ``scan`` is left ungrouped. click's own formatter draws each
section (``formatter.section`` and ``write_dl``), so widths and wrapping follow the terminal.
"""

from __future__ import annotations

import re

import click

# click appends an IntRange's bounds ("[x>=1]") to the help; the error message states them.
_RANGE = re.compile(r"\s*\[x[<>=]=?[\d.]+\]$")
#: Widest option column; longer ones wrap their help onto the next line.
COLUMN = 26

HELP_GROUPS: dict[str, tuple[str, ...]] = {
    "Input": (
        "config_file",
        "rootdir",
        "inifile",
        "confcutdir",
        "noconftest",
        "markexpr",
        "keyword",
        "exclude",
        "follow_symlinks",
        "no_plugins",
        "plugin_fixture",
        "impact_decorator",
        "measurements",
        "paths",
    ),
    "Environment": ("env", "env_inherit", "traced", "python"),
    "Rules": (
        "select",
        "ignore_codes",
        "fail_on",
        "fail_on_existing",
        "exit_zero",
        "baseline",
        "write_baseline",
        "workers",
        "max_session_fixtures",
        "top",
        "strict",
    ),
    "Outputs": (
        "fmt",
        "deselect",
        "json_schema",
        "output",
        "color",
        "quiet",
        "statistics",
        "only_new",
        "html_file",
        "svg_file",
        "dot_file",
        "svg_url",
    ),
    "Graph view": (
        "focus",
        "depth",
        "test_id",
        "scopes",
        "exclude_fixture",
        "rankdir",
        "collapse",
        "max_nodes",
    ),
    "Performance": (
        "no_cache",
        "cache_dir",
        "jobs",
        "max_file_bytes",
        "max_tests",
        "max_fixtures",
        "dot_timeout",
        "timeout",
    ),
}

_GROUP_OF = {name: title for title, names in HELP_GROUPS.items() for name in names}
OTHER = "Other options"


def help_group(param: click.Parameter) -> str:
    """The ``--help`` section of ``param`` (:data:`OTHER` when the table does not name it)."""
    return _GROUP_OF.get(param.name or "", OTHER)


class GroupedCommand(click.Command):
    """A command whose ``--help`` lists options in :data:`HELP_GROUPS` sections, in that order."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[int, str, str]]] = {}
        for position, param in enumerate(self.get_params(ctx)):
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is None:
                continue
            title = help_group(param)
            names = HELP_GROUPS.get(title, ())
            order = names.index(param.name) if param.name in names else len(names) + position
            sections.setdefault(title, []).append((order, record[0], _RANGE.sub("", record[1])))
        width = min(max((len(term) for rows in sections.values() for _, term, _ in rows), default=0), COLUMN)
        for title in (*HELP_GROUPS, OTHER):
            if sections.get(title):
                with formatter.section(title):
                    # Padded to one width, so every section's help starts in the same column.
                    rows = [(term.ljust(width), text) for _, term, text in sorted(sections[title])]
                    formatter.write_dl(rows, col_max=width)


#: ``context_settings`` every command uses: ``-h`` as well as ``--help``, and room for one line
#: per option on a wide terminal.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
