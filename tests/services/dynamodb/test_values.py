"""Unit tests for DynamoDB attribute values: validation, numbers, comparison, sizes, sort keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb.values import (
    canonical_number,
    compare,
    item_size,
    number_sort_key,
    validate_item,
    validate_value,
    value_size,
    values_equal,
)

INVALID = "One or more parameter values were invalid: "


def error_of(value: Any) -> str:
    with pytest.raises(ServiceError) as info:
        validate_value(value, "a")
    assert info.value.code == "ValidationException"
    assert info.value.status == 400
    return info.value.message


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1.50", "1.5"),
        ("-0", "0"),
        ("0.000", "0"),
        ("1E+2", "100"),
        ("1e2", "100"),
        ("+7", "7"),
        ("007.100", "7.1"),
        (".5", "0.5"),
        ("5.", "5"),
        ("-12.3400e-2", "-0.1234"),
        ("1E-130", "0." + "0" * 129 + "1"),
        (
            "9.9999999999999999999999999999999999999E+125",
            "99999999999999999999999999999999999999" + "0" * 88,
        ),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
        (
            "1234567890123456789012345678901234567800000",
            "1234567890123456789012345678901234567800000",
        ),
    ],
)
def test_numbers_are_canonical(text: str, canonical: str) -> None:
    assert canonical_number(text) == canonical
    assert validate_value({"N": text}, "a") == {"N": canonical}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The parameter cannot be converted to a numeric value"),
        ("b", "The parameter cannot be converted to a numeric value: b"),
        ("1 ", "The parameter cannot be converted to a numeric value: 1 "),
        ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
        ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
        ("1_000", "The parameter cannot be converted to a numeric value: 1_000"),
        ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
        (
            "123456789012345678901234567890123456789",
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            "-1.23456789012345678901234567890123456789",
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            "1e126",
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range",
        ),
        (
            "-1e126",
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range",
        ),
        (
            "1e-131",
            "Number underflow. Attempting to store a number with "
            "magnitude smaller than supported range",
        ),
        (
            "-1e-131",
            "Number underflow. Attempting to store a number with "
            "magnitude smaller than supported range",
        ),
    ],
)
def test_bad_numbers(text: str, message: str) -> None:
    assert error_of({"N": text}) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes",
        ),
        ({"S": "a", "N": "b"}, "The parameter cannot be converted to a numeric value: b"),
        ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
        ({"SS": []}, INVALID + "An string set  may not be empty"),
        ({"NS": []}, INVALID + "An number set  may not be empty"),
        ({"BS": []}, INVALID + "Binary sets should not be empty"),
        ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
        (
            {"BS": [b"b", b"b"]},
            INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates.",
        ),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"NS": ["1", "b"]}, "The parameter cannot be converted to a numeric value: b"),
        ({"M": {"x": {"SS": []}}}, INVALID + "An string set  may not be empty"),
        (
            {"L": [{"N": "1e200"}]},
            "Number overflow. Attempting to store a number with magnitude "
            "larger than supported range",
        ),
    ],
)
def test_invalid_values(value: Any, message: str) -> None:
    assert error_of(value) == message


def test_nesting_limit() -> None:
    value: dict[str, Any] = {"S": "x"}
    for _ in range(32):
        value = {"L": [value]}
    validate_value(value, "a")
    assert error_of({"M": {"deep": value}}).startswith("Nesting Levels have exceeded")


def test_validate_item_canonicalises_nested_numbers() -> None:
    item = {
        "n": {"N": "1.50"},
        "m": {"M": {"x": {"NS": ["01", "2.0"]}}},
        "l": {"L": [{"N": "-0.0"}, {"S": ""}, {"B": b""}, {"BOOL": False}, {"NULL": True}]},
    }
    assert validate_item(item) == {
        "n": {"N": "1.5"},
        "m": {"M": {"x": {"NS": ["1", "2"]}}},
        "l": {"L": [{"N": "0"}, {"S": ""}, {"B": b""}, {"BOOL": False}, {"NULL": True}]},
    }


def test_compare() -> None:
    assert compare({"N": "10"}, {"N": "9"}) == 1
    assert compare({"N": "-1"}, {"N": "1E-5"}) == -1
    assert compare({"N": "1.0"}, {"N": "1"}) == 0
    assert compare({"S": "a"}, {"S": "b"}) == -1
    assert compare({"S": "Z"}, {"S": "a"}) == -1
    assert compare({"S": "\uffff"}, {"S": "\U0001f600"}) == -1  # UTF-8 byte order
    assert compare({"B": b"\xff"}, {"B": b"\x00\x01"}) == 1
    assert compare({"S": "1"}, {"N": "1"}) is None
    assert compare({"SS": ["a"]}, {"SS": ["a"]}) is None


def test_values_equal() -> None:
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"NS": ["1", "2"]}, {"NS": ["2.0", "1"]})
    assert values_equal({"N": "1.0"}, {"N": "1"})
    assert values_equal({"M": {"a": {"L": [{"N": "1"}]}}}, {"M": {"a": {"L": [{"N": "1.00"}]}}})
    assert not values_equal({"L": [{"N": "1"}, {"N": "2"}]}, {"L": [{"N": "2"}, {"N": "1"}]})
    assert not values_equal({"S": "1"}, {"N": "1"})
    assert not values_equal({"S": "1"}, None)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "abc"}, 3),
        ({"S": "é"}, 2),
        ({"B": b"\x00\x01"}, 2),
        ({"BOOL": True}, 1),
        ({"NULL": True}, 1),
        ({"N": "0"}, 1),
        ({"N": "1"}, 2),
        ({"N": "12"}, 2),
        ({"N": "1.2"}, 3),
        ({"N": "123"}, 3),
        ({"N": "-1"}, 3),
        ({"SS": ["ab", "c"]}, 3),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + 1 + 2 + 1 + 2),
        ({"M": {"ab": {"S": "c"}}}, 3 + 1 + 2 + 1),
        ({"L": []}, 3),
    ],
)
def test_value_size(value: dict[str, Any], size: int) -> None:
    assert value_size(value) == size


def test_item_size_counts_names() -> None:
    assert item_size({"name": {"S": "abc"}, "é": {"BOOL": True}}) == 4 + 3 + 2 + 1


def canonical_numbers() -> st.SearchStrategy[str]:
    digits = st.integers(min_value=1, max_value=10**38 - 1)
    exponent = st.integers(min_value=-130, max_value=88)
    signs = st.sampled_from([1, -1])
    return st.one_of(
        st.just("0"),
        st.builds(
            lambda d, e, s: canonical_number(str(Decimal(s * d).scaleb(e))), digits, exponent, signs
        ),
        st.builds(lambda n: canonical_number(str(n)), st.integers(-(10**6), 10**6)),
    )


@given(canonical_numbers(), canonical_numbers())
def test_number_sort_key_preserves_order(a: str, b: str) -> None:
    x, y = Decimal(a), Decimal(b)
    ka, kb = number_sort_key(a), number_sort_key(b)
    assert (ka < kb) == (x < y)
    assert (ka == kb) == (x == y)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_canonical_form_is_stable(number: Decimal) -> None:
    try:
        text = canonical_number(str(number))
    except ServiceError:
        return
    assert Decimal(text) == number
    assert canonical_number(text) == text
    assert "E" not in text and "e" not in text
    if "." in text:
        assert not text.endswith("0")
    assert not text.lstrip("-").startswith("00")


JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=5),
        st.binary(max_size=3),
        st.sampled_from(["1", "-0.5e3", "1e999", "x", ""]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS", "X"]),
            inner,
            max_size=2,
        ),
    ),
    max_leaves=12,
)


@given(JUNK)
def test_any_input_is_accepted_or_rejected_cleanly(value: Any) -> None:
    try:
        checked = validate_value(value, "a")
    except ServiceError as exc:
        assert exc.code == "ValidationException"
        return
    assert validate_value(checked, "a") == checked
    assert value_size(checked) >= 0
    assert values_equal(checked, checked)
