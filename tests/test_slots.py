"""slot_setters: the setters of a slotted dataclass's fields, refused for any other class."""

from dataclasses import dataclass

import pytest

from iku_excel.slots import slot_setters


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
