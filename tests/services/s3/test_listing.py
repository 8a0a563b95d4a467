"""ListObjectsV2 and ListObjects: order, prefixes, delimiters, paging and URL encoding."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError


def fill(s3: Any, bucket: str, keys: list[str]) -> None:
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")


def keys_of(page: dict[str, Any]) -> list[str]:
    return [o["Key"] for o in page.get("Contents", [])]


def prefixes_of(page: dict[str, Any]) -> list[str]:
    return [p["Prefix"] for p in page.get("CommonPrefixes", [])]


def test_keys_list_in_utf8_byte_order(s3: Any, bucket: str) -> None:
    keys = ["b", "a", "B", "é", "z", "ab", "a/b", "\u00ff", "\u4e2d", "\U0001f600"]
    fill(s3, bucket, keys)
    page = s3.list_objects_v2(Bucket=bucket)
    assert keys_of(page) == sorted(keys, key=lambda k: k.encode("utf-8"))
    assert page["KeyCount"] == len(keys)
    assert page["IsTruncated"] is False


def test_reversed_timestamps_list_newest_first(s3: Any, bucket: str) -> None:
    stamps = [1_700_000_000, 1_700_000_100, 1_700_000_050]
    fill(s3, bucket, [f"events/{9_999_999_999 - t:010d}" for t in stamps])
    listed = keys_of(s3.list_objects_v2(Bucket=bucket, Prefix="events/"))
    newest_first = [f"events/{9_999_999_999 - t:010d}" for t in sorted(stamps, reverse=True)]
    assert listed == newest_first


def test_prefix_and_delimiter(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg",
                      "photos/top.jpg", "photosx", "readme"])  # fmt: skip
    root = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert keys_of(root) == ["photosx", "readme"]
    assert prefixes_of(root) == ["photos/"]
    inner = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert keys_of(inner) == ["photos/top.jpg"]
    assert prefixes_of(inner) == ["photos/2024/", "photos/2025/"]
    assert inner["KeyCount"] == 3
    assert keys_of(s3.list_objects_v2(Bucket=bucket, Prefix="photos/2024/")) == [
        "photos/2024/a.jpg",
        "photos/2024/b.jpg",
    ]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="nothing")["KeyCount"] == 0


def test_pagination_with_continuation_tokens(s3: Any, bucket: str) -> None:
    keys = [f"k{i:03d}" for i in range(25)]
    fill(s3, bucket, keys)
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"Bucket": bucket, "MaxKeys": 10}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages += 1
        seen += keys_of(page)
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
    assert seen == keys
    assert pages == 3


def test_paginator_mixes_keys_and_common_prefixes(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["a/1", "a/2", "b", "c/1", "d", "e/1", "e/2", "f"])
    paginator = s3.get_paginator("list_objects_v2")
    keys: list[str] = []
    prefixes: list[str] = []
    for page in paginator.paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}):
        assert page["KeyCount"] <= 2
        keys += keys_of(page)
        prefixes += prefixes_of(page)
    assert keys == ["b", "d", "f"]
    assert prefixes == ["a/", "c/", "e/"]


def test_start_after(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["a", "b", "c", "d/1", "d/2", "e"])
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="b")
    assert keys_of(page) == ["c", "d/1", "d/2", "e"]
    assert page["StartAfter"] == "b"
    # a start-after equal to a common prefix skips that prefix
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="d/", Delimiter="/")
    assert keys_of(page) == ["e"]
    assert prefixes_of(page) == []


def test_max_keys_zero(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["a"])
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert page["KeyCount"] == 0
    assert page["MaxKeys"] == 0


def test_fetch_owner(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["a"])
    assert "Owner" not in s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    owned = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]
    assert len(owned["Owner"]["ID"]) == 64


def test_contents_describe_each_object(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="obj", Body=b"12345")["ETag"]
    item = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert item["ETag"] == etag
    assert item["Size"] == 5
    assert item["StorageClass"] == "STANDARD"
    assert item["LastModified"].tzinfo is not None


def test_url_encoding_round_trips_awkward_keys(s3: Any, bucket: str) -> None:
    keys = ["a b", "plus+sign", "percent%20", "amp&ersand", "ünï/cødé", "tab\tkey"]
    fill(s3, bucket, keys)
    # boto3 asks for encoding-type=url and decodes the answer
    listed = keys_of(s3.list_objects_v2(Bucket=bucket))
    assert listed == sorted(keys, key=lambda k: k.encode())
    assert prefixes_of(s3.list_objects_v2(Bucket=bucket, Delimiter="/")) == ["ünï/"]


def test_list_objects_v1_with_marker(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["a", "b", "c", "d/1", "d/2"])
    page = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert keys_of(page) == ["a", "b"]
    assert page["IsTruncated"] is True
    assert "NextMarker" not in page
    assert "Owner" in page["Contents"][0]
    page = s3.list_objects(Bucket=bucket, Marker="b")
    assert keys_of(page) == ["c", "d/1", "d/2"]
    page = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=3)
    assert keys_of(page) == ["a", "b", "c"]
    assert page["NextMarker"] == "c"
    page = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=page["NextMarker"])
    assert prefixes_of(page) == ["d/"]
    assert page["IsTruncated"] is False


def test_listing_errors(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket + "-missing")
    assert exc.value.response["Error"]["Code"] == "NoSuchBucket"
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="@@not-a-token@@")
    assert exc.value.response["Error"]["Code"] == "InvalidArgument"


def test_url_encoding_covers_every_echoed_element(kumo: Any, s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["d ir/a\x01", "d ir/b c", "d ir/sub/x", "d ir/z"])
    base = f"{kumo.url}/{bucket}"
    v2 = requests.get(
        base,
        params={"list-type": "2", "encoding-type": "url", "prefix": "d ir/",
                "start-after": "d ir/a\x01", "delimiter": "/", "max-keys": "1"},
        timeout=10,
    ).text  # fmt: skip
    assert "<Prefix>d%20ir/</Prefix>" in v2
    assert "<StartAfter>d%20ir/a%01</StartAfter>" in v2
    assert "<Key>d%20ir/b%20c</Key>" in v2
    assert "<IsTruncated>true</IsTruncated>" in v2
    v1 = requests.get(
        base,
        params={"encoding-type": "url", "prefix": "d ir/", "marker": "d ir/b c",
                "delimiter": "/", "max-keys": "1"},
        timeout=10,
    ).text  # fmt: skip
    assert "<Marker>d%20ir/b%20c</Marker>" in v1
    assert "<CommonPrefixes><Prefix>d%20ir/sub/</Prefix></CommonPrefixes>" in v1
    assert "<NextMarker>d%20ir/sub/</NextMarker>" in v1
    # boto3 decodes all of them back
    page = s3.list_objects(Bucket=bucket, Prefix="d ir/", Marker="d ir/b c", Delimiter="/")
    assert page["Marker"] == "d ir/b c"
    assert prefixes_of(page) == ["d ir/sub/"]
    assert keys_of(page) == ["d ir/z"]
    wrong = requests.get(base, params={"encoding-type": "base64"}, timeout=10)
    assert wrong.status_code == 400 and "<Code>InvalidArgument</Code>" in wrong.text
