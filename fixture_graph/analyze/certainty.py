"""Why an unknown fixture may not be an error: the routes by which pytest could still get it.

FG003 is an error only when the scan proves pytest's "fixture 'x' not found": the requester is
collected, no visible definition exists, and nothing the scan could not read may provide the
name. Each function below finds one such unread route for an :class:`UnknownRequest`; any route
makes the finding a warning that says why it is unsure and how to settle it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixture_graph.model import SESSION_NODE, Issue, ScanResult, TestItem

# Scan issues after which a name may come from code the scan did not read.
_UNREAD_CODES = {
    "plugin-not-found": "--python with the suite's interpreter, or list its fixtures in plugin-fixtures",
    "dynamic-pytest-plugins": "list the plugin's fixtures in plugin-fixtures",
    "dynamic-fixture-name": "an inline '# fixture-graph: ignore[FG003]' once you know its name",
    "registrar-names-unknown": "an inline '# fixture-graph: ignore[FG003]' once you know the names",
    "target-python": "a working --python interpreter",
}


@dataclass(frozen=True, slots=True)
class Doubt:
    """Why an unknown name is uncertain, and how a user settles it."""

    why: str
    settle: str


class Certainty:
    """Per-scan lookups for :meth:`doubt`, built once per analysis."""

    def __init__(self, scan: ScanResult) -> None:
        self.scan = scan
        self.unread: list[tuple[Issue, str]] = [
            (i, _UNREAD_CODES[i.code]) for i in scan.issues if i.code in _UNREAD_CODES
        ]
        self.opaque: dict[str, list[tuple[str, str, str]]] = {}
        for entry in scan.opaque:
            self.opaque.setdefault(entry.holder, []).append((entry.name, entry.module, entry.file))

    def doubt(self, name: str, requester: str, tests: list[TestItem]) -> Doubt | None:
        """The first route by which pytest might still provide ``name``; None when certain."""
        if self.scan.pytest_version is None:
            return Doubt(
                "no pytest was found in the environment the scan read, so the suite's plugins "
                "were not scanned",
                "--python with the suite's interpreter",
            )
        for issue, settle in self.unread:
            return Doubt(f"{issue.file}:{issue.line}: {issue.message}", settle)
        for test in tests:
            found = self._test_doubt(name, requester, test)
            if found is not None:
                return found
        return None

    def _test_doubt(self, name: str, requester: str, test: TestItem) -> Doubt | None:
        for holder in (SESSION_NODE, *test.ancestors[1:]):
            for bound, module, file in self.opaque.get(holder, ()):
                if bound in (name, "*"):
                    what = f"'{name}'" if bound == name else f"'{name}' (a star import)"
                    return Doubt(
                        f"{what} may come from '{module}', imported in {file} but not scanned",
                        "--python with the suite's interpreter (its plugins are scanned), or "
                        f"plugin-fixtures listing '{name}'",
                    )
        for call in test.generated:
            if call.certain or "*" in call.indirect or name in call.indirect:
                continue
            if name in call.argnames or not call.argnames:
                where = f"{call.file}:{call.line}"
                return Doubt(
                    f"a pytest_generate_tests hook ({where}) may parametrize it",
                    "an inline '# fixture-graph: ignore[FG003]' on the test if it does",
                )
        if requester == test.nodeid and test.unread_decorators:
            decorators = ", ".join(f"@{d}" for d in test.unread_decorators)
            return Doubt(
                f"the test's decorator {decorators} is not one the scan can read and may fill it",
                "an inline '# fixture-graph: ignore[FG003]' on the test if it does",
            )
        if test.conditional:
            return Doubt(
                f"the test exists only under a condition the scan left undecided ({'; '.join(test.guards)})",
                "--env (or --traced) to decide it",
            )
        return None
