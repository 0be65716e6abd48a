"""Building a frozen, slotted dataclass on a hot path without its generated ``__init__``.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (its own
``__setattr__`` refuses), which costs about twice what a slot's descriptor costs; a refresh of
20,000 indicators builds about a million small values (cells read, numbers parsed, cells
described). The modules that build those (``model.cell_value``, ``numbers.plain_number``,
``capaian``, ``sheets.spec.cell_spec``, ``sheets.formulas``) take each field's setter from
:func:`slot_setters` once, at import, unpacked into one name per field, and build an instance
as ``obj = object.__new__(cls)`` followed by one setter call per field. Their tests hold each
built value equal to the one the ordinary constructor builds. Pure module: standard library only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from types import MemberDescriptorType
from typing import Any, TypeVar

T = TypeVar("T")


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The ``__set__`` of each field's slot of the slotted dataclass ``cls``, in field order.

    Callers unpack the tuple into one name per field, so a field added to ``cls`` fails their
    import instead of leaving a slot unset. TypeError for a class that is not a slotted
    dataclass (its fields would have no slot descriptors)."""
    setters = []
    for field in fields(cls):
        descriptor = cls.__dict__.get(field.name)
        if not isinstance(descriptor, MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{field.name} is not a slot")
        setters.append(descriptor.__set__)
    return tuple(setters)


def slot_builder(cls: type[T]) -> Callable[..., T]:
    """A function building ``cls`` from keyword arguments as its ``__init__`` does (the same
    defaults; a ``default_factory`` called when its field is not given), one slot setter call
    per field instead of ``object.__setattr__``: about a third less time for a class of twenty
    fields (an indicator, its result, an RPJMD row: 60,000 of them in a 20,000-indicator
    refresh). Compiled on the first call for ``cls`` and kept, so importing costs nothing.
    TypeError for a class :func:`slot_setters` refuses, one with a ``__post_init__`` (which
    the builder would skip), a field ``__init__`` does not take (``init=False``), or a field
    named ``obj`` or starting with ``_`` (names the compiled body uses)."""
    build = _BUILDERS.get(cls)
    if build is None:
        build = _BUILDERS[cls] = _compiled_builder(cls)
    return build


_BUILDERS: dict[type, Callable[..., Any]] = {}
_UNSET = object()


def _compiled_builder(cls: type) -> Callable[..., Any]:
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    for item in fields(cls):  # what __init__ does not take, or a name the body uses itself
        if not item.init or item.name == "obj" or item.name.startswith("_"):
            raise TypeError(f"{cls.__name__}.{item.name}: no slot builder for this field")
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_unset": _UNSET}
    params: list[str] = []
    lines = ["    obj = _new(_cls)"]
    for i, (item, setter) in enumerate(zip(fields(cls), slot_setters(cls), strict=True)):
        scope[f"_set{i}"] = setter
        if item.default is not MISSING:
            scope[f"_default{i}"] = item.default
            params.append(f"{item.name}=_default{i}")
        elif item.default_factory is not MISSING:
            scope[f"_factory{i}"] = item.default_factory
            params.append(f"{item.name}=_unset")
            lines.append(f"    if {item.name} is _unset:\n        {item.name} = _factory{i}()")
        else:
            params.append(item.name)
        lines.append(f"    _set{i}(obj, {item.name})")
    source = f"def build(*, {', '.join(params)}):\n" + "\n".join(lines) + "\n    return obj\n"
    exec(source, scope)
    build: Callable[..., Any] = scope["build"]
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    return build
