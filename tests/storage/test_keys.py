"""Composite keys: byte order equals tuple order; decoding inverts encoding."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kumo.storage.keys import KeyPart, decode_key, key, key_prefix, prefix_end

INT64 = st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
PART = st.one_of(INT64, st.text(), st.binary())
PARTS = st.lists(PART, max_size=5).map(tuple)
# a tuple of parts drawn from a few values, so equal prefixes and equal parts are common
SMALL_PART = st.one_of(
    st.sampled_from([-1, 0, 1, 255, 256]),
    st.sampled_from(["", "a", "a\x00", "ab", "b", "\xff", "é"]),
    st.sampled_from([b"", b"\x00", b"\x00\x00", b"\x00\xff", b"\xff", b"a", b"a\x00"]),
)
SMALL_PARTS = st.lists(SMALL_PART, max_size=4).map(tuple)

_RANK = {bytes: 0, str: 1, int: 2}


def model(parts: tuple[KeyPart, ...]) -> tuple[tuple[int, Any], ...]:
    """Tuple order with a fixed order across types (Python orders no mixed types)."""
    return tuple((_RANK[type(p)], p) for p in parts)


def cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


@given(PARTS, PARTS)
def test_byte_order_is_tuple_order(a: tuple[KeyPart, ...], b: tuple[KeyPart, ...]) -> None:
    assert cmp(key(*a), key(*b)) == cmp(model(a), model(b))


@given(SMALL_PARTS, SMALL_PARTS)
def test_byte_order_is_tuple_order_near_collisions(
    a: tuple[KeyPart, ...], b: tuple[KeyPart, ...]
) -> None:
    assert cmp(key(*a), key(*b)) == cmp(model(a), model(b))


@given(PARTS)
def test_decode_inverts_encode(parts: tuple[KeyPart, ...]) -> None:
    assert decode_key(key(*parts)) == parts


@given(PARTS, PARTS)
def test_parent_key_is_prefix_of_child_keys(a: tuple[KeyPart, ...], b: tuple[KeyPart, ...]) -> None:
    assert key(*a, *b).startswith(key(*a))


@given(st.lists(st.text(), max_size=2), st.text(), st.text())
def test_key_prefix_matches_starts_with(head: list[str], partial: str, last: str) -> None:
    full = key(*head, last)
    assert full.startswith(key_prefix(*head, partial)) == last.startswith(partial)


def test_sibling_is_not_under_prefix() -> None:
    assert not key("a", "bc").startswith(key("a", "b"))
    assert key("a", "bc").startswith(key_prefix("a", "b"))


@given(st.binary(max_size=4), st.binary(max_size=6))
def test_prefix_end_bounds_exactly_the_prefixed_keys(prefix: bytes, other: bytes) -> None:
    end = prefix_end(prefix)
    inside = prefix <= other and (end is None or other < end)
    assert inside == other.startswith(prefix)


def test_prefix_end_examples() -> None:
    assert prefix_end(b"ab") == b"ac"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"a\xff\xff") == b"b"
    assert prefix_end(b"\xff\xff") is None
    assert prefix_end(b"") is None


def test_integers_sort_numerically() -> None:
    values = [-(1 << 63), -256, -1, 0, 1, 255, 256, (1 << 63) - 1]
    assert sorted(values, key=lambda v: key(v)) == values


@pytest.mark.parametrize("bad", [1 << 63, -(1 << 63) - 1])
def test_integers_beyond_64_bits_are_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        key(bad)


@pytest.mark.parametrize("bad", [True, 1.5, None])
def test_other_types_are_refused(bad: Any) -> None:
    with pytest.raises(TypeError):
        key(bad)


@pytest.mark.parametrize("data", [b"\x09", b"\x02abc", b"\x03\x00\x01"])
def test_decode_refuses_garbage(data: bytes) -> None:
    with pytest.raises(ValueError):
        decode_key(data)
