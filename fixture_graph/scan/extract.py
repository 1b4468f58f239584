"""Extract one Python file into a :class:`ModuleRecord` in a single pass, keeping no AST.

This is the only place that parses source. It is a pure function of (path, bytes, options),
so a later stage can run it in a process pool and cache it by content hash. It never imports
or executes the scanned code. Input it cannot read becomes an :class:`Issue`, never an exception.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import re
import sys
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import replace

from fixture_graph.config import ExtractOptions
from fixture_graph.model import HookParametrize, Issue
from fixture_graph.scan import depth, reads
from fixture_graph.scan import guards as guard_mod
from fixture_graph.scan.decorators import BY_NAME as FILLER_BY_NAME
from fixture_graph.scan.decorators import TRANSPARENT, Fills
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
    ModuleSkip,
    ParametrizeMark,
    TopImport,
    ValueInfo,
)

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
# Fixture keywords whose expressions the scan evaluates for the target (``ids`` never matters).
_DECIDABLE_KEYWORDS = frozenset({"scope", "name", "autouse", "params", "loop_scope"})
MAX_TEXT = 240
MAX_DOC = 4000
SUPPRESS_MARKER = "fixture-graph:"
_SUPPRESS = re.compile(r"#\s*fixture-graph:\s*ignore(?:\[([^\]]*)\])?")
ALL_CODES = "*"
# The parser that tried, named in parse errors (a newer ``--python`` may parse what this cannot).
_PYTHON = f"Python {sys.version_info[0]}.{sys.version_info[1]}"
# Tokenizer messages that mean "nested deeper than CPython allows", not a typo: "too many nested
# parentheses" (200 levels) and "too many levels of indentation" (100), the same limits, words and
# line on 3.10-3.13, and 3.12's "too many nested f-strings". Deeper trees than the tokenizer
# catches are decided by the scan's own measure (see depth.py), whatever the parser does.
_DEPTH_LIMITS = ("too many nested", "too many levels of indentation")
# A parser's own limit (3.12's "Python source too complex to parse"): where it falls differs
# between versions, so it is reported like any tree deeper than the scan's limit.
_PARSER_LIMITS = ("too complex",)
# The issue codes of a file the parser refused; a newer ``--python`` may accept it.
PARSE_FAILURES = frozenset({"syntax-error", "too-deep"})


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
    source, issue = decode_source(path, data)
    if issue is not None:
        return ModuleRecord(path=path, issues=(issue,), parsed=False)
    assert source is not None
    try:
        tree = parse_source(source, path)
    except SyntaxError as exc:
        if any(m in exc.msg for m in _DEPTH_LIMITS):
            return _too_deep(path, exc.lineno or 0, exc.msg)
        if any(m in exc.msg for m in _PARSER_LIMITS):
            return _too_deep(path, 0, depth.MESSAGE)
        message = f"syntax error under {_PYTHON}: {exc.msg}"
        return ModuleRecord(
            path=path, issues=(Issue(path, exc.lineno or 0, "syntax-error", message, True),), parsed=False
        )
    except (RecursionError, MemoryError):
        return _too_deep(path, 0, depth.MESSAGE)
    except ValueError as exc:
        return ModuleRecord(path=path, issues=(Issue(path, 0, "decode-error", str(exc), True),), parsed=False)
    line = depth.too_deep(tree, source)
    if line is not None:
        return _too_deep(path, line, depth.MESSAGE)
    try:
        return _Extractor(path, source, tree, options, track_uses).run()
    except RecursionError:
        message = "too deeply nested to extract"
        return ModuleRecord(path=path, issues=(Issue(path, 0, "too-deep", message, True),), parsed=False)


# ---------------------------------------------------------------------------------------------
# Private functions
# ---------------------------------------------------------------------------------------------


def parse_source(source: str | bytes, path: str) -> ast.Module:
    """``ast.parse`` without warnings about the scanned code, which pytest would not raise.

    3.12 and newer warn of invalid escape sequences and ``is`` with a literal while parsing; under
    ``-W error`` (or pytest's ``filterwarnings = error``) the warning would become a syntax error.

    Raises:
        SyntaxError, ValueError: the source does not parse.
        RecursionError, MemoryError: it is too deep for this parser (or could crash it).
    """
    if depth.crashes_parser(source, path):
        raise RecursionError("too deep for this parser")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=path)


def _too_deep(path: str, line: int, message: str) -> ModuleRecord:
    return ModuleRecord(path=path, issues=(Issue(path, line, "too-deep", message, True),), parsed=False)


def decode_source(path: str, data: bytes) -> tuple[str | None, Issue | None]:
    """``data`` as text the way Python reads a module (PEP 263 coding line, UTF-8 byte-order
    mark), or None and the issue saying why it cannot be read."""
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
        parse_source(data, path)
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
        self.guarded_ignores: list[tuple[str, str, tuple[Guard, ...]]] = []
        self.module_skips: list[ModuleSkip] = []
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
        body = _note_redefinitions(self._body(self.tree.body, (), in_class=False))
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
            guarded_ignores=tuple(self.guarded_ignores),
            issues=tuple(self.issues),
            top_imports=self._top_imports() if self.track_uses else (),
            suppressions=tuple(sorted(self.suppress.items())),
            uses_tracked=self.track_uses,
            constants=tuple(sorted((k, v) for k, v in self.flags.items() if _worth_keeping(v))),
            module_skips=tuple(self.module_skips),
            param_marks=self._has_param_marks(),
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
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, dot, rest = dotted.partition(".")
        return f"{self.aliases.get(head, head)}{dot}{rest}"

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
        if not in_class and isinstance(stmt, ast.Expr | ast.Assign | ast.AnnAssign):
            self._note_module_skip(stmt, guards)
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
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if not in_class:
                self._list_call(stmt.value, guards)
            found = self._registrar(stmt.value, guards, None) if REGISTRARS else None
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
        if type(stmt).__name__ == "TypeAlias":  # ``type X = ...`` (3.12) binds X to a TypeAliasType
            target = getattr(stmt, "name", None)
            return [Binding(target.id, "other", stmt.lineno, guards)] if isinstance(target, ast.Name) else []
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

    def _note_module_skip(
        self, stmt: ast.Expr | ast.Assign | ast.AnnAssign, guards: tuple[Guard, ...]
    ) -> None:
        """Record ``pytest.importorskip(...)`` or ``pytest.skip(..., allow_module_level=True)`` run
        by the module's own code (not inside a function), which skips the whole module."""
        call = stmt.value
        if not isinstance(call, ast.Call):
            return
        name = self.qualify(call.func)
        keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        if name in ("pytest.importorskip", "_pytest.outcomes.importorskip"):
            target = call.args[0] if call.args else keywords.get("modname")
            module = None
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                module = target.value
            minversion = len(call.args) > 1 or "minversion" in keywords
            self.module_skips.append(
                ModuleSkip(stmt.lineno, self.text(call), "importorskip", module, minversion, guards)
            )
        elif name in ("pytest.skip", "_pytest.outcomes.skip"):
            allow = keywords.get("allow_module_level")
            if isinstance(allow, ast.Constant) and allow.value is True:
                self.module_skips.append(ModuleSkip(stmt.lineno, self.text(call), "skip", guards=guards))

    def _has_param_marks(self) -> bool:
        """Whether some ``pytest.param(..., marks=...)`` call is written in the file."""
        if not any("marks" in line for line in self.lines):
            return False
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.Call)
                and any(kw.arg == "marks" for kw in node.keywords)
                and self.qualify(node.func) in ("pytest.param", "_pytest.mark.param")
            ):
                return True
        return False

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
            if not guards and not augmented and len(names) == 1 and isinstance(targets[0], ast.Name):
                constant = guard_mod.literal(value) if _small(value) else None
                if constant is None and not isinstance(value, ast.Name):
                    # ``PY_314 = sys.version_info >= (3, 14)``: decided later, for the target.
                    constant = guard_mod.env_expr(value, self.qualify, self.flags)
                if constant is not None:
                    self.flags[names[0]] = constant  # a module constant, read by later expressions
        for name in names:
            self._special_assign(
                name, value, stmt.lineno, augmented=augmented, in_class=in_class, guards=guards
            )
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
        self,
        name: str,
        value: ast.expr,
        line: int,
        *,
        augmented: bool,
        in_class: bool,
        guards: tuple[Guard, ...] = (),
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
            self._ignore(name, _str_list(value) or (), guards, replace=not augmented)

    def _ignore(
        self, name: str, values: tuple[str, ...], guards: tuple[Guard, ...], *, replace: bool
    ) -> None:
        """``collect_ignore``/``collect_ignore_glob`` entries; under a guard, kept with it."""
        kind = "glob" if name == "collect_ignore_glob" else "path"
        if guards:
            self.guarded_ignores.extend((kind, v, guards) for v in values)
            return
        target = self.collect_ignore if kind == "path" else self.collect_ignore_glob
        if replace:
            target.clear()
        target.extend(values)

    def _list_call(self, call: ast.Call, guards: tuple[Guard, ...]) -> None:
        """``collect_ignore.append("x")`` / ``.extend([...])`` at module level."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return
        if func.value.id not in ("collect_ignore", "collect_ignore_glob") or len(call.args) != 1:
            return
        if func.attr == "append":
            values = _str_list(call.args[0]) if isinstance(call.args[0], ast.Constant) else None
        elif func.attr == "extend":
            values = _str_list(call.args[0])
        else:
            return
        self._ignore(func.value.id, values or (), guards, replace=False)

    def _value_binding(self, name: str, value: ast.expr, line: int, guards: tuple[Guard, ...]) -> Binding:
        if isinstance(value, ast.Name):
            return Binding(name, "alias", line, guards, attr=value.id)
        marks = self._mark_value(value)
        if marks is not None:
            if isinstance(value, ast.Attribute) and not guards:
                # ``usefix = pytest.mark.usefixtures``: a later ``@usefix("db")`` is that mark.
                self.aliases[name] = self.qualify(value) or ""
            return Binding(name, "mark", line, guards, marks=marks)
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
            body = _note_redefinitions(self._body(stmt.body, (), in_class=True))
        finally:
            self.class_stack.pop()
        marks = self._decorator_marks(stmt.decorator_list)
        test_false = False
        for inner in stmt.body:
            if isinstance(inner, ast.Assign):
                for tgt in inner.targets:
                    if isinstance(tgt, ast.Name) and tgt.id == "pytestmark":
                        own = self._marks_from_pytestmark(inner.value)
                        marks = marks.extended(own)
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
        fixture_at = classmethod_at = -1
        is_static = False
        patches = 0
        filled: set[str] = set()
        hidden: tuple[tuple[str, ...], int] | None = None
        impact: str | None = None
        description: str | None = None
        mark_nodes: list[ast.expr] = []
        for index, deco in enumerate(node.decorator_list):
            func = _call_func(deco)
            name = self.qualify(func)
            last = name.rsplit(".", 1)[-1] if name else ""
            if name in FIXTURE_DECORATORS:
                fixture_at = index
                fixture = self._fixture_spec(deco if isinstance(deco, ast.Call) else None, decorator=name)
            elif name and (name.startswith("pytest.mark.") or name.startswith("_pytest.mark.")):
                mark_nodes.append(deco)
            elif name in ("staticmethod", "builtins.staticmethod"):
                is_static = True
            elif name in ("classmethod", "builtins.classmethod"):
                classmethod_at = index
            elif name in FILLER_BY_NAME:
                filler = FILLER_BY_NAME[name]
                if filler.fills is Fills.LEADING:
                    patches += self._consumes_argument(deco, filler.new_at)
                else:
                    filled |= self._named_fills(node, deco)
            elif last in self.options.impact_decorators:
                impact, description = self._impact(deco)
            elif isinstance(func, ast.Name) and func.id in self.wrappers and not isinstance(deco, ast.Call):
                hidden = self.wrappers[func.id]
            elif fixture is None and name not in TRANSPARENT:
                mark_nodes.append(deco)  # may hold or apply marks: a ref, resolved by the scan
        line = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        if hidden is not None:
            line = hidden[1]  # pytest reports the wrapper's code location
        if fixture is not None and 0 <= classmethod_at < fixture_at:
            # @classmethod above @pytest.fixture hides the fixture from pytest's dir() scan; the
            # other order is a class fixture (pytest-dev/pytest#4401).
            self.issues.append(
                Issue(
                    self.path,
                    line,
                    "classmethod-fixture",
                    f"cannot discover fixture '{node.name}' because it is wrapped by @classmethod "
                    "(place @pytest.fixture above @classmethod)",
                )
            )
            fixture = None
        marks = self._decorator_marks(mark_nodes)
        if fixture is not None:
            marks = Marks(names=marks.names)  # refs on a fixture are not marks pytest applies
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
        applied, on_call = (None, False) if in_class or fixture else self._applied_marks(node)
        literal_names, dynamic_of = self._getfixturevalue(node)
        generates = self._hook_parametrize(node, in_class) if node.name == "pytest_generate_tests" else ()
        argnames = self._signature(
            node,
            hidden[0] if hidden else None,
            in_class=in_class,
            is_static=is_static,
            is_fixture=fixture is not None,
        )
        if filled:
            argnames = tuple(n for n in argnames if n not in filled)
        if patches:
            argnames = argnames[patches:]
        shape, constant = "", False
        if fixture is not None:
            if not reads.is_stub(node.body):  # a placeholder or no-op override: no code to share
                shape = reads.shape_hash(node, repr(fixture), fixture_at)
            constant = reads.constant_value(node)
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
            applies_marks=applied,
            applies_on_call=on_call,
            generates=generates,
            getfixturevalue=literal_names,
            getfixturevalue_of=dynamic_of,
            impact=impact,
            impact_description=description,
            docstring=_docstring(node),
            suppress=self._suppressed_between(line, node.lineno),
            body_hash=self._source_hash(line, node.end_lineno or node.lineno),
            unread_mask=0
            if hidden is not None
            else reads.mask(argnames, reads.unread_params(node, argnames, self._body_text(node))),
            shape_hash=shape,
            constant=constant,
        )
        return Binding(node.name, "def", node.lineno, guards, func=info)

    def _hook_parametrize(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, in_class: bool
    ) -> tuple[HookParametrize, ...]:
        """The ``metafunc.parametrize`` calls of a ``pytest_generate_tests`` hook, with the
        guards around each (``if "x" in metafunc.fixturenames``). A ``for`` over a literal tuple
        of names is unrolled, so ``for n in ("a", "b"): if n in metafunc.fixturenames:`` works."""
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        if in_class and params:
            params = params[1:]
        if not params:
            return ()
        hook = _HookReader(self, params[0])
        hook.visit(node.body, (), (), {})
        return tuple(hook.found)

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

    def _consumes_argument(self, deco: ast.expr, new_at: int) -> int:
        """1 when a ``LEADING`` filler passes an argument: no ``new`` given by keyword or position."""
        if not isinstance(deco, ast.Call):
            return 0
        if any(k.arg == "new" for k in deco.keywords):
            return 0
        return 0 if len(deco.args) > new_at else 1

    def _named_fills(self, node: ast.FunctionDef | ast.AsyncFunctionDef, deco: ast.expr) -> set[str]:
        """The parameters a ``NAMED`` filler (``@given``) passes: its keywords' names, or as many
        of the rightmost positional-or-keyword parameters as it has positional arguments."""
        if not isinstance(deco, ast.Call):
            return set()
        names = {k.arg for k in deco.keywords if k.arg is not None}
        positional = len(deco.args)
        if positional and not any(isinstance(a, ast.Starred) for a in deco.args):
            params = [a.arg for a in node.args.args]
            names.update(params[max(0, len(params) - positional) :])
        return names

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

    def _body_text(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        """The source of the function's body (from its first statement), or None when the
        lines may not be numbered as the parser numbers them (see ``plain_lines``)."""
        if not self.plain_lines or not node.body:
            return None
        first = node.body[0]
        lines = self.lines[first.lineno - 1 : node.end_lineno or first.lineno]
        if not lines:
            return None
        return lines[0][first.col_offset :] + "".join(lines[1:])

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

    def _getfixturevalue(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Literal ``getfixturevalue`` names in the body, and the parameters (or
        ``request.param``) passed to it; also notes which names the body uses."""
        if not self.track_uses and not self._mentions(node, "getfixturevalue", self.may_getfixturevalue):
            return (), ()
        found: list[str] = []
        of: list[str] = []
        params = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
        uses: set[str] | None = None
        if self.track_uses and len(self.class_stack) <= 1:
            qualname = ".".join([*self.class_stack, node.name])
            uses = self.func_uses.setdefault(qualname, set())
        for sub in reads.walk_bodies(node.body):
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
                    continue
                if isinstance(arg, ast.Name) and arg.id in params:
                    of.append(arg.id)
                elif (
                    isinstance(arg, ast.Attribute) and arg.attr == "param" and isinstance(arg.value, ast.Name)
                ):
                    of.append("request.param")
                text = self.text(arg) if arg is not None else ""
                self.issues.append(
                    Issue(
                        self.path,
                        sub.lineno,
                        "dynamic-getfixturevalue",
                        f"getfixturevalue({text}) in '{node.name}' requests a name that is not a literal",
                    )
                )
        return tuple(dict.fromkeys(found)), tuple(dict.fromkeys(of))

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
        """The decorator's keywords. A keyword given by an expression is decided here when it
        only reads literals and module constants; otherwise it goes to ``exprs`` for the scan to
        decide for the target (``autouse=(os.name == "nt")``), never assumed silently."""
        if call is None:
            return FixtureSpec(decorator=decorator)
        values: dict[str, object] = {"decorator": decorator}
        exprs: list[tuple[str, EnvExpr | None, str]] = []
        for kw in call.keywords:
            value = kw.value
            literal: object = value.value if isinstance(value, ast.Constant) else _MISSING
            expr: EnvExpr | None = None
            if literal is _MISSING and kw.arg in _DECIDABLE_KEYWORDS:
                expr = guard_mod.env_expr(value, self.qualify, self.flags)
                if expr is not None:
                    decided, found = guard_mod.value_of(expr, {}, facts=None, state=None)
                    if decided:
                        literal = found
                if literal is _MISSING:
                    exprs.append((str(kw.arg), expr, self.text(value)))
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
                # Undecided: registered as autouse, and conditional on its expression.
                values["autouse"] = bool(literal) if literal is not _MISSING else True
            elif kw.arg == "params":
                values["params"] = self.text(value)
                values["lazy"] = self._lazy_uses(value)
                if isinstance(value, ast.List | ast.Tuple):
                    values["param_count"] = len(value.elts)
                    strings = _string_values(("p",), value)
                    if strings and len(strings[0][1]) == len(value.elts):
                        values["param_strings"] = strings[0][1]
                elif isinstance(literal, tuple):
                    values["param_count"] = len(literal)
            elif kw.arg == "ids":
                values["ids"] = self.text(value)
            elif kw.arg == "loop_scope" and isinstance(literal, str):
                values["loop_scope"] = literal
        values["exprs"] = tuple(exprs)
        return FixtureSpec(**values)  # type: ignore[arg-type]

    def _marks_from_pytestmark(self, value: ast.expr) -> Marks:
        return self._decorator_marks(_mark_elements(value), reverse=False)

    def _decorator_marks(self, nodes: list[ast.expr], *, reverse: bool = True) -> Marks:
        """Marks in pytest's order: decorators apply bottom-up, so the last one comes first.

        A node that is not ``pytest.mark.*`` but a name, attribute or call of one becomes a ref
        (a variable holding marks, or a helper applying them), resolved later by the scan.
        """
        usefixtures: list[str] = []
        parametrize: list[ParametrizeMark] = []
        names: list[str] = []
        refs: list[tuple[str, bool]] = []
        for node in reversed(nodes) if reverse else nodes:
            name = self.qualify(_call_func(node)) or ""
            mark = name.rsplit(".", 1)[-1]
            if not name.startswith(("pytest.mark.", "_pytest.mark.")):
                dotted = _dotted(_call_func(node))
                if dotted is not None:
                    refs.append((dotted, isinstance(node, ast.Call)))
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
        return Marks(tuple(usefixtures), tuple(parametrize), tuple(names), tuple(refs))

    def _is_mark(self, node: ast.expr) -> bool:
        """``pytest.mark.x`` or ``pytest.mark.x(...)`` (import aliases expanded)."""
        return (self.qualify(_call_func(node)) or "").startswith(("pytest.mark.", "_pytest.mark."))

    def _mark_value(self, value: ast.expr) -> Marks | None:
        """The marks an assigned value holds: a mark, or a list, tuple or sum holding one (or only
        names that may hold marks); None for any other value."""
        elements = _mark_elements(value)
        if isinstance(value, ast.Name | ast.Attribute) and not self._is_mark(value):
            return None  # ``x = y`` is an alias; the namespace follows it
        only_names = all(_dotted(_call_func(e)) is not None for e in elements)
        if any(self._is_mark(e) for e in elements) or (elements != [value] and only_names):
            return self._decorator_marks(elements, reverse=False)
        return None

    def _applied_marks(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[Marks | None, bool]:
        """The marks a helper function applies, and whether it applies them when called.

        ``def slow(f): return pytest.mark.slow(f)`` and a returned inner function decorated with
        marks apply them as ``@slow``; ``def skip_x(): return pytest.mark.skipif(...)`` applies
        them as ``@skip_x()``.
        """
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        inner = {s.name: s for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
        for stmt in node.body:
            if not isinstance(stmt, ast.Return) or stmt.value is None:
                continue
            value = stmt.value
            if (
                isinstance(value, ast.Call)
                and params
                and len(value.args) == 1
                and isinstance(value.args[0], ast.Name)
                and value.args[0].id == params[0]
                and self._is_mark(value.func)
            ):
                return self._decorator_marks([value.func]), False
            if isinstance(value, ast.Name) and value.id in inner:
                marks = self._decorator_marks([d for d in inner[value.id].decorator_list if self._is_mark(d)])
                return (marks, False) if marks.names else (None, False)
            if self._is_mark(value):
                return self._decorator_marks(_mark_elements(value), reverse=False), True
        return None, False

    def _parametrize(self, node: ast.Call) -> ParametrizeMark | None:
        argnode, values_node, indirect_node = _parametrize_args(node)
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
        cases = (
            len(values_node.elts)
            if isinstance(values_node, ast.List | ast.Tuple)
            and not any(isinstance(e, ast.Starred) for e in values_node.elts)
            else None
        )
        return ParametrizeMark(names, indirect, _string_values(names, values_node), lazy, cases)

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


class _HookReader:
    """Reads one ``pytest_generate_tests`` body for :meth:`_Extractor._hook_parametrize`."""

    _FIXTURENAMES = frozenset({"fixturenames", "funcargnames"})
    _MAX_CALLS = 256

    def __init__(self, extractor: _Extractor, metafunc: str) -> None:
        self.x = extractor
        self.metafunc = metafunc
        self.found: list[HookParametrize] = []

    def visit(
        self,
        stmts: list[ast.stmt],
        requires: tuple[str, ...],
        conditions: tuple[str, ...],
        names: dict[str, str],
    ) -> None:
        for stmt in stmts:
            if len(self.found) >= self._MAX_CALLS:
                return
            if isinstance(stmt, ast.If) and not stmt.orelse and _ends_with_return(stmt.body):
                # ``if "x" not in metafunc.fixturenames: return``: what follows runs only when
                # the test is false.
                self.visit(stmt.body, requires, conditions, names)
                absent = self._absent(stmt.test, names)
                if absent is not None:
                    requires = (*requires, absent)
                else:
                    conditions = (*conditions, f"not ({self.x.text(stmt.test)})")
            elif isinstance(stmt, ast.If):
                needed, other = self._guard(stmt.test, names)
                self.visit(stmt.body, requires + needed, conditions + other, names)
                negated = f"not ({self.x.text(stmt.test)})"
                self.visit(stmt.orelse, requires, (*conditions, negated), names)
            elif isinstance(stmt, ast.For | ast.AsyncFor):
                values = _str_list(stmt.iter) if isinstance(stmt.target, ast.Name) else None
                if values is not None and isinstance(stmt.target, ast.Name):
                    for value in values:
                        self.visit(stmt.body, requires, conditions, {**names, stmt.target.id: value})
                else:
                    loop = f"for {self.x.text(stmt.target)} in {self.x.text(stmt.iter)}"
                    self.visit(stmt.body, requires, (*conditions, loop), names)
            elif isinstance(stmt, ast.With | ast.AsyncWith | ast.Try):
                self.visit(stmt.body, requires, conditions, names)
            elif isinstance(stmt, ast.Expr | ast.Return) and isinstance(stmt.value, ast.Call):
                self._call(stmt.value, requires, conditions, names)

    def _guard(self, test: ast.expr, names: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(names the guard requires in the closure, texts of the parts it cannot decide)."""
        parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
        needed: list[str] = []
        other: list[str] = []
        for part in parts:
            name = self._requires(part, names)
            if name is None:
                other.append(self.x.text(part))
            else:
                needed.append(name)
        return tuple(needed), tuple(other)

    def _absent(self, test: ast.expr, names: dict[str, str]) -> str | None:
        """``"x" not in metafunc.fixturenames`` -> ``x`` (the name the rest then requires)."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn):
            positive = ast.Compare(test.left, [ast.In()], test.comparators)
            return self._requires(positive, names)
        return None

    def _requires(self, part: ast.expr, names: dict[str, str]) -> str | None:
        """``"x" in metafunc.fixturenames`` (or a loop variable naming ``x``) -> ``x``."""
        if not (isinstance(part, ast.Compare) and len(part.ops) == 1 and isinstance(part.ops[0], ast.In)):
            return None
        right = part.comparators[0]
        if not (
            isinstance(right, ast.Attribute)
            and right.attr in self._FIXTURENAMES
            and isinstance(right.value, ast.Name)
            and right.value.id == self.metafunc
        ):
            return None
        return self._name(part.left, names)

    def _name(self, node: ast.expr | None, names: dict[str, str]) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return names.get(node.id)
        return None

    def _call(
        self, call: ast.Call, requires: tuple[str, ...], conditions: tuple[str, ...], names: dict[str, str]
    ) -> None:
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "parametrize"
            and isinstance(func.value, ast.Name)
            and func.value.id == self.metafunc
        ):
            return
        argnode, _, indirect_node = _parametrize_args(call)
        certain = True
        single = self._name(argnode, names)
        argnames = _str_list(argnode) if single is None else (single,)
        if argnames is None:
            argnames, certain = (), False
        elif len(argnames) == 1:
            argnames = tuple(n.strip() for n in argnames[0].split(",") if n.strip())
        indirect: tuple[str, ...] = ()
        if isinstance(indirect_node, ast.Constant):
            # indirect=True with computed names: every name is indirect ("*").
            indirect = (argnames or ("*",)) if indirect_node.value else ()
        elif indirect_node is not None:
            listed = _str_list(indirect_node)
            indirect, certain = (listed, certain) if listed is not None else (argnames, False)
        self.found.append(
            HookParametrize(
                argnames=argnames,
                indirect=indirect,
                requires=tuple(dict.fromkeys(requires)),
                condition=" and ".join(conditions) or None,
                certain=certain and not conditions,
                file=self.x.path,
                line=call.lineno,
            )
        )


def _parametrize_args(call: ast.Call) -> tuple[ast.expr | None, ast.expr | None, ast.expr | None]:
    """``argnames``, ``argvalues`` and ``indirect`` of a ``parametrize(...)`` call (the mark's and
    ``Metafunc.parametrize`` share the signature), by position or keyword; None when absent."""
    found: list[ast.expr | None] = [None, None, None]
    for index, arg in enumerate(call.args[:2]):
        found[index] = arg
    for kw in call.keywords:
        if kw.arg in _PARAMETRIZE_KEYWORDS:
            found[_PARAMETRIZE_KEYWORDS.index(kw.arg)] = kw.value
    return found[0], found[1], found[2]


_PARAMETRIZE_KEYWORDS = ("argnames", "argvalues", "indirect")


def _param_value(node: ast.expr) -> ast.expr:
    """The value of ``pytest.param(value, ...)`` (by shape), else ``node`` itself."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "param"
        and len(node.args) >= 1
    ):
        return node.args[0] if len(node.args) == 1 else ast.Tuple(list(node.args), ast.Load())
    return node


def _string_values(names: tuple[str, ...], node: ast.expr | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per argname, the string literals a literal ``argvalues`` list gives it."""
    if not isinstance(node, ast.List | ast.Tuple):
        return ()
    found: dict[str, list[str]] = {n: [] for n in names}
    for raw in node.elts:
        element = _param_value(raw)
        items = (
            [element]
            if len(names) == 1
            else element.elts
            if isinstance(element, ast.Tuple | ast.List)
            else []
        )
        for name, item in zip(names, items, strict=False):
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                found[name].append(item.value)
    return tuple((n, tuple(dict.fromkeys(v))) for n, v in found.items() if v)


def _note_redefinitions(body: list[Binding]) -> list[Binding]:
    """``body`` with each surviving fixture ``def`` noting the earlier fixture defs of the same
    name it rebinds (pytest collects the module's or class's attributes, so only the last
    binding of a name exists). A later def rebinds an earlier one for sure when its guards are a
    prefix of the earlier's (it runs whenever the earlier did); others are alternatives."""
    by_name: dict[str, list[int]] = {}
    for i, b in enumerate(body):
        if b.kind == "def" and b.func is not None and b.func.fixture:
            by_name.setdefault(b.name, []).append(i)
    if all(len(same) == 1 for same in by_name.values()):
        return body
    killer: dict[int, int] = {}
    for same in by_name.values():  # only defs of one name can rebind each other
        for n, i in enumerate(same):
            guards = body[i].guards
            for j in same[n + 1 :]:
                if guards[: len(body[j].guards)] == body[j].guards:
                    killer[i] = j
                    break
    dead: dict[int, list[tuple[int, str]]] = {}
    for i in sorted(killer):
        j = killer[i]
        while j in killer:
            j = killer[j]
        func = body[i].func
        assert func is not None
        dead.setdefault(j, []).append((func.line, func.shape_hash))
    out = list(body)
    for j, lines in dead.items():
        func = body[j].func
        assert func is not None
        out[j] = replace(body[j], func=replace(func, redefines=tuple(lines)))
    return out


def _ends_with_return(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Return)


class _Missing:
    pass


_MISSING = _Missing()


def _call_func(node: ast.expr) -> ast.expr:
    return node.func if isinstance(node, ast.Call) else node


def _worth_keeping(expr: EnvExpr) -> bool:
    """A constant other modules may test: not a long literal sequence (data, not a flag)."""
    return not (expr[0] == "const" and isinstance(expr[1], tuple) and len(expr[1]) > 8)


def _small(node: ast.expr) -> bool:
    """A value small enough to keep as a module constant (a literal, or a short list of them)."""
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, ast.List | ast.Tuple) and len(node.elts) <= 64


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` as written (no alias expansion), for a later namespace lookup; else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _mark_elements(value: ast.expr) -> list[ast.expr]:
    """The elements of a mark value: list and tuple items, starred items and ``+`` operands
    flattened, in order (``[*base, pytest.mark.x]``, ``base + [pytest.mark.y]``)."""
    out: list[ast.expr] = []
    stack: list[ast.expr] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.List | ast.Tuple):
            stack.extend(reversed(node.elts))
        elif isinstance(node, ast.Starred):
            stack.append(node.value)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            stack.extend((node.right, node.left))
        else:
            out.append(node)
    return out


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
            if isinstance(node.ctx, ast.Load):  # ``x = None`` after ``except ImportError`` reads nothing
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


@functools.lru_cache(maxsize=4)
def extract_plugin_table(data: bytes) -> dict[str, tuple[str, ...]] | None:
    """pytest's builtin plugin names, read from the bytes of ``_pytest/config/__init__.py``.

    Returns the module-level ``essential_plugins``, ``default_plugins`` and ``builtin_plugins``
    (tuples or sets of string literals, ``*name`` expanding an earlier one), or None when the
    file does not parse or ``default_plugins`` is missing or not literal. Memoized by the bytes
    (a process that scans several trees parses pytest's file once); the dict is read-only.
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
