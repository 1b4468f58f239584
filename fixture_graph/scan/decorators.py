"""Decorators that fill test parameters themselves, so pytest does not request them: data.

pytest reads a test's requests from its signature (``getfuncargnames``), which follows
``__wrapped__`` and honours ``__signature__``. Some decorators pass arguments to the function
they wrap, so the names they fill are not fixture requests. Each entry below is one family of
such decorators, with the rule it follows; the extractor applies them and knows nothing else
about them. A new family is one more entry here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Fills(enum.Enum):
    """How a decorator family fills parameters."""

    # One leading positional parameter per decorator, unless the replacement (``new``) is
    # given: pytest's ``num_mock_patch_args`` counts patchings whose ``new`` is ``DEFAULT``.
    LEADING = "leading"
    # The keyword arguments' names, or as many of the rightmost positional-or-keyword
    # parameters as there are positional arguments: hypothesis' ``@given`` rewrites the
    # wrapped test's ``__signature__`` without them (``new_given_signature``).
    NAMED = "named"


@dataclass(frozen=True, slots=True)
class ParamFiller:
    """One decorator family: its qualified names, how it fills, and the behaviour it copies.

    ``new_at`` (``LEADING`` only) is the positional index of the ``new`` argument: given
    positionally or as ``new=``, the decorator passes nothing.
    """

    names: frozenset[str]
    fills: Fills
    follows: str
    new_at: int = -1


FILLERS: tuple[ParamFiller, ...] = (
    ParamFiller(
        frozenset({"unittest.mock.patch", "mock.patch"}),
        Fills.LEADING,
        "pytest's compat.num_mock_patch_args (mock.patch(target, new=DEFAULT))",
        new_at=1,
    ),
    ParamFiller(
        frozenset({"unittest.mock.patch.object", "mock.patch.object"}),
        Fills.LEADING,
        "pytest's compat.num_mock_patch_args (mock.patch.object(target, attribute, new=DEFAULT))",
        new_at=2,
    ),
    ParamFiller(
        frozenset({"hypothesis.given"}),
        Fills.NAMED,
        "hypothesis.core.given: new_given_signature drops the parameters it fills",
    ),
)

BY_NAME: dict[str, ParamFiller] = {name: filler for filler in FILLERS for name in filler.names}

# Decorators known to keep the test's signature and to fill nothing (each wraps with
# functools.wraps or only sets attributes). Any other decorator the scan cannot read may fill a
# parameter, so an unknown fixture on a test carrying one is a warning, not an error.
TRANSPARENT: frozenset[str] = frozenset(
    {
        "hypothesis.settings",
        "hypothesis.example",
        "hypothesis.seed",
        "hypothesis.reproduce_failure",
        "unittest.mock.patch.dict",
        "mock.patch.dict",
        "unittest.skip",
        "unittest.skipIf",
        "unittest.skipUnless",
        "unittest.expectedFailure",
        "responses.activate",
        "django.test.override_settings",
        "django.test.utils.override_settings",
        "django.test.modify_settings",
        "typing.no_type_check",
        "functools.wraps",
        "property",
        "functools.cache",
        "functools.lru_cache",
        "contextlib.contextmanager",
    }
)
