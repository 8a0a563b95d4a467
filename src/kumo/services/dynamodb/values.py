"""DynamoDB attribute values: validation, canonical numbers, comparison, sizes, sort keys.

Values are in wire form, one-key dicts such as ``{"S": "x"}`` or ``{"NS": ["1", "2"]}`` with
binary already decoded to ``bytes``. Everything here is pure: no storage, no HTTP. Errors are
DynamoDB's ``ValidationException`` messages, word for word (clients and tests match them).
"""

from __future__ import annotations

import base64
import decimal
import re
from decimal import Decimal
from typing import Any

from kumo.aws.errors import ServiceError

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})
SCALAR_TYPES = frozenset({"S", "N", "B"})
SET_TYPES = frozenset({"SS", "NS", "BS"})

MAX_ITEM_SIZE = 400 * 1024
MAX_NESTING = 32
MAX_DIGITS = 38
# Adjusted exponent (power of ten of the leading digit) DynamoDB accepts: 1E-130 .. 9.99E+125.
MAX_EXPONENT = 125
MIN_EXPONENT = -130

_PREFIX = "One or more parameter values were invalid: "
_EMPTY_VALUE = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
_MANY_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
_NOT_NUMERIC = "The parameter cannot be converted to a numeric value"
_OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
_UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
_PRECISION = "Attempting to store more than 38 significant digits in a Number"
_NESTING = (
    "Nesting Levels have exceeded supported limits: "
    "Attributes in the item have nested levels beyond supported limit"
)
_EMPTY_SET = {
    "SS": _PREFIX + "An string set  may not be empty",
    "NS": _PREFIX + "An number set  may not be empty",
    "BS": _PREFIX + "Binary sets should not be empty",
}

# Java's BigDecimal grammar, which DynamoDB's number parser follows: no spaces, no NaN/Infinity.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
# Wide enough that no arithmetic on valid numbers (38 digits, exponents -130..125) rounds.
_CONTEXT = decimal.Context(prec=400, Emax=999_999, Emin=-999_999, traps=[decimal.InvalidOperation])


def validation_error(message: str) -> ServiceError:
    """DynamoDB's ValidationException with ``message``."""
    return ServiceError(message, code="ValidationException", status=400)


# ---------------------------------------------------------------------------------- numbers


def parse_number(text: Any) -> Decimal:
    """The exact decimal of a wire number string, or DynamoDB's error when it is not one."""
    if not isinstance(text, str) or not text:
        raise validation_error(_NOT_NUMERIC)
    if not _NUMBER_RE.fullmatch(text):
        raise validation_error(f"{_NOT_NUMERIC}: {text}")
    return Decimal(text)


def check_number(number: Decimal) -> str:
    """Range- and precision-check ``number`` and return its canonical string."""
    if not number:
        return "0"
    sign, digits, exponent = number.normalize(_CONTEXT).as_tuple()
    assert isinstance(exponent, int)
    adjusted = exponent + len(digits) - 1
    if adjusted > MAX_EXPONENT:
        raise validation_error(_OVERFLOW)
    if adjusted < MIN_EXPONENT:
        raise validation_error(_UNDERFLOW)
    if len(digits) > MAX_DIGITS:
        raise validation_error(_PRECISION)
    text = "".join(map(str, digits))
    if exponent >= 0:
        text += "0" * exponent
    elif -exponent >= len(text):
        text = "0." + "0" * (-exponent - len(text)) + text
    else:
        text = text[:exponent] + "." + text[exponent:]
    return "-" + text if sign else text


def canonical_number(text: Any) -> str:
    """DynamoDB's canonical form of a number string ("1.50" -> "1.5", "1E+2" -> "100")."""
    return check_number(parse_number(text))


def to_decimal(text: str) -> Decimal:
    """The decimal of an already validated number string."""
    return Decimal(text)


def add_numbers(a: str, b: str, subtract: bool = False) -> str:
    """``a + b`` (or ``a - b``) exactly, checked against DynamoDB's number limits."""
    x, y = Decimal(a), Decimal(b)
    result = _CONTEXT.subtract(x, y) if subtract else _CONTEXT.add(x, y)
    return check_number(result)


# ------------------------------------------------------------------------------- validation


def value_type(value: AttributeValue) -> str:
    """The type key of a (valid) attribute value."""
    return next(iter(value))


def _collection(members: list[Any]) -> str:
    return "[" + ", ".join(str(m) for m in members) + "]"


def validate_value(value: Any, path_hint: str = "", _depth: int = 0) -> AttributeValue:
    """Check one attribute value as DynamoDB does; return it with numbers canonical.

    ``path_hint`` names where the value came from; it is not part of DynamoDB's messages.
    """
    if _depth > MAX_NESTING:
        raise validation_error(_NESTING)
    if not isinstance(value, dict) or not value:
        raise validation_error(_EMPTY_VALUE)
    known = [t for t in value if t in TYPES and value[t] is not None]
    if not known:
        raise validation_error(_EMPTY_VALUE)
    if len(known) > 1:
        # DynamoDB reports a bad number before noticing the extra type.
        if "N" in known:
            parse_number(value["N"])
        raise validation_error(_MANY_TYPES)
    kind = known[0]
    data = value[kind]
    if kind == "S":
        if not isinstance(data, str):
            raise validation_error(_EMPTY_VALUE)
        return {"S": data}
    if kind == "N":
        return {"N": canonical_number(data)}
    if kind == "B":
        if not isinstance(data, bytes | bytearray):
            raise validation_error(_EMPTY_VALUE)
        return {"B": bytes(data)}
    if kind == "BOOL":
        if not isinstance(data, bool):
            raise validation_error(_EMPTY_VALUE)
        return {"BOOL": data}
    if kind == "NULL":
        if data is not True:
            raise validation_error(
                _PREFIX + "Null attribute value types must have the value of true"
            )
        return {"NULL": True}
    if kind == "M":
        if not isinstance(data, dict):
            raise validation_error(_EMPTY_VALUE)
        return {
            "M": {
                str(k): validate_value(v, f"{path_hint}.{k}", _depth + 1) for k, v in data.items()
            }
        }
    if kind == "L":
        if not isinstance(data, list):
            raise validation_error(_EMPTY_VALUE)
        return {
            "L": [validate_value(v, f"{path_hint}[{i}]", _depth + 1) for i, v in enumerate(data)]
        }
    return {kind: _validate_set(kind, data)}


def _validate_set(kind: str, data: Any) -> list[Any]:
    if not isinstance(data, list) or not data:
        raise validation_error(_EMPTY_SET[kind])
    if kind == "SS":
        if not all(isinstance(m, str) for m in data):
            raise validation_error(_EMPTY_VALUE)
        if len(set(data)) != len(data):
            raise validation_error(
                _PREFIX + f"Input collection {_collection(data)} contains duplicates."
            )
        return list(data)
    if kind == "BS":
        if not all(isinstance(m, bytes | bytearray) for m in data):
            raise validation_error(_EMPTY_VALUE)
        members = [bytes(m) for m in data]
        if len(set(members)) != len(members):
            shown = _collection([base64.b64encode(m).decode() for m in members])
            raise validation_error(
                _PREFIX + f"Input collection {shown}of type BS contains duplicates."
            )
        return members
    numbers = [canonical_number(m) for m in data]
    if len(set(numbers)) != len(numbers):
        raise validation_error("Input collection contains duplicates")
    return numbers


def validate_item(item: Any) -> Item:
    """Check every attribute of an item; return it with numbers canonical."""
    if not isinstance(item, dict):
        raise validation_error(_EMPTY_VALUE)
    return {str(name): validate_value(value, str(name)) for name, value in item.items()}


# ------------------------------------------------------------------------------- comparison


def compare(a: AttributeValue, b: AttributeValue) -> int | None:
    """-1/0/1 for two values of the same scalar type (S, N or B); None otherwise.

    Strings compare by their UTF-8 bytes (the same order as code points), binaries as
    unsigned bytes, numbers numerically.
    """
    ta, tb = value_type(a), value_type(b)
    if ta != tb or ta not in SCALAR_TYPES:
        return None
    x: Any
    y: Any
    if ta == "N":
        x, y = Decimal(a["N"]), Decimal(b["N"])
    else:
        x, y = a[ta], b[tb]
    return (x > y) - (x < y)


def values_equal(a: AttributeValue | None, b: AttributeValue | None) -> bool:
    """Deep equality as DynamoDB sees it: sets unordered, numbers by value."""
    if a is None or b is None:
        return a is b
    ta, tb = value_type(a), value_type(b)
    if ta != tb:
        return False
    if ta == "N":
        return Decimal(a["N"]) == Decimal(b["N"])
    if ta == "NS":
        return {Decimal(n) for n in a["NS"]} == {Decimal(n) for n in b["NS"]}
    if ta in ("SS", "BS"):
        return set(a[ta]) == set(b[tb])
    if ta == "L":
        la, lb = a["L"], b["L"]
        return len(la) == len(lb) and all(values_equal(x, y) for x, y in zip(la, lb, strict=True))
    if ta == "M":
        ma, mb = a["M"], b["M"]
        return ma.keys() == mb.keys() and all(values_equal(ma[k], mb[k]) for k in ma)
    return bool(a[ta] == b[tb])


# ------------------------------------------------------------------------------------ sizes


def number_size(text: str) -> int:
    """Bytes DynamoDB stores for a number: digit pairs packed per byte, plus an exponent byte.

    Digits are grouped in pairs aligned on the exponent, so an even count of digits that
    starts at an even exponent spills into one extra byte; negatives take a terminator byte.
    """
    number = Decimal(text)
    if not number:
        return 1
    sign, digits, exponent = number.normalize(_CONTEXT).as_tuple()
    assert isinstance(exponent, int)
    count = len(digits)
    adjusted = exponent + count - 1
    size = 1 + (count + 1) // 2
    if count % 2 == 0 and adjusted % 2 == 0:
        size += 1
    return size + (1 if sign else 0)


def value_size(value: AttributeValue) -> int:
    """Size of one attribute value as DynamoDB counts it against the 400 KB item limit."""
    kind = value_type(value)
    data = value[kind]
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "B":
        return len(data)
    if kind == "N":
        return number_size(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(m.encode("utf-8")) for m in data)
    if kind == "BS":
        return sum(len(m) for m in data)
    if kind == "NS":
        return sum(number_size(m) for m in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    # M: 3 bytes of overhead, one per entry, then each entry as name + value.
    return 3 + len(data) + item_size(data)


def item_size(item: Item) -> int:
    """Size of an item: for each attribute, its name's UTF-8 length plus its value's size."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def check_item_size(
    item: Item, message: str = "Item size has exceeded the maximum allowed size"
) -> None:
    """Raise DynamoDB's error when ``item`` is over 400 KB."""
    if item_size(item) > MAX_ITEM_SIZE:
        raise validation_error(message)


# -------------------------------------------------------------------------------- sort keys


def number_sort_key(text: str) -> bytes:
    """An order-preserving byte encoding of a number string.

    Layout: a sign byte (0x01 negative, 0x02 zero, 0x03 positive), an exponent byte, then one
    byte per significant digit and a terminator. Negatives invert every byte after the sign so
    larger magnitudes sort first; the terminator sorts below every digit for positives (a
    shorter digit string is the smaller magnitude) and above every digit for negatives.
    """
    number = Decimal(text)
    if not number:
        return b"\x02"
    sign, digits, exponent = number.normalize(_CONTEXT).as_tuple()
    assert isinstance(exponent, int)
    adjusted = exponent + len(digits) - 1
    # Offset keeps any exponent a Decimal can carry from valid numbers inside one byte.
    exp_byte = max(0, min(255, adjusted - MIN_EXPONENT))
    if not sign:
        return bytes([0x03, exp_byte, *(d + 1 for d in digits), 0x00])
    return bytes([0x01, 255 - exp_byte, *(10 - d for d in digits), 0xFF])
