"""Storage keys: their byte order is DynamoDB's order, and range bounds select exactly."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kumo.services.dynamodb import keys as ks
from kumo.services.dynamodb.models import Table
from kumo.services.dynamodb.values import canonical_number

TABLE = Table(
    account="000000000000",
    region="us-east-1",
    name="t",
    id="abc",
    created=0.0,
    hash_key="pk",
    range_key="sk",
    attribute_types={"pk": "S", "sk": "S"},
)

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)
numbers = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=Decimal("-1e30"), max_value=Decimal("1e30")
).map(lambda d: canonical_number(str(d.normalize()) if d else "0"))


@given(texts, texts)
def test_string_keys_order_by_utf8_bytes(a: str, b: str) -> None:
    ka = ks.item_key(TABLE, {"pk": {"S": "p"}, "sk": {"S": a}})
    kb = ks.item_key(TABLE, {"pk": {"S": "p"}, "sk": {"S": b}})
    assert (ka < kb) == (a.encode() < b.encode())
    assert (ka == kb) == (a == b)


@given(numbers, numbers)
def test_number_keys_order_numerically(a: str, b: str) -> None:
    ba, bb = ks.key_bytes({"N": a}), ks.key_bytes({"N": b})
    assert (ba < bb) == (Decimal(a) < Decimal(b))


@settings(max_examples=200)
@given(st.lists(texts, min_size=1, max_size=8, unique=True), texts, texts)
def test_range_bounds_select_exactly(values: list[str], x: str, y: str) -> None:
    prefix = ks.partition_prefix(TABLE, {"S": "p"})
    stored = {v: ks.item_key(TABLE, {"pk": {"S": "p"}, "sk": {"S": v}}) for v in values}
    lo, hi = sorted([x, y], key=str.encode)

    def selected(op: str, args: list[str]) -> set[str]:
        low, high = ks.range_bounds(prefix, op, [{"S": a} for a in args])
        return {v for v, k in stored.items() if k >= low and (high is None or k < high)}

    enc = str.encode
    assert selected("=", [x]) == {v for v in values if v == x}
    assert selected("<", [x]) == {v for v in values if enc(v) < enc(x)}
    assert selected("<=", [x]) == {v for v in values if enc(v) <= enc(x)}
    assert selected(">", [x]) == {v for v in values if enc(v) > enc(x)}
    assert selected(">=", [x]) == {v for v in values if enc(v) >= enc(x)}
    assert selected("BETWEEN", [lo, hi]) == {v for v in values if enc(lo) <= enc(v) <= enc(hi)}
    assert selected("begins_with", [x]) == {v for v in values if enc(v).startswith(enc(x))}
