"""Module and class namespaces, evaluated statically from binding records.

pytest registers every attribute of a conftest, test module, plugin or test-class instance whose
value is a fixture (``dir(holder)``). So what matters is the *namespace* after the module body
has run: definitions, imports (star imports honour ``__all__`` and skip ``_private`` names),
aliases (``alias = fixture``) and the call form (``x = pytest.fixture(fn)``), each possibly
under an environment guard. This module replays the bindings in order, following imports into
other files through a callback, and never runs any code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from fixture_graph.scan import factories
from fixture_graph.scan import guards as guard_mod
from fixture_graph.scan.records import (
    Binding,
    ClassInfo,
    EnvExpr,
    FixtureSpec,
    FuncInfo,
    Guard,
    Marks,
    ModuleRecord,
)

# Where a registrar's unknown names are reported: (file, line, code, message).
IssueSink = Callable[[Path, int, str, str], None]


@dataclass(frozen=True, slots=True)
class Value:
    """What a name is bound to. ``file`` is where the function or class is defined."""

    kind: str  # "fixture", "func", "class", "module", "mark", "opaque", "other"
    file: Path | None = None
    func: FuncInfo | None = None
    cls: ClassInfo | None = None
    spec: FixtureSpec | None = None
    guards: tuple[str, ...] = ()
    marks: Marks | None = None
    # "opaque": bound by an import the scan did not follow (``origin`` names the module); it may
    # be a fixture pytest registers.
    origin: str | None = None

    def with_guards(self, extra: tuple[str, ...]) -> Value:
        """The same value, reached through more guards."""
        if not extra:
            return self
        return replace(self, guards=tuple(dict.fromkeys(self.guards + extra)))


OTHER = Value("other")
Namespace = dict[str, Value]
# The key under which a namespace records a star import the scan did not follow.
OPAQUE_STAR = "*"
_MAX_MRO = 64
_MAX_MARK_DEPTH = 16
# Modules whose names are never fixtures pytest would register from an import.
_NOT_OPAQUE = frozenset(getattr(sys, "stdlib_module_names", ())) | {"pytest", "_pytest", "__future__"}


@dataclass(frozen=True, slots=True, eq=False)
class ClassRef:
    """A class, the file that defines it, and that module's namespace (for resolving its bases)."""

    cls: ClassInfo
    file: Path
    outer: Namespace


class NamespaceBuilder:
    """Evaluate module namespaces on demand, memoized, with import cycles cut."""

    def __init__(
        self,
        read: Callable[[Path], ModuleRecord | None],
        resolve: Callable[[Path, str], Path | None],
        submodule: Callable[[Path, str], Path | None],
        env: Mapping[str, str | None],
        importable: Callable[[str], bool] | None = None,
        facts: Mapping[str, object] | None = None,
        state: guard_mod.ProcessState | None = guard_mod.PLAIN,
        find: Callable[[str], Path | None] | None = None,
        issue: IssueSink | None = None,
    ) -> None:
        self._read = read
        self._importable = importable
        self._facts = facts
        self._state = state
        self._find = find
        self._issue = issue
        self._resolve = resolve
        self._submodule = submodule
        self._env = env
        self._cache: dict[Path, Namespace] = {}
        self._busy: set[Path] = set()

    def forget(self, path: Path) -> None:
        """Drop the memoized namespace of ``path`` (evaluated again if asked for later)."""
        self._cache.pop(path, None)

    def module(self, path: Path) -> Namespace:
        """The namespace of the module at ``path`` (empty when unreadable or in an import cycle)."""
        if path in self._cache:
            return self._cache[path]
        if path in self._busy:
            return {}
        self._evaluate(path)
        return self._cache.get(path, {})

    def _evaluate(self, root: Path) -> None:
        """Evaluate ``root`` after the modules it imports from, depth first, without recursion.

        This replays what evaluating each module on demand would do (a module imported while it
        is being evaluated is seen empty, as in an import cycle), but with an explicit stack, so
        a chain of 10,000 modules star-importing each other cannot hit the recursion limit.
        """
        stack: list[tuple[Path, ModuleRecord, Iterator[Path]]] = []

        def enter(path: Path) -> None:
            record = self._read(path)
            if record is not None:
                self._busy.add(path)
                stack.append((path, record, self._imported_from(record.body, path)))

        enter(root)
        try:
            while stack:
                path, record, targets = stack[-1]
                target = next(targets, None)
                if target is not None:
                    if target not in self._cache and target not in self._busy:
                        enter(target)
                    continue
                stack.pop()
                ns: Namespace = {}
                self._apply(record.body, ns, path, None)
                self._busy.discard(path)
                self._cache[path] = ns
        finally:
            self._busy.difference_update(p for p, _, _ in stack)

    def _imported_from(self, body: tuple[Binding, ...], path: Path) -> Iterator[Path]:
        """The modules :meth:`_apply` will ask for, in order (``from m import ...`` and ``*``)."""
        for binding in body:
            if binding.kind in ("star", "from") and self.decide(binding.guards) is not None:
                target = self._resolve(path, binding.module or "")
                if target is not None:
                    yield target

    def exported(self, path: Path) -> Namespace:
        """The names ``from <path> import *`` binds."""
        record = self._read(path)
        ns = self.module(path)
        if record is not None and record.all_names is not None:
            return {n: ns[n] for n in record.all_names if n in ns}
        return {n: v for n, v in ns.items() if not n.startswith("_")}

    def mro(self, ref: ClassRef) -> list[ClassRef]:
        """``ref`` and the bases we can resolve, in (simplified, depth-first) method resolution order."""
        order: list[ClassRef] = []
        seen: set[tuple[Path, int, str]] = set()
        stack = [ref]
        while stack and len(order) < _MAX_MRO:
            current = stack.pop()
            key = (current.file, current.cls.line, current.cls.name)
            if key in seen:
                continue
            seen.add(key)
            order.append(current)
            stack.extend(reversed(self._bases(current)))
        return order

    def class_attrs(self, ref: ClassRef) -> Namespace:
        """``dir()`` of an instance: own attributes over inherited ones, bases resolved statically."""
        attrs: Namespace = {}
        for klass in reversed(self.mro(ref)):
            own: Namespace = {}
            self._apply(klass.cls.body, own, klass.file, klass.outer)
            attrs.update(own)
        return attrs

    def class_ref(self, value: Value, importer: Path, importer_ns: Namespace) -> ClassRef | None:
        """The class ``value`` refers to, with the namespace of the module that defines it."""
        if value.kind != "class" or value.cls is None or value.file is None:
            return None
        outer = importer_ns if value.file == importer else self.module(value.file)
        return ClassRef(value.cls, value.file, outer)

    def _bases(self, ref: ClassRef) -> list[ClassRef]:
        found = (
            self.class_ref(self.lookup_dotted(ref.file, ref.outer, b), ref.file, ref.outer)
            for b in ref.cls.bases
        )
        return [b for b in found if b is not None]

    def lookup_dotted(self, path: Path, ns: Namespace, dotted: str) -> Value:
        """Resolve ``name`` or ``module.attr`` in ``ns`` (used for base classes)."""
        head, _, rest = dotted.partition(".")
        value = ns.get(head, OTHER)
        while rest:
            if value.kind != "module" or value.file is None:
                return OTHER
            head, _, rest = rest.partition(".")
            value = self.module(value.file).get(head, OTHER)
        return value

    def unresolved_refs(
        self, marks: Marks, path: Path, ns: Namespace, outer: Namespace | None = None
    ) -> tuple[str, ...]:
        """The refs of ``marks`` that name nothing mark-like: decorators the scan cannot read."""
        return tuple(
            dotted
            for dotted, called in marks.refs
            if self._ref_marks(self._lookup_ref(dotted, path, ns, outer), called) is None
        )

    def _lookup_ref(self, dotted: str, path: Path, ns: Namespace, outer: Namespace | None) -> Value:
        """A ref's value: looked up in ``ns`` (a class body), then in ``outer`` (its module)."""
        value = self.lookup_dotted(path, ns, dotted)
        if value.kind == "other" and outer is not None:
            value = self.lookup_dotted(path, outer, dotted)
        return value

    @staticmethod
    def _ref_marks(value: Value, called: bool) -> Marks | None:
        """The marks a ref's value holds (``called``: used as ``@ref(...)``), or None."""
        if value.kind == "mark" and not called:
            return value.marks
        if value.kind == "func" and value.func is not None and value.func.applies_on_call == called:
            return value.func.applies_marks
        return None

    def resolve_marks(self, marks: Marks, path: Path, ns: Namespace, outer: Namespace | None = None) -> Marks:
        """``marks`` with each ref replaced by the marks it names, as pytest would evaluate it.

        A ref is a name bound to marks (``with_db = pytest.mark.usefixtures("db")``, a list of
        marks, one imported from another module) or a helper function that applies marks
        (``@slow`` for ``def slow(f): return pytest.mark.slow(f)``, ``@skip_x()`` for one that
        returns a mark). It is looked up in ``ns`` (a class body), then in ``outer`` (its module).
        Refs that name nothing mark-like (any other decorator) are dropped.
        """
        out = Marks(marks.usefixtures, marks.parametrize, marks.names)
        pending = [(ref, path, ns, outer, 0) for ref in marks.refs]
        while pending:
            (dotted, called), where, names, enclosing, depth = pending.pop(0)
            value = self._lookup_ref(dotted, where, names, enclosing)
            found = self._ref_marks(value, called)
            if found is None or value.file is None:
                continue
            out = out.extended(Marks(found.usefixtures, found.parametrize, found.names))
            if found.refs and depth < _MAX_MARK_DEPTH:
                home = self.module(value.file)
                pending.extend((ref, value.file, home, None, depth + 1) for ref in found.refs)
        return out

    # -- private ----------------------------------------------------------------------------

    def _opaque(self, module: str | None) -> bool:
        """Whether names imported from ``module`` may be fixtures the scan did not see: any module
        but the standard library's and pytest's own (relative imports are followed or missing)."""
        if not module or module.startswith("."):
            return False
        top = module.split(".", 1)[0]
        return top not in _NOT_OPAQUE

    def value_of(self, expr: EnvExpr | None) -> tuple[bool, object]:
        """``(True, value)`` when ``expr`` is decided for the target, else ``(False, None)``."""
        if expr is None:
            return False, None
        return guard_mod.value_of(expr, self._env, self._importable, self._facts, self._state, self.constant)

    def constant(self, module: str, name: str) -> EnvExpr | None:
        """The expression module ``module`` binds ``name`` to at its top level, if a constant."""
        path = self._find(module) if self._find is not None else None
        record = self._read(path) if path is not None else None
        if record is None:
            return None
        return dict(record.constants).get(name)

    def decide(self, guards: tuple[Guard, ...]) -> tuple[str, ...] | None:
        """None when a guard is decided false; otherwise the texts of the undecided guards."""
        texts: list[str] = []
        for guard in guards:
            verdict = guard_mod.evaluate(
                guard, self._env, self._importable, self._facts, self._state, self.constant
            )
            if verdict is False:
                return None
            if verdict is None:
                texts.append(f"not ({guard.text})" if guard.negated else guard.text)
        return tuple(texts)

    def _apply(self, body: tuple[Binding, ...], ns: Namespace, path: Path, outer: Namespace | None) -> None:
        for binding in body:
            texts = self.decide(binding.guards)
            if texts is None:
                continue
            if binding.kind == "star":
                target = self._resolve(path, binding.module or "")
                if target is not None:
                    for name, value in self.exported(target).items():
                        ns[name] = value.with_guards(texts)
                elif self._opaque(binding.module):
                    ns[f"{OPAQUE_STAR}{binding.module}"] = Value(
                        "opaque", path, origin=binding.module, guards=texts
                    )
                continue
            if binding.kind == "del":
                ns.pop(binding.name, None)
                continue
            if binding.kind == "register":
                for name, value in self._registered(binding, ns, path, outer).items():
                    ns[name] = value.with_guards(texts)
                continue
            ns[binding.name] = self._value(binding, ns, path, outer).with_guards(texts)

    def _value(self, binding: Binding, ns: Namespace, path: Path, outer: Namespace | None) -> Value:
        kind = binding.kind
        if kind == "def" and binding.func is not None:
            fixture = binding.func.fixture
            return Value("fixture" if fixture else "func", path, binding.func, spec=fixture)
        if kind == "class" and binding.cls is not None:
            return Value("class", path, cls=binding.cls)
        if kind == "mark" and binding.marks is not None:
            return Value("mark", path, marks=binding.marks)
        if kind == "import":
            return Value("module", self._resolve(path, binding.module or ""))
        if kind == "from":
            return self._from(binding, path)
        if kind in ("alias", "fixture_call"):
            source = ns.get(binding.attr or "")
            if source is None and outer is not None:
                source = outer.get(binding.attr or "")
            if source is None:
                return OTHER
            if kind == "alias":
                return source
            if source.kind == "func" and source.func is not None:
                return Value("fixture", source.file, source.func, spec=binding.fixture, guards=source.guards)
        return OTHER

    def _registered(
        self, binding: Binding, ns: Namespace, path: Path, outer: Namespace | None
    ) -> dict[str, Value]:
        """The fixtures a registrar call defines here (pytest-factoryboy's ``register``)."""
        if binding.value is None:
            return {}

        def lookup_in(file: Path, names: Namespace) -> factories.Lookup:
            def lookup(dotted: str) -> factories.FactoryClass | None:
                value = self.lookup_dotted(file, names, dotted)
                if value.kind == "other" and outer is not None and names is ns:
                    value = self.lookup_dotted(file, outer, dotted)
                ref = self.class_ref(value, file, names)
                if ref is None:
                    return None
                mro = tuple(r.cls for r in self.mro(ref))
                return factories.FactoryClass(ref.cls, mro, lookup_in(ref.file, ref.outer))

            return lookup

        generated, problem = factories.generate(binding.value, lookup_in(path, ns), lambda n: n in ns)
        if problem is not None and self._issue is not None:
            self._issue(path, binding.line, "registrar-names-unknown", problem)
        out: dict[str, Value] = {}
        for fixture in generated:
            line = binding.line
            func = FuncInfo(name=fixture.name, line=line, def_line=line, argnames=fixture.argnames)
            out[fixture.name] = Value("fixture", path, func, spec=FixtureSpec(name=fixture.name))
        return out

    def _from(self, binding: Binding, path: Path) -> Value:
        target = self._resolve(path, binding.module or "")
        if target is None:
            return Value("opaque", path, origin=binding.module) if self._opaque(binding.module) else OTHER
        attr = binding.attr or ""
        ns = self.module(target)
        if attr in ns:
            return ns[attr]
        sub = self._submodule(target, attr)
        if sub is not None:
            return Value("module", sub)
        return OTHER
