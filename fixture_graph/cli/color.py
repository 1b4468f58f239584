"""Colour on the terminal: when to use it (``--color``, ``NO_COLOR``, ``FORCE_COLOR``) and how.

The decision follows pytest's ``should_do_markup`` and the no-color.org / force-color.org
conventions: ``--color always|never`` wins; with ``auto`` (the default) a non-empty
``NO_COLOR`` turns colour off, else a non-empty ``FORCE_COLOR`` turns it on, else colour is
used when the stream is a terminal whose ``TERM`` is not ``dumb``. The styles are click's
(:func:`click.style`), in ruff's manner: bold paths, codes coloured by severity, green fixes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TextIO

import click

COLOR_CHOICES = ("auto", "always", "never")

STYLES: dict[str, dict[str, Any]] = {
    "path": {"bold": True},
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "info": {"fg": "cyan", "bold": True},
    "fix": {"fg": "green", "bold": True},
    "dim": {"dim": True},
    "heading": {"bold": True},
    "ok": {"fg": "green", "bold": True},
}


def should_color(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what is written to ``stream``.

    Args:
        choice: ``always``, ``never`` or ``auto`` (the ``--color`` value).
        stream: where the text goes (its ``isatty()`` decides ``auto``).
        environ: the environment (default: ``os.environ``).

    Returns:
        True to colour. Never raises: a stream without ``isatty`` counts as no terminal.
    """
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and env.get("TERM") != "dumb"


def paint(text: str, role: str) -> str:
    """A :data:`fixture_graph.render.paint.Paint` with ANSI styles (click's)."""
    style = STYLES.get(role)
    return click.style(text, **style) if style else text


color_option = click.option(
    "--color",
    "color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    metavar="WHEN",
    help="Colour: auto, always, never [default: auto].",
)
