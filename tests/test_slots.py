"""slot_setters: the setters of a slotted dataclass's fields, refused for any other class;
slot_builder: a keyword constructor through them, equal to the dataclass's own."""

import dataclasses
from dataclasses import dataclass, field

import pytest

from iku_excel.slots import slot_builder, slot_setters


@dataclass(frozen=True, slots=True)
class _Pair:
    left: int
    right: str = "x"


@dataclass(frozen=True)
class _NoSlots:
    left: int


def test_setters_build_what_the_constructor_builds() -> None:
    set_left, set_right = slot_setters(_Pair)
    built: _Pair = object.__new__(_Pair)
    set_left(built, 1)
    set_right(built, "y")
    assert built == _Pair(1, "y") and hash(built) == hash(_Pair(1, "y"))


def test_a_class_without_slots_is_refused() -> None:
    with pytest.raises(TypeError):
        slot_setters(_NoSlots)


@dataclass(frozen=True, slots=True)
class _Defaults:
    first: int
    items: list[int] = field(default_factory=list)
    name: str = "n"


@dataclass(frozen=True, slots=True)
class _Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError(self.value)


def test_builder_builds_what_the_constructor_builds() -> None:
    build = slot_builder(_Defaults)
    assert slot_builder(_Defaults) is build  # compiled once
    assert build(first=1) == _Defaults(1)
    assert build(first=1).items is not build(first=1).items  # a fresh default each time
    assert build(first=2, items=[3], name="m") == _Defaults(2, [3], "m")
    with pytest.raises(dataclasses.FrozenInstanceError):
        build(first=1).first = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        build(1)  # keywords only, as every caller names its fields
    with pytest.raises(TypeError):
        build(name="m")  # a field without a default is required


@dataclass(frozen=True, slots=True)
class _Derived:
    name: str
    size: int = field(default=0, init=False)


@dataclass(frozen=True, slots=True)
class _ObjField:
    obj: int


def test_builder_refuses_what_it_cannot_build_faithfully() -> None:
    for cls in (_NoSlots, _Checked, _Derived, _ObjField):
        with pytest.raises(TypeError):
            slot_builder(cls)


def test_the_model_built_through_slots_equals_the_constructors() -> None:
    """The reader's and evaluation's records built by slot_builder (the refresh's path) equal
    the ones built by their constructors, field by field."""
    from iku_excel.api import check_file
    from iku_excel.model import IkuIndicator, IndicatorResult, RpjmdIndicator
    from iku_excel.template import example_path

    ev = check_file(example_path())
    records = [*ev.workbook.indicators, *ev.workbook.rpjmd, *ev.indicators]
    assert {type(r) for r in records} == {IkuIndicator, RpjmdIndicator, IndicatorResult}
    for record in records:
        fields = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        assert type(record)(**fields) == record
