"""Memory-impact tagging for fixtures.

Every fixture in the suite is tagged with ``@memory_profile(description, impact)``
placed *below* ``@pytest.fixture(...)``::

    @pytest.fixture(scope="session")
    @memory_profile("SQLAlchemy-style engine with a connection pool", "HIGH")
    def db_engine(database_url):
        ...

The decorator does not wrap the function: it only sets two attributes on it and
returns the very same object, so pytest still sees the original signature.
"""
import enum


class MemoryImpact(enum.Enum):
    """How much memory a fixture is expected to hold while it is alive."""

    MINIMAL = "MINIMAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"


def _coerce_impact(impact):
    if isinstance(impact, MemoryImpact):
        return impact
    if isinstance(impact, str):
        try:
            return MemoryImpact[impact.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown memory impact {impact!r}") from None
    raise TypeError(f"memory impact must be a MemoryImpact or str, not {type(impact).__name__}")


def memory_profile(description, impact):
    """Tag a fixture function with a human description and a MemoryImpact level.

    ``impact`` may be a ``MemoryImpact`` member or its name as a string
    (``"HIGH"``, ``"very_high"``...).
    """
    level = _coerce_impact(impact)

    def decorator(func):
        func.memory_description = description
        func.memory_impact = level
        return func

    return decorator
