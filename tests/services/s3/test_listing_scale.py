"""Listing a narrow prefix among many keys is a range scan of the keys under it, and a
delimiter jumps over every key under a common prefix instead of reading them.

The evidence is the number of index rows a listing visits, counted through a transaction
wrapper; the same bucket is then listed through the wire to show the answers agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from kumo.services.s3 import listing
from kumo.services.s3 import store as db
from kumo.services.s3.models import S3Object
from kumo.storage.base import Tx

DAYS = 20
PER_DAY = 1000  # 20,000 keys in all


class CountingTx:
    """A read transaction that counts the rows its scans hand out."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx
        self.rows = 0

    def scan(self, table: str, **kwargs: Any) -> Iterator[tuple[bytes, Any]]:
        for row in self._tx.scan(table, **kwargs):
            self.rows += 1
            yield row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


def _key(day: int, n: int) -> str:
    return f"logs/day={day:02d}/{n:05d}.json"


@pytest.fixture(scope="module")
def crowded(kumo: Any) -> Iterator[str]:
    """A bucket of 20,000 keys, written straight into the index (20,000 PUTs over HTTP
    would only slow the test down)."""
    name = "kumo-test-crowded-listing"
    client = boto3.client(
        "s3", endpoint_url=kumo.url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    client.create_bucket(Bucket=name)
    store = kumo.platform.store

    def fill(tx: Tx) -> None:
        for day in range(DAYS):
            for n in range(PER_DAY):
                k = _key(day, n)
                obj = S3Object(key=k, blob="", size=0, etag='"d41d8cd98f00b204e9800998ecf8427e"',
                               last_modified=0.0)  # fmt: skip
                db.put_object(tx, name, obj)

    store.write(fill)
    yield name

    def empty(tx: Tx) -> None:
        for day in range(DAYS):
            for n in range(PER_DAY):
                db.delete_object(tx, name, _key(day, n))

    store.write(empty)
    client.delete_bucket(Bucket=name)


def _visited(kumo: Any, bucket: str, **kwargs: Any) -> tuple[int, listing.Page]:
    def run(tx: Tx) -> tuple[int, listing.Page]:
        counting = CountingTx(tx)
        page = listing.list_page(counting, bucket, **kwargs)  # type: ignore[arg-type]
        return counting.rows, page

    result: tuple[int, listing.Page] = kumo.platform.store.read(run)
    return result


def test_a_narrow_prefix_reads_only_its_keys(kumo: Any, crowded: str) -> None:
    rows, page = _visited(
        kumo, crowded, prefix="logs/day=13/0004", delimiter=None, after=None, max_keys=1000
    )
    assert [o.key for o in page.contents] == [_key(13, n) for n in range(40, 50)]
    assert rows == 10  # the ten keys under the prefix, not the 20,000 in the bucket


def test_a_page_stops_at_max_keys(kumo: Any, crowded: str) -> None:
    rows, page = _visited(
        kumo, crowded, prefix="logs/", delimiter=None, after=_key(7, 500), max_keys=5
    )
    assert [o.key for o in page.contents] == [_key(7, n) for n in range(501, 506)]
    assert page.truncated
    assert rows <= 6  # the page and the one row that shows there is more


def test_a_delimiter_jumps_over_common_prefixes(kumo: Any, crowded: str) -> None:
    rows, page = _visited(kumo, crowded, prefix="logs/", delimiter="/", after=None, max_keys=1000)
    assert page.common_prefixes == [f"logs/day={d:02d}/" for d in range(DAYS)]
    assert rows == DAYS  # one row per common prefix


def test_the_wire_agrees(s3: Any, crowded: str) -> None:
    narrow = s3.list_objects_v2(Bucket=crowded, Prefix="logs/day=13/0004")
    assert [o["Key"] for o in narrow["Contents"]] == [_key(13, n) for n in range(40, 50)]
    days = s3.list_objects_v2(Bucket=crowded, Prefix="logs/", Delimiter="/")
    assert len(days["CommonPrefixes"]) == DAYS
    page = s3.list_objects_v2(Bucket=crowded, StartAfter=_key(19, 997))
    assert [o["Key"] for o in page["Contents"]] == [_key(19, 998), _key(19, 999)]
    first = s3.list_objects_v2(Bucket=crowded, MaxKeys=1000)
    assert first["IsTruncated"] and first["KeyCount"] == 1000
    second = s3.list_objects_v2(
        Bucket=crowded, MaxKeys=1000, ContinuationToken=first["NextContinuationToken"]
    )
    assert second["Contents"][0]["Key"] == _key(1, 0)
