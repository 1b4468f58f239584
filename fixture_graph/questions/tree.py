"""``tree TEST``: a test's closure as a tree, as ``pipdeptree`` or ``cargo tree`` print one.

Each root is a name the test requests itself (with its origins); below a definition are the
requests it makes, in the order of its arguments. A definition is expanded where it first
appears and marked ``repeated`` wherever it appears again (``(*)``), so a shared sub-fixture
costs one subtree. The rows come out in print order; building them needs no recursion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fixture_graph.questions.closure import Request, Root, TestClosure
from fixture_graph.questions.reasons import Origin


@dataclass(frozen=True, slots=True)
class TreeRow:
    """One line of the tree: ``name`` gets ``target`` (None: a direct parameter or no
    definition). ``last`` says, for each level down to this row, whether the row's branch there
    is the last of its siblings (it decides the drawing and the depth). ``origins`` are set on
    roots only; ``repeated`` marks a definition expanded above; ``dynamic`` a getfixturevalue."""

    name: str
    target: str | None
    last: tuple[bool, ...]
    origins: tuple[Origin, ...] = ()
    repeated: bool = False
    dynamic: bool = False

    @property
    def depth(self) -> int:
        """The row's level (roots at 0)."""
        return len(self.last) - 1


def tree_rows(closure: TestClosure) -> Iterator[TreeRow]:
    """The rows of the tree of ``closure``, in print order."""
    expanded: set[str] = set()
    roots = closure.roots
    stack: list[tuple[Root | Request, tuple[bool, ...]]] = [
        (root, (i == len(roots) - 1,)) for i, root in reversed(list(enumerate(roots)))
    ]
    while stack:
        node, last = stack.pop()
        target = node.target
        repeated = target is not None and target in expanded
        yield TreeRow(
            node.name,
            target,
            last,
            node.origins if isinstance(node, Root) else (),
            repeated,
            isinstance(node, Request) and node.dynamic,
        )
        if target is None or repeated:
            continue
        expanded.add(target)
        below = closure.requests.get(target, ())
        for i, request in reversed(list(enumerate(below))):
            stack.append((request, (*last, i == len(below) - 1)))
