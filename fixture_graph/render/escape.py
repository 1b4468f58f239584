"""Escaping for every output language a renderer writes, because repository text is hostile input.

A fixture ``name=``, a docstring or a file name can be any string (a file name any bytes but
``/`` and NUL). Printed as they are, a newline forges an extra finding line, ``::`` at the start
of a line is a GitHub Actions workflow command, a right-to-left override (U+202E) makes a
terminal show text in another order than it is (Trojan Source), and a lone surrogate (an
undecodable file name) cannot even be encoded. Each function here turns arbitrary text into
something the target language shows literally, never into syntax: :func:`printable` for the
display formats (text, github, sarif), :func:`dot_string`, :func:`mermaid_label`, :func:`md_text`
and :func:`md_code` for DOT, Mermaid and Markdown. HTML escaping is jinja2's autoescape; JSON for
a ``<script>`` island is jinja2's ``tojson``; the JSON output keeps the exact data.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# XML 1.0 forbids these code points even as character references, and graphviz copies label
# text into SVG verbatim (escaped, but not filtered), so they are dropped at the source.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Normalize newlines, drop control characters and lone surrogates (unencodable in UTF-8)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _CONTROL.sub("", text)
    return text.encode("utf-8", "replace").decode("utf-8")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "\u2026"


def dot_string(text: str, *, tooltip: bool = False) -> str:
    """A double-quoted DOT string that graphviz renders as exactly ``text``.

    Quotes are escaped, newlines become ``\\n``, and ``&`` becomes ``&amp;`` because graphviz
    decodes HTML entities (``&lt;`` would otherwise show as ``<``). Backslashes are doubled in
    labels, where graphviz reads ``\\N``, ``\\G`` or ``\\l`` as escapes; tooltips go through one
    more unescaping pass before that substitution, so there each backslash is written four
    times (checked against ``dot`` in the tests).
    """
    text = clean_text(text)
    text = text.replace("\\", "\\\\\\\\" if tooltip else "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return '"' + text.replace("\n", "\\n") + '"'


# Characters Mermaid accepts inside a quoted label as they are; everything else becomes an
# entity code (``#35;``), which Mermaid turns back into the character.
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 _.,:/()\[\]=+-]")


def mermaid_label(text: str) -> str:
    """A quoted Mermaid node label showing ``text`` literally (newlines become ``<br/>``)."""
    parts = []
    for line in clean_text(text).split("\n"):
        parts.append("".join(ch if _MERMAID_SAFE.fullmatch(ch) else f"#{ord(ch)};" for ch in line))
    return '"' + "<br/>".join(parts) + '"'


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~@])")


def md_text(text: str) -> str:
    """Markdown inline text shown literally: one line, inline specials backslash-escaped.

    The text always sits inside a line (a table cell, a sentence), so block syntax (``#``,
    ``>``, ``-``) is harmless; ``@`` is escaped so a name like a user or team pings nobody.
    """
    one_line = " ".join(clean_text(text).split())
    return _MD_SPECIAL.sub(r"\\\1", one_line).replace("&", "&amp;")


def md_code(text: str) -> str:
    """An inline code span for a table cell (``|`` escaped, as GitHub tables require)."""
    one_line = " ".join(clean_text(text).split()).replace("|", "\\|")
    fence = "`"
    while fence in one_line:
        fence += "`"
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


# C0/C1 controls, bidirectional overrides/isolates/marks, line and paragraph separators, and
# lone surrogates (undecodable bytes of a file name, as Python's ``surrogateescape`` keeps them).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, bidi and unencodable characters shown as backslash escapes."""
    return _UNSAFE.sub(_escape, text)


def printable_line(text: str) -> str:
    """:func:`printable`, and never the start of a GitHub Actions command (``::``)."""
    line = printable(text)
    return f"./{line}" if line.startswith("::") else line


def uri_path(path: str) -> str:
    """A relative POSIX path as a URI reference (SARIF ``artifactLocation.uri``).

    Spaces, ``%``, ``#``, ``?``, ``:`` and non-ASCII are percent-encoded (UTF-8; undecodable
    file-name bytes as themselves), so the URI names the same file, nothing becomes a fragment,
    and a first segment like ``a:b`` is not read as a scheme.
    """
    raw = path.encode("utf-8", "surrogateescape")
    return quote(raw, safe="/-._~!$&'()*+,;=@")
