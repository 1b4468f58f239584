"""Extract one Python file into a :class:`ModuleRecord` in a single pass, keeping no AST.

This is the only place that parses source. It is a pure function of (path, bytes, options),
so a later stage can run it in a process pool and cache it by content hash. It never imports
or executes the scanned code. Input it cannot read becomes an :class:`Issue`, never an exception.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
from collections import deque
from collections.abc import Iterator
from dataclasses import replace

from fixture_graph.config import ExtractOptions
from fixture_graph.model import Issue
from fixture_graph.scan import guards as guard_mod
from fixture_graph.scan.plugins import FIXTURE_DECORATORS, FIXTURE_USES, REGISTRARS
from fixture_graph.scan.records import (
    Binding,
    ClassInfo,
    EnvExpr,
    FixtureSpec,
    FuncInfo,
    Guard,
    Marks,
    ModuleRecord,
    ParametrizeMark,
    TopImport,
    ValueInfo,
)

_PATCHERS = frozenset({"unittest.mock.patch", "mock.patch"})
_PATCH_OBJECTS = frozenset({"unittest.mock.patch.object", "mock.patch.object"})
_WRAPS = frozenset({"functools.wraps", "wraps"})
_XUNIT_NAMES = frozenset(
    {
        "setup_module",
        "setUpModule",
        "teardown_module",
        "tearDownModule",
        "setup_function",
        "teardown_function",
        "setup_class",
        "teardown_class",
        "setup_method",
        "teardown_method",
        "__init__",
        "__new__",
        "pytest_generate_tests",
    }
)
MAX_TEXT = 240
MAX_DOC = 4000
SUPPRESS_MARKER = "fixture-graph:"
_SUPPRESS = re.compile(r"#\s*fixture-graph:\s*ignore(?:\[([^\]]*)\])?")
ALL_CODES = "*"
# Parser messages that mean "nested deeper than CPython allows", not a typo.
_DEPTH_LIMITS = ("too many nested", "too complex", "too many levels of indentation")


def extract_module(
    path: str, data: bytes, options: ExtractOptions, *, track_uses: bool | None = None
) -> ModuleRecord:
    """Parse ``data`` (the bytes of ``path``) and return its record.

    Args:
        path: the path shown in issues (relative to the rootdir where possible).
        data: the file's bytes.
        options: the extraction settings (impact decorator names and levels).
        track_uses: record which names each function uses and which imports run at import
            time (for FG009). None: for every module except test modules (``test_*.py``,
            ``*_test.py``), which conftests almost never import; the scan extracts such a
            module again with True when one does (``ModuleRecord.uses_tracked``).

    Returns:
        The record; on unreadable input, an empty record whose ``issues`` say why.
    """
    source, issue = _decode(path, data)
    if issue is not None:
        return ModuleRecord(path=path, issues=(issue,), parsed=False)
    assert source is not None
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        code = "too-deep" if any(m in exc.msg for m in _DEPTH_LIMITS) else "syntax-error"
        message = f"syntax error: {exc.msg}"
        return ModuleRecord(
            path=path, issues=(Issue(path, exc.lineno or 0, code, message, True),), parsed=False
        )
    except (RecursionError, MemoryError):
        message = "too deeply nested for Python's parser"
        return ModuleRecord(path=path, issues=(Issue(path, 0, "too-deep", message, True),), parsed=False)
    except ValueError as exc:
        return ModuleRecord(path=path, issues=(Issue(path, 0, "decode-error", str(exc), True),), parsed=False)
    try:
        return _Extractor(path, source, tree, options, track_uses).run()
    except RecursionError:
        message = "too deeply nested to extract"
        return ModuleRecord(path=path, issues=(Issue(path, 0, "too-deep", message, True),), parsed=False)


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


def _decode(path: str, data: bytes) -> tuple[str | None, Issue | None]:
    if b"\x00" in data:
        return None, Issue(path, 0, "binary-file", "file contains null bytes; not Python source", True)
    encoding = "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        issue = Issue(path, 0, "decode-error", f"cannot decode file: {exc}", True)
    try:
        # CPython's tokenizer never decodes comments, so undecodable bytes there still import.
        ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, issue
    return data.decode(encoding, "replace"), None


def _walk_no_nested_scopes(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node in ``nodes`` except those inside nested functions, lambdas and classes."""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                stack.append(child)


# Fields holding nodes without children: the expression context and operators (``Load()``,
# ``Add()``). Plain values (identifiers, constants) are passed over by type in the walk.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _walk_bodies(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """``ast.walk`` over each statement in turn, in the same order, skipping leaf-only fields.

    It yields every node ``ast.walk`` would except context and operator nodes (which have no
    children), so callers looking for names and calls see exactly what ``ast.walk`` shows,
    several times faster (bodies of conftests and helper modules are walked for FG009).
    """
    queue: deque[ast.AST] = deque()
    for stmt in stmts:
        queue.append(stmt)
        while queue:
            node = queue.popleft()
            yield node
            cls = type(node)
            fields = _CHILD_FIELDS.get(cls)
            if fields is None:
                fields = _CHILD_FIELDS[cls] = tuple(f for f in cls._fields if f not in _LEAF_FIELDS)
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    queue.extend(item for item in value if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST):
                    queue.append(value)


def _str_list(node: ast.expr | None) -> tuple[str, ...] | None:
    """A literal list/tuple of strings (or one string) as a tuple, else None."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        out = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            out.append(elt.value)
        return tuple(out)
    return None


class _Extractor:
    """One pass over a module's statements; expressions are only looked at where needed."""

    def __init__(
        self, path: str, source: str, tree: ast.Module, options: ExtractOptions, track_uses: bool | None
    ) -> None:
        self.path = path
        self.lines = source.splitlines(keepends=True)
        self.tree = tree
        self.options = options
        self.aliases: dict[str, str] = {}
        self.wrappers: dict[str, tuple[tuple[str, ...], int]] = {}
        self.issues: list[Issue] = []
        self.imports: list[tuple[str, int]] = []
        self.all_names: list[str] | None = None
        self.plugins: list[str] = []
        self.plugins_line = 0
        self.module_marks = Marks()
        self.collect_ignore: list[str] = []
        self.collect_ignore_glob: list[str] = []
        self.top_imports: list[tuple[int, str, tuple[str, ...], tuple[Guard, ...]]] = []
        self.func_uses: dict[str, set[str]] = {}
        self.class_stack: list[str] = []
        self.suppress = _suppressions(source) if SUPPRESS_MARKER in source else {}
        # Module-level names set by an import probe (HAS_X = True in try: import x), see _try.
        self.flags: dict[str, EnvExpr] = {}
        # Cheap text checks that let most functions skip two walks of their body (see _mentions).
        # They read a function's lines, so str.splitlines must number lines as the parser does;
        # it also splits at form feeds and other ASCII separators, which the parser does not.
        self.plain_lines = not any(c in source for c in "\x0b\x0c\x1c\x1d\x1e")
        ascii_only = source.isascii()
        self.may_yield = "yield" in source or not ascii_only
        self.may_getfixturevalue = "getfixturevalue" in source or not ascii_only
        # Which names each function uses matters for FG009 (where an import could move), which is
        # about conftests and the modules they load, almost never test modules: skip the walks
        # there (the scan extracts such a module again, tracking uses, if a conftest loads it).
        base = path.rsplit("/", 1)[-1]
        if track_uses is None:
            track_uses = not (base.startswith("test_") or base.endswith("_test.py"))
        self.track_uses = track_uses
        # Inside pytest's own package a module's functions qualify as ``_pytest.<module>.<name>``
        # (``_pytest/fixtures.py`` decorates ``pytestconfig`` with its own ``fixture``).
        self.own_module = _pytest_module(path)

    # -- entry ----------------------------------------------------------------------------------

    def run(self) -> ModuleRecord:
        body = self._body(self.tree.body, (), in_class=False)
        defines = frozenset(b.name for b in body if b.name in _XUNIT_NAMES and not b.guards)
        return ModuleRecord(
            path=self.path,
            body=tuple(body),
            all_names=tuple(self.all_names) if self.all_names is not None else None,
            pytest_plugins=tuple(self.plugins),
            pytest_plugins_line=self.plugins_line,
            marks=self.module_marks,
            defines=defines,
            imports=tuple(self.imports),
            collect_ignore=tuple(self.collect_ignore),
            collect_ignore_glob=tuple(self.collect_ignore_glob),
            issues=tuple(self.issues),
            top_imports=self._top_imports() if self.track_uses else (),
            suppressions=tuple(sorted(self.suppress.items())),
            uses_tracked=self.track_uses,
        )

    def _top_imports(self) -> tuple[TopImport, ...]:
        """Module-level imports with their users, for the collection-time import rule (FG009)."""
        if not self.top_imports:
            return ()
        module_names = _module_level_names(self.tree)
        users: dict[str, list[str]] = {}
        for func, used in self.func_uses.items():
            for name in used:
                users.setdefault(name, []).append(func)
        out = []
        for line, module, names, guards in self.top_imports:
            used_by = sorted({f for n in names for f in users.get(n, ())})
            at_import = "*" in names or any(n in module_names for n in names)
            out.append(TopImport(line, module, names, tuple(used_by), at_import, guards))
        return tuple(out)

    # -- names ----------------------------------------------------------------------------------

    def qualify(self, node: ast.expr) -> str | None:
        """The dotted name ``node`` refers to, with import aliases expanded (iterative)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.aliases.get(node.id, node.id)
        return ".".join([head, *reversed(parts)])

    def _note_import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        """Record an import and the alias it binds, in source order (as the module runs)."""
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                self.imports.append((alias.name, stmt.lineno))
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
            return
        self.imports.append(("." * stmt.level + (stmt.module or ""), stmt.lineno))
        if stmt.level == 0 and stmt.module:
            for alias in stmt.names:
                if alias.name != "*":
                    self.aliases[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"

    def _note_wrapper(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Remember a local decorator whose wrapper hides the signature (no ``functools.wraps``)."""
        inner = {s.name: s for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
        for ret in node.body:
            if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Name) and ret.value.id in inner:
                wrapper = inner[ret.value.id]
                if not any(self.qualify(_call_func(d)) in _WRAPS for d in wrapper.decorator_list):
                    line = wrapper.decorator_list[0].lineno if wrapper.decorator_list else wrapper.lineno
                    self.wrappers[node.name] = (_argnames(wrapper.args, drop_first=False), line)

    def text(self, node: ast.AST) -> str:
        """Source text of ``node``, shortened for display."""
        start = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", start) or start
        if not start or start > len(self.lines):
            return ""
        col = getattr(node, "col_offset", 0)
        end_col = getattr(node, "end_col_offset", None)
        chunk = [line.encode("utf-8") for line in self.lines[start - 1 : end]]
        if end_col is not None and chunk:
            chunk[-1] = chunk[-1][:end_col]
        if chunk:
            chunk[0] = chunk[0][col:]
        text = b"".join(chunk).decode("utf-8", "replace").strip()
        text = " ".join(text.split())
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"

    # -- statements -----------------------------------------------------------------------------

    def _body(self, stmts: list[ast.stmt], guards: tuple[Guard, ...], *, in_class: bool) -> list[Binding]:
        out: list[Binding] = []
        for stmt in stmts:
            out.extend(self._stmt(stmt, guards, in_class=in_class))
        return out

    def _stmt(self, stmt: ast.stmt, guards: tuple[Guard, ...], *, in_class: bool) -> list[Binding]:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if not in_class:
                self._note_wrapper(stmt)
            binding = self._def(stmt, guards, in_class=in_class)
            if self.own_module is not None and not in_class and not self.class_stack:
                self.aliases[stmt.name] = f"{self.own_module}.{stmt.name}"
            return [binding]
        if isinstance(stmt, ast.ClassDef):
            bindings = [self._class(stmt, guards)]
            for deco in reversed(stmt.decorator_list):  # applied bottom-up, after the class exists
                found = self._registrar(deco, guards, stmt.name)
                if found is not None:
                    bindings.append(found)
            return bindings
        if isinstance(stmt, ast.Import):
            self._note_import(stmt)
            if not in_class:
                for a in stmt.names:
                    bound = a.asname or a.name.split(".")[0]
                    self.top_imports.append((stmt.lineno, a.name, (bound,), guards))
            return [
                Binding(a.asname or a.name.split(".")[0], "import", stmt.lineno, guards, module=a.name)
                for a in stmt.names
            ]
        if isinstance(stmt, ast.ImportFrom):
            self._note_import(stmt)
            if not in_class:
                module = "." * stmt.level + (stmt.module or "")
                bound_names = tuple(a.asname or a.name for a in stmt.names)
                self.top_imports.append((stmt.lineno, module, bound_names, guards))
            return self._import_from(stmt, guards)
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            return self._assign(stmt, guards, in_class=in_class)
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and REGISTRARS:
            found = self._registrar(stmt.value, guards, None)
            return [found] if found is not None else []
        if isinstance(stmt, ast.If):
            return self._if(stmt, guards, in_class=in_class)
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            return self._try(stmt, guards, in_class=in_class)
        if isinstance(stmt, ast.With | ast.AsyncWith):
            return self._body(stmt.body, guards, in_class=in_class)
        if isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            guard = Guard(self.text(stmt).split(":")[0][:MAX_TEXT])
            return self._body(stmt.body + stmt.orelse, (*guards, guard), in_class=in_class)
        if isinstance(stmt, ast.Delete):
            return [
                Binding(t.id, "del", stmt.lineno, guards) for t in stmt.targets if isinstance(t, ast.Name)
            ]
        if isinstance(stmt, ast.Match):
            out: list[Binding] = []
            for case in stmt.cases:
                out.extend(
                    self._body(
                        case.body, (*guards, Guard("match " + self.text(stmt.subject))), in_class=in_class
                    )
                )
            return out
        return []

    def _if(self, stmt: ast.If, guards: tuple[Guard, ...], *, in_class: bool) -> list[Binding]:
        test = stmt.test
        name = self.qualify(test)
        if name in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            return self._body(stmt.orelse, guards, in_class=in_class)
        if self._is_main_check(test):
            return self._body(stmt.orelse, guards, in_class=in_class)
        text = self.text(test)
        expr = guard_mod.env_expr(test, self.qualify, self.flags)
        body = self._body(stmt.body, (*guards, Guard(text, expr)), in_class=in_class)
        orelse = self._body(stmt.orelse, (*guards, Guard(text, expr, negated=True)), in_class=in_class)
        return body + orelse

    def _is_main_check(self, test: ast.expr) -> bool:
        return (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
        )

    def _try(self, stmt: ast.stmt, guards: tuple[Guard, ...], *, in_class: bool) -> list[Binding]:
        handlers = getattr(stmt, "handlers", [])
        caught = ", ".join(self.text(h.type) for h in handlers if h.type is not None) or "Exception"
        body = getattr(stmt, "body", []) + getattr(stmt, "orelse", [])
        probe = self._import_probe(getattr(stmt, "body", []), handlers)
        body_guard = Guard(f"try: (except {caught})", probe)
        out = self._body(body, (*guards, body_guard), in_class=in_class)
        for handler in handlers:
            if probe is not None and _catches_import_error(handler):
                guard = Guard(f"except {caught}", probe, negated=True)
            else:
                guard = Guard(f"except {caught}")
            out.extend(self._body(handler.body, (*guards, guard), in_class=in_class))
        out.extend(self._body(getattr(stmt, "finalbody", []), guards, in_class=in_class))
        if probe is not None and not in_class and not guards:
            self._record_flags(body, handlers, probe)
        return out

    def _import_probe(self, body: list[ast.stmt], handlers: list[ast.ExceptHandler]) -> EnvExpr | None:
        """``importable(...)`` for ``try: import x`` caught by ``except ImportError``, else None.

        Relative imports are not decided (None), nor a ``try`` without absolute imports.
        """
        if not any(_catches_import_error(h) for h in handlers):
            return None
        modules: list[str] = []
        for stmt in body:
            if isinstance(stmt, ast.Import):
                modules.extend(a.name for a in stmt.names)
            elif isinstance(stmt, ast.ImportFrom):
                if stmt.level or not stmt.module:
                    return None
                modules.append(stmt.module)
        return guard_mod.import_probe(modules)

    def _record_flags(self, body: list[ast.stmt], handlers: list[ast.ExceptHandler], probe: EnvExpr) -> None:
        """``HAS_X = True`` in the probe's body means ``importable(x)``; ``= False`` in a handler too."""
        set_in_body: set[str] = set()
        for stmt in body:
            flag = _bool_flag(stmt)
            if flag is not None:
                self.flags[flag[0]] = probe if flag[1] else ("not", probe)
                set_in_body.add(flag[0])
        for handler in handlers:
            if not _catches_import_error(handler):
                continue
            for stmt in handler.body:
                flag = _bool_flag(stmt)
                if flag is not None and flag[0] not in set_in_body:
                    self.flags[flag[0]] = ("not", probe) if flag[1] else probe

    def _import_from(self, stmt: ast.ImportFrom, guards: tuple[Guard, ...]) -> list[Binding]:
        module = "." * stmt.level + (stmt.module or "")
        out = []
        for alias in stmt.names:
            if alias.name == "*":
                out.append(Binding("*", "star", stmt.lineno, guards, module=module))
            else:
                out.append(
                    Binding(
                        alias.asname or alias.name,
                        "from",
                        stmt.lineno,
                        guards,
                        module=module,
                        attr=alias.name,
                    )
                )
        return out

    def _assign(
        self, stmt: ast.Assign | ast.AnnAssign | ast.AugAssign, guards: tuple[Guard, ...], *, in_class: bool
    ) -> list[Binding]:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        value = stmt.value
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        for tgt in targets:
            if isinstance(tgt, ast.Tuple | ast.List):
                names.extend(e.id for e in tgt.elts if isinstance(e, ast.Name))
        if value is None:
            return []
        augmented = isinstance(stmt, ast.AugAssign)
        if not in_class:
            for name in names:
                self.flags.pop(name, None)  # a later assignment ends what a probe flag meant
        for name in names:
            self._special_assign(name, value, stmt.lineno, augmented=augmented, in_class=in_class)
        if augmented:
            return []
        out = []
        for name in names:
            binding = self._value_binding(name, value, stmt.lineno, guards)
            if in_class and binding.kind in ("other", "alias"):
                binding = replace(binding, value=self._value_info(value))
            out.append(binding)
        return out

    def _value_info(self, node: ast.expr, depth: int = 0) -> ValueInfo:
        """What a plugin rule may need to know of a value (see :class:`ValueInfo`)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return ValueInfo("str", node.value[:MAX_TEXT])
        if isinstance(node, ast.Name | ast.Attribute):
            name = self.qualify(node)
            return ValueInfo("name", name) if name else ValueInfo("other", self.text(node))
        if isinstance(node, ast.Call) and depth < 2:
            callee = self.qualify(node.func) or self.text(node.func)
            args = tuple(self._value_info(a, depth + 1) for a in node.args[:4])
            keywords = tuple(
                (k.arg, self._value_info(k.value, depth + 1)) for k in node.keywords[:32] if k.arg
            )
            return ValueInfo("call", callee, args, keywords)
        return ValueInfo("other", self.text(node))

    def _registrar(self, call: ast.expr, guards: tuple[Guard, ...], target: str | None) -> Binding | None:
        """A plugin registrar call (``register(AuthorFactory)``), or ``target`` decorated by one."""
        func = _call_func(call)
        registrar = REGISTRARS.get(self.qualify(func) or "")
        if registrar is None:
            return None
        if isinstance(call, ast.Call):
            info = self._value_info(call)
            if target is not None:
                info = replace(info, args=(ValueInfo("name", target), *info.args))
        elif target is not None:
            info = ValueInfo("call", registrar.function, (ValueInfo("name", target),))
        else:
            return None
        return Binding("", "register", call.lineno, guards, module=registrar.function, value=info)

    def _special_assign(
        self, name: str, value: ast.expr, line: int, *, augmented: bool, in_class: bool
    ) -> None:
        if in_class:
            return
        if name == "__all__":
            names = _str_list(value)
            if names is None:
                self.issues.append(
                    Issue(self.path, line, "dynamic-all", "__all__ is not a literal list of strings")
                )
            elif augmented and self.all_names is not None:
                self.all_names.extend(names)
            else:
                self.all_names = list(names)
        elif name == "pytest_plugins":
            self.plugins_line = line
            plugins = _str_list(value)
            if plugins is None:
                self.issues.append(
                    Issue(
                        self.path,
                        line,
                        "dynamic-pytest-plugins",
                        "pytest_plugins is not a literal; its plugins are not scanned",
                    )
                )
                return
            if len(plugins) == 1 and isinstance(value, ast.Constant):
                plugins = tuple(p.strip() for p in plugins[0].split(",") if p.strip())
            self.plugins = [*self.plugins, *plugins] if augmented else list(plugins)
        elif name == "pytestmark":
            self.module_marks = self._marks_from_pytestmark(value)
        elif name in ("collect_ignore", "collect_ignore_glob"):
            values = _str_list(value) or ()
            target = self.collect_ignore if name == "collect_ignore" else self.collect_ignore_glob
            target.extend(values)

    def _value_binding(self, name: str, value: ast.expr, line: int, guards: tuple[Guard, ...]) -> Binding:
        if isinstance(value, ast.Name):
            return Binding(name, "alias", line, guards, attr=value.id)
        if isinstance(value, ast.Call):
            spec, target = self._fixture_call(value)
            if spec is not None and target is not None:
                return Binding(name, "fixture_call", line, guards, attr=target, fixture=spec)
        return Binding(name, "other", line, guards)

    def _fixture_call(self, call: ast.Call) -> tuple[FixtureSpec | None, str | None]:
        """``pytest.fixture(fn)``, ``pytest.fixture(fn, scope=...)`` or ``pytest.fixture(...)(fn)``."""
        decorator = self.qualify(call.func)
        if decorator in FIXTURE_DECORATORS and call.args:
            arg = call.args[0]
            if isinstance(arg, ast.Name):
                return self._fixture_spec(call, decorator=decorator), arg.id
        inner = call.func
        if isinstance(inner, ast.Call) and len(call.args) == 1:
            decorator = self.qualify(inner.func)
            arg = call.args[0]
            if decorator in FIXTURE_DECORATORS and isinstance(arg, ast.Name):
                return self._fixture_spec(inner, decorator=decorator), arg.id
        return None, None

    # -- classes --------------------------------------------------------------------------------

    def _class(self, stmt: ast.ClassDef, guards: tuple[Guard, ...]) -> Binding:
        self.class_stack.append(stmt.name)
        try:
            body = self._body(stmt.body, (), in_class=True)
        finally:
            self.class_stack.pop()
        marks = self._decorator_marks(stmt.decorator_list)
        test_false = False
        for inner in stmt.body:
            if isinstance(inner, ast.Assign):
                for tgt in inner.targets:
                    if isinstance(tgt, ast.Name) and tgt.id == "pytestmark":
                        own = self._marks_from_pytestmark(inner.value)
                        marks = _merge_marks(marks, own)
                    if isinstance(tgt, ast.Name) and tgt.id == "__test__":
                        test_false = isinstance(inner.value, ast.Constant) and not inner.value.value
        bases = tuple(self.text(b) for b in stmt.bases)
        qualified = tuple(self.qualify(b) or self.text(b) for b in stmt.bases)
        defines = frozenset(b.name for b in body if b.name in _XUNIT_NAMES)
        line = stmt.decorator_list[0].lineno if stmt.decorator_list else stmt.lineno
        info = ClassInfo(stmt.name, line, bases, tuple(body), marks, defines, test_false, qualified)
        return Binding(stmt.name, "class", stmt.lineno, guards, cls=info)

    # -- functions ------------------------------------------------------------------------------

    def _def(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, guards: tuple[Guard, ...], *, in_class: bool
    ) -> Binding:
        fixture: FixtureSpec | None = None
        is_static = is_classmethod = False
        patches = 0
        hidden: tuple[tuple[str, ...], int] | None = None
        impact: str | None = None
        description: str | None = None
        mark_nodes: list[ast.expr] = []
        for deco in node.decorator_list:
            func = _call_func(deco)
            name = self.qualify(func)
            last = name.rsplit(".", 1)[-1] if name else ""
            if name in FIXTURE_DECORATORS:
                fixture = self._fixture_spec(deco if isinstance(deco, ast.Call) else None, decorator=name)
            elif name and (name.startswith("pytest.mark.") or name.startswith("_pytest.mark.")):
                mark_nodes.append(deco)
            elif name in ("staticmethod", "builtins.staticmethod"):
                is_static = True
            elif name in ("classmethod", "builtins.classmethod"):
                is_classmethod = True
            elif name in _PATCHERS or name in _PATCH_OBJECTS:
                patches += self._consumes_argument(deco, name in _PATCH_OBJECTS)
            elif last in self.options.impact_decorators:
                impact, description = self._impact(deco)
            elif isinstance(func, ast.Name) and func.id in self.wrappers and not isinstance(deco, ast.Call):
                hidden = self.wrappers[func.id]
        line = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        if hidden is not None:
            line = hidden[1]  # pytest reports the wrapper's code location
        if fixture is not None and is_classmethod:
            self.issues.append(
                Issue(
                    self.path,
                    line,
                    "classmethod-fixture",
                    f"cannot discover fixture '{node.name}' because it is wrapped by @classmethod",
                )
            )
            fixture = None
        marks = self._decorator_marks(mark_nodes)
        if fixture is not None and marks.names:
            self.issues.append(
                Issue(
                    self.path,
                    line,
                    "mark-on-fixture",
                    f"marks cannot be applied to fixtures ('{node.name}'): pytest 9 rejects this, "
                    "pytest 8 ignores it",
                )
            )
        argnames = self._signature(
            node,
            hidden[0] if hidden else None,
            in_class=in_class,
            is_static=is_static,
            is_fixture=fixture is not None,
        )
        if patches:
            argnames = argnames[patches:]
        info = FuncInfo(
            name=node.name,
            line=line,
            def_line=node.lineno,
            argnames=argnames,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            is_yield=self._mentions(node, "yield", self.may_yield)
            and any(isinstance(n, ast.Yield | ast.YieldFrom) for n in _walk_no_nested_scopes(node.body)),
            is_staticmethod=is_static,
            fixture=fixture,
            marks=Marks() if fixture is not None else marks,
            getfixturevalue=self._getfixturevalue(node),
            impact=impact,
            impact_description=description,
            docstring=_docstring(node),
            suppress=self._suppressed_between(line, node.lineno),
            body_hash=self._source_hash(line, node.end_lineno or node.lineno),
        )
        return Binding(node.name, "def", node.lineno, guards, func=info)

    def _signature(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        hidden: tuple[str, ...] | None,
        *,
        in_class: bool,
        is_static: bool,
        is_fixture: bool,
    ) -> tuple[str, ...]:
        if hidden is not None:
            return hidden
        args = node.args
        if in_class and not is_static and is_fixture:
            # A fixture method is bound to an instance: the signature loses its first parameter.
            return _argnames(args, drop_first=True)
        names = _argnames(args, drop_first=False)
        if in_class and not is_static and not args.posonlyargs:
            # pytest's getfuncargnames drops the first *remaining* name for methods.
            names = names[1:]
        return names

    def _consumes_argument(self, deco: ast.expr, is_object: bool) -> int:
        if not isinstance(deco, ast.Call):
            return 0
        if any(k.arg == "new" for k in deco.keywords):
            return 0
        return 0 if len(deco.args) >= (3 if is_object else 2) else 1

    def _mentions(self, node: ast.FunctionDef | ast.AsyncFunctionDef, word: str, in_module: bool) -> bool:
        """Whether ``word`` may occur in the function's source (False saves a walk of its body).

        ``in_module`` is the same test on the whole module. Identifiers are NFKC-normalized, so
        non-ASCII source may spell the word differently: there it is always True.
        """
        if not in_module:
            return False
        if not self.plain_lines:
            return True
        segment = "".join(self.lines[node.lineno - 1 : node.end_lineno or len(self.lines)])
        return word in segment or not segment.isascii()

    def _source_hash(self, first: int, last: int) -> str:
        """A short hash of a definition's source lines, so a diff can tell an edited fixture."""
        chunk = "".join(self.lines[first - 1 : last])
        return hashlib.blake2b(chunk.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()

    def _suppressed_between(self, first: int, last: int) -> tuple[str, ...]:
        """Codes silenced by ``# fixture-graph: ignore[...]`` on a def's decorator or def lines."""
        if not self.suppress:
            return ()
        codes = {c for line in range(first, last + 1) for c in self.suppress.get(line, ())}
        return tuple(sorted(codes))

    def _getfixturevalue(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, ...]:
        """Literal ``getfixturevalue`` names in the body; also notes which names the body uses."""
        if not self.track_uses and not self._mentions(node, "getfixturevalue", self.may_getfixturevalue):
            return ()
        found: list[str] = []
        uses: set[str] | None = None
        if self.track_uses and len(self.class_stack) <= 1:
            qualname = ".".join([*self.class_stack, node.name])
            uses = self.func_uses.setdefault(qualname, set())
        for sub in _walk_bodies(node.body):
            if uses is not None and type(sub) is ast.Name:
                uses.add(sub.id)
            elif (
                type(sub) is ast.Call
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr == "getfixturevalue"
            ):
                arg = sub.args[0] if sub.args else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append(arg.value)
                else:
                    text = self.text(arg) if arg is not None else ""
                    self.issues.append(
                        Issue(
                            self.path,
                            sub.lineno,
                            "dynamic-getfixturevalue",
                            f"getfixturevalue({text}) in '{node.name}' requests a name that is not a literal",
                        )
                    )
        return tuple(dict.fromkeys(found))

    def _impact(self, deco: ast.expr) -> tuple[str | None, str | None]:
        if not isinstance(deco, ast.Call):
            return None, None
        description: str | None = None
        impact_node: ast.expr | None = None
        if deco.args and isinstance(deco.args[0], ast.Constant) and isinstance(deco.args[0].value, str):
            description = deco.args[0].value
        if len(deco.args) > 1:
            impact_node = deco.args[1]
        for kw in deco.keywords:
            if kw.arg == "impact":
                impact_node = kw.value
            elif kw.arg == "description" and isinstance(kw.value, ast.Constant):
                description = str(kw.value.value)
        if impact_node is None:
            return None, description
        if isinstance(impact_node, ast.Constant) and isinstance(impact_node.value, str):
            level = impact_node.value
        elif isinstance(impact_node, ast.Attribute):
            level = impact_node.attr
        elif isinstance(impact_node, ast.Name):
            level = impact_node.id
        else:
            level = self.text(impact_node)
        if level.upper() in self.options.impact_levels:
            return level.upper(), description
        levels = ", ".join(self.options.impact_levels)
        self.issues.append(
            Issue(
                self.path,
                deco.lineno,
                "unknown-impact",
                f"unknown impact level {level!r} (expected one of {levels})",
            )
        )
        return None, description

    # -- decorators and marks -------------------------------------------------------------------

    def _fixture_spec(self, call: ast.Call | None, *, decorator: str = "pytest.fixture") -> FixtureSpec:
        if call is None:
            return FixtureSpec(decorator=decorator)
        values: dict[str, object] = {"decorator": decorator}
        for kw in call.keywords:
            value = kw.value
            literal = value.value if isinstance(value, ast.Constant) else _MISSING
            if kw.arg == "scope":
                if isinstance(literal, str):
                    values["scope"] = literal
                else:
                    values["scope_source"] = self.text(value)
            elif kw.arg == "name":
                if isinstance(literal, str):
                    values["name"] = literal
                else:
                    values["name_source"] = self.text(value)
            elif kw.arg == "autouse":
                values["autouse"] = bool(literal) if literal is not _MISSING else True
            elif kw.arg == "params":
                values["params"] = self.text(value)
                values["lazy"] = self._lazy_uses(value)
                if isinstance(value, ast.List | ast.Tuple):
                    values["param_count"] = len(value.elts)
            elif kw.arg == "ids":
                values["ids"] = self.text(value)
            elif kw.arg == "loop_scope" and isinstance(literal, str):
                values["loop_scope"] = literal
        return FixtureSpec(**values)  # type: ignore[arg-type]

    def _marks_from_pytestmark(self, value: ast.expr) -> Marks:
        nodes = list(value.elts) if isinstance(value, ast.List | ast.Tuple) else [value]
        return self._decorator_marks(nodes, reverse=False)

    def _decorator_marks(self, nodes: list[ast.expr], *, reverse: bool = True) -> Marks:
        """Marks in pytest's order: decorators apply bottom-up, so the last one comes first."""
        usefixtures: list[str] = []
        parametrize: list[ParametrizeMark] = []
        names: list[str] = []
        for node in reversed(nodes) if reverse else nodes:
            name = self.qualify(_call_func(node)) or ""
            mark = name.rsplit(".", 1)[-1]
            if not name.startswith(("pytest.mark.", "_pytest.mark.")):
                continue
            names.append(mark)
            if mark == "usefixtures" and isinstance(node, ast.Call):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        usefixtures.append(arg.value)
                    else:
                        self.issues.append(
                            Issue(
                                self.path,
                                node.lineno,
                                "dynamic-usefixtures",
                                f"usefixtures({self.text(arg)}) is not a literal",
                            )
                        )
            elif mark == "parametrize" and isinstance(node, ast.Call):
                parsed = self._parametrize(node)
                if parsed is not None:
                    parametrize.append(parsed)
        return Marks(tuple(usefixtures), tuple(parametrize), tuple(names))

    def _parametrize(self, node: ast.Call) -> ParametrizeMark | None:
        argnode = node.args[0] if node.args else None
        indirect_node: ast.expr | None = None
        for kw in node.keywords:
            if kw.arg == "argnames":
                argnode = kw.value
            elif kw.arg == "indirect":
                indirect_node = kw.value
        values_node = node.args[1] if len(node.args) > 1 else None
        for kw in node.keywords:
            if kw.arg == "argvalues":
                values_node = kw.value
        names = _str_list(argnode)
        if names is None:
            self.issues.append(
                Issue(self.path, node.lineno, "dynamic-parametrize", "parametrize argnames are not a literal")
            )
            return None
        if len(names) == 1 and isinstance(argnode, ast.Constant):
            names = tuple(n.strip() for n in names[0].split(",") if n.strip())
        indirect: tuple[str, ...] = ()
        if isinstance(indirect_node, ast.Constant) and indirect_node.value:
            indirect = names
        elif indirect_node is not None:
            indirect = _str_list(indirect_node) or ()
        lazy = self._lazy_uses(values_node) if values_node is not None else ()
        return ParametrizeMark(names, indirect, lazy)

    def _lazy_uses(self, node: ast.expr) -> tuple[str, ...]:
        """Fixture names used through a plugin's lazy-fixture call (``lf("db")``) inside ``node``.

        The call forms come from the plugin registry (:data:`FIXTURE_USES`); ``lf("obj.attr")``
        names the fixture ``obj``, and ``lazy_fixture(["a", "b"])`` names both.
        """
        found: list[str] = []
        for sub in ast.walk(node):
            if not (isinstance(sub, ast.Call) and sub.args and self.qualify(sub.func) in FIXTURE_USES):
                continue
            names = _str_list(sub.args[0])
            if names is None:
                text = self.text(sub)
                self.issues.append(
                    Issue(self.path, sub.lineno, "dynamic-lazy-fixture", f"{text} names no literal fixture")
                )
                continue
            found.extend(n.split(".", 1)[0] for n in names)
        return tuple(dict.fromkeys(found))


class _Missing:
    pass


_MISSING = _Missing()


def _call_func(node: ast.expr) -> ast.expr:
    return node.func if isinstance(node, ast.Call) else node


def _merge_marks(first: Marks, second: Marks) -> Marks:
    return Marks(
        first.usefixtures + second.usefixtures,
        first.parametrize + second.parametrize,
        first.names + second.names,
    )


def _argnames(args: ast.arguments, *, drop_first: bool) -> tuple[str, ...]:
    """Names pytest requests: positional-or-keyword and keyword-only parameters without defaults."""
    positional = list(args.posonlyargs) + list(args.args)
    n_defaults = len(args.defaults)
    first_default = len(positional) - n_defaults
    start = 1 if drop_first and positional else 0
    names = [
        a.arg
        for i, a in enumerate(positional)
        if i >= start and i >= len(args.posonlyargs) and i < first_default
    ]
    names.extend(a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None)
    return tuple(names)


def _suppressions(source: str) -> dict[int, tuple[str, ...]]:
    """Line -> codes of ``# fixture-graph: ignore[FG006, FG007]`` (``*`` when no codes are given)."""
    out: dict[int, tuple[str, ...]] = {}
    for number, line in enumerate(source.splitlines(), start=1):
        if SUPPRESS_MARKER not in line:
            continue
        match = _SUPPRESS.search(line)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in (match.group(1) or "").split(",") if c.strip())
        out[number] = codes or (ALL_CODES,)
    return out


def _module_level_names(tree: ast.Module) -> set[str]:
    """Names read when the module is imported: module code, decorators, defaults, class bodies.

    Function and lambda bodies are skipped, since they run later (if at all).
    """
    names: set[str] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(node.decorator_list)
            stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None)
            continue
        if isinstance(node, ast.Name):
            names.add(node.id)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return names


def _docstring(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    doc = ast.get_docstring(node, clean=True)
    if doc is None:
        return None
    return doc if len(doc) <= MAX_DOC else doc[: MAX_DOC - 1] + "…"


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    """True for ``except ImportError`` / ``ModuleNotFoundError`` (alone or in a tuple)."""
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught] if caught is not None else []
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def _bool_flag(stmt: ast.stmt) -> tuple[str, bool] | None:
    """``NAME = True`` / ``NAME = False`` as (name, value)."""
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, bool)
    ):
        return stmt.targets[0].id, stmt.value.value
    return None


def _pytest_module(path: str) -> str | None:
    """``_pytest.fixtures`` for a path ending in ``_pytest/fixtures.py``; None outside ``_pytest``."""
    parts = path.replace("\\", "/").split("/")
    if "_pytest" not in parts or not parts[-1].endswith(".py"):
        return None
    index = len(parts) - 1 - parts[::-1].index("_pytest")
    names = [*parts[index:-1], parts[-1][:-3]]
    if names[-1] == "__init__":
        names.pop()
    return ".".join(names) if all(n.isidentifier() for n in names) else None


def extract_plugin_table(data: bytes) -> dict[str, tuple[str, ...]] | None:
    """pytest's builtin plugin names, read from the bytes of ``_pytest/config/__init__.py``.

    Returns the module-level ``essential_plugins``, ``default_plugins`` and ``builtin_plugins``
    (tuples or sets of string literals, ``*name`` expanding an earlier one), or None when the
    file does not parse or ``default_plugins`` is missing or not literal.
    """
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    wanted = ("essential_plugins", "default_plugins", "builtin_plugins")
    found: dict[str, tuple[str, ...]] = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not (isinstance(target, ast.Name) and target.id in wanted):
            continue
        if not isinstance(stmt.value, ast.Tuple | ast.List | ast.Set):
            continue
        names: list[str] = []
        for elt in stmt.value.elts:
            if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                names.append(elt.value)
            elif isinstance(elt, ast.Starred) and isinstance(elt.value, ast.Name) and elt.value.id in found:
                names.extend(found[elt.value.id])
            else:
                break
        else:
            found[target.id] = tuple(dict.fromkeys(names))
    if "default_plugins" not in found:
        return None
    found.setdefault("essential_plugins", ())
    found.setdefault("builtin_plugins", found["default_plugins"])
    return found
