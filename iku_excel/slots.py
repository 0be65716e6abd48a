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
from dataclasses import fields
from types import MemberDescriptorType
from typing import Any


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
