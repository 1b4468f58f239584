"""Make repository-controlled text safe to print: names, paths and messages are hostile input.

A fixture ``name=`` or a ``usefixtures`` argument can be any string, and a file name any bytes
but ``/`` and NUL. Printed as they are, a newline forges an extra finding line, ``::`` at the
start of a line is a GitHub Actions workflow command, a right-to-left override (U+202E) makes a
terminal show text in another order than it is (Trojan Source), and a lone surrogate (an
undecodable file name) cannot even be encoded. Display formats (text, github, sarif) pass every
such string through :func:`printable`; JSON keeps the exact data, which ``json`` escapes.
"""

from __future__ import annotations

import re
from urllib.parse import quote

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
