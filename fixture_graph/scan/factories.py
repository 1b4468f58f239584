"""pytest-factoryboy's ``register``: the fixtures it defines in the calling module, statically.

Follows ``pytest_factoryboy/fixture.py`` (2.8.1: ``register``, ``generate_fixtures``,
``make_declaration_fixturedef``, ``get_model_name``, ``get_deps``) and factory_boy's
``FactoryOptions`` (which class attributes are declarations):

* the model fixture is ``_name`` or the factory's ``Meta.model`` (a string as is, a class by its
  ``__name__`` in ``inflection.underscore`` form), and requests ``<model>__<attr>`` for each
  declaration except ``RelatedFactory``;
* the factory fixture is the factory class's name, underscored (``AuthorFactory`` ->
  ``author_factory``), unless the module already binds that name;
* one fixture ``<model>__<attr>`` per declaration: every public class attribute of the factory
  and its bases (``Meta`` and ``Params`` aside, static methods aside), ``Params`` entries
  (a ``Trait``'s keywords, else the parameter's own name), with ``register``'s keyword overrides
  replacing the declared value. A ``SubFactory``/``RelatedFactory`` attribute requests the
  subfactory's dependencies and its model fixture; a ``LazyFixture("name")`` requests ``name``.

Every generated fixture also requests ``request`` (its function's only parameter).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from fixture_graph.scan.records import Binding, ClassInfo, ValueInfo

SEPARATOR = "__"
_NOT_DECLARATIONS = frozenset({"import", "from", "star", "del", "register"})


@dataclass(frozen=True, slots=True)
class Generated:
    """One fixture ``register`` defines: its name and the names it requests."""

    name: str
    argnames: tuple[str, ...]


class Unknown(Exception):
    """Something the names depend on cannot be read statically (the message says what)."""


# A class found through the calling module's namespace: its body and its bases, resolved.
Lookup = Callable[[str], "FactoryClass | None"]


@dataclass(frozen=True, slots=True)
class FactoryClass:
    """A factory class as the namespace resolves it: the class, its MRO and its module."""

    cls: ClassInfo
    lineage: tuple[ClassInfo, ...]  # its MRO, itself first
    lookup: Lookup  # resolves names in the module that defines this class


def underscore(word: str) -> str:
    """``inflection.underscore``: ``DeviceType`` -> ``device_type``."""
    word = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", word)
    word = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", word)
    return word.replace("-", "_").lower()


def generate(
    call: ValueInfo, lookup: Lookup, bound: Callable[[str], bool]
) -> tuple[tuple[Generated, ...], str | None]:
    """The fixtures ``register(...)`` (``call``) defines, and a message when some are unknown.

    ``lookup`` resolves a name in the calling module; ``bound`` says whether the module already
    binds a name (then no factory fixture is made).
    """
    factory_value = call.args[0] if call.args else dict(call.keywords).get("factory_class")
    if factory_value is None:
        return (), None  # register(_name=...) alone returns a decorator: nothing yet
    name_value = call.args[1] if len(call.args) > 1 else dict(call.keywords).get("_name")
    overrides = {k: v for k, v in call.keywords if k not in ("_name", "factory_class", "_caller_locals")}
    factory = lookup(factory_value.text) if factory_value.kind == "name" else None
    if factory is None:
        what = factory_value.text or "the factory"
        return (), f"register({what}): the factory class cannot be read, so its fixtures are unknown"
    factory_name = underscore(factory.cls.name)
    out: list[Generated] = []
    try:
        if name_value is not None and name_value.kind != "str":
            raise Unknown(f"_name={name_value.text} is not a literal")
        model_name = name_value.text if name_value is not None else model_name_of(factory)
        declarations = _declarations(factory)
        declarations.update(overrides)
        for attr, declared in declarations.items():
            deps = _attr_deps(declared, factory)
            out.append(Generated(SEPARATOR.join((model_name, attr)), ("request", *deps)))
        if not bound(factory_name):
            out.append(Generated(factory_name, ("request",)))
        deps = _deps(declarations, model_name, parent_model=None, lookup=factory.lookup)
        out.append(Generated(model_name, ("request", *deps)))
    except Unknown as exc:
        if not bound(factory_name):
            out.append(Generated(factory_name, ("request",)))
        unknown = "the names of the model fixture and its attribute fixtures are unknown"
        return tuple(out), f"register({factory.cls.name}): {exc}; {unknown}"
    return tuple(out), None


def model_name_of(factory: FactoryClass) -> str:
    """``get_model_name``: ``Meta.model`` of the factory or its nearest base that sets it."""
    for klass in factory.lineage:
        meta = _member(klass, "Meta")
        if meta is None or meta.cls is None:
            continue
        model = _member(meta.cls, "model")
        if model is None:
            continue
        value = _binding_value(model)
        if value is None:
            raise Unknown(f"{klass.name}.Meta.model is not a name or a string")
        if value.kind == "str":
            return value.text
        if value.kind == "call" and value.text.rsplit(".", 1)[-1] == "named_model":
            if len(value.args) > 1 and value.args[1].kind == "str":
                return value.args[1].text  # named_model(Model, "Name") makes a class of that name
            raise Unknown(f"{klass.name}.Meta.model is a named_model(...) without a literal name")
        if value.kind == "name":
            found = factory.lookup(value.text)
            return underscore(found.cls.name if found is not None else value.text.rsplit(".", 1)[-1])
        raise Unknown(f"{klass.name}.Meta.model is computed ({value.text})")
    raise Unknown(f"{factory.cls.name} has no Meta.model")


def _member(klass: ClassInfo, name: str) -> Binding | None:
    found = None
    for binding in klass.body:
        if binding.name == name:
            found = binding
    return found


def _binding_value(binding: Binding) -> ValueInfo | None:
    if binding.value is not None:
        return binding.value
    if binding.kind == "alias" and binding.attr:
        return ValueInfo("name", binding.attr)
    return None


def _declarations(factory: FactoryClass) -> dict[str, ValueInfo | None]:
    """factory_boy's declarations: public class attributes, bases first, then ``Params``."""
    out: dict[str, ValueInfo | None] = {}
    params: dict[str, ValueInfo | None] = {}
    for klass in reversed(factory.lineage):
        for binding in klass.body:
            if binding.kind in _NOT_DECLARATIONS or binding.name.startswith("_"):
                continue
            if binding.name == "Params" and binding.cls is not None:
                for param in binding.cls.body:
                    if param.kind not in _NOT_DECLARATIONS and not param.name.startswith("_"):
                        params[param.name] = _binding_value(param)
                continue
            if binding.name == "Meta" or (binding.func is not None and binding.func.is_staticmethod):
                continue
            out[binding.name] = _binding_value(binding)
    for name, value in params.items():
        if value is not None and value.kind == "call" and value.text.rsplit(".", 1)[-1] == "Trait":
            for field, new in value.keywords:
                out[field] = new
        else:
            out[name] = value
    return out


def _callee(value: ValueInfo | None) -> str:
    return value.text.rsplit(".", 1)[-1] if value is not None and value.kind == "call" else ""


def _attr_deps(value: ValueInfo | None, factory: FactoryClass) -> tuple[str, ...]:
    """``make_declaration_fixturedef``: what the fixture of one declaration requests."""
    callee = _callee(value)
    if callee in ("SubFactory", "RelatedFactory") and value is not None:
        sub = _subfactory(value, factory)
        sub_model = model_name_of(sub)
        sub_declarations = _declarations(sub)
        parent_model = model_name_of(factory)
        deps = list(_deps(sub_declarations, sub_model, parent_model, sub.lookup))
        deps.append(sub_model)
        return tuple(deps)
    if callee == "LazyFixture" and value is not None and value.args:
        if value.args[0].kind == "str":
            return (value.args[0].text,)
        raise Unknown(f"LazyFixture({value.args[0].text}) does not name a fixture literally")
    return ()


def _subfactory(value: ValueInfo, factory: FactoryClass) -> FactoryClass:
    target = value.args[0] if value.args else dict(value.keywords).get("factory")
    if target is None:
        raise Unknown(f"{value.text}() without a factory")
    if target.kind == "name":
        found = factory.lookup(target.text)
        if found is not None:
            return found
    raise Unknown(f"the factory of {value.text}({target.text}) cannot be read")


def _deps(
    declarations: dict[str, ValueInfo | None], model_name: str, parent_model: str | None, lookup: Lookup
) -> tuple[str, ...]:
    """``get_deps``: ``<model>__<attr>`` for every declaration except RelatedFactory ones and a
    SubFactory pointing back at the parent's model."""
    out = []
    for attr, value in declarations.items():
        callee = _callee(value)
        if callee == "RelatedFactory":
            continue
        if callee == "SubFactory" and parent_model is not None and value is not None:
            target = value.args[0] if value.args else None
            sub = lookup(target.text) if target is not None and target.kind == "name" else None
            if sub is not None and model_name_of(sub) == parent_model:
                continue
        out.append(SEPARATOR.join((model_name, attr)))
    return tuple(out)
