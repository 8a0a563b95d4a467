"""Any key S3 allows is stored and returned exactly, and none can reach a file outside
kumo's data dir: blobs are named by ids, never by keys."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus
from xml.etree import ElementTree

import pytest
import requests
from botocore.exceptions import ClientError

NFC = unicodedata.normalize("NFC", "café/ŝ")
NFD = unicodedata.normalize("NFD", "café/ŝ")

KEYS = [
    "../../../../../../etc/passwd-kumo",
    "../outside.txt",
    "a/../../b",
    "./dot",
    "..",
    ".",
    "a//b///c",
    "/leading-slash",
    "//double-leading",
    "trailing/",
    "back\\slash\\..\\..\\x",
    NFC,
    NFD,
    "emoji/😀/🚀.txt",
    "ctl/\x01\x02\x1b\x1f\x7f",
    "ws/tab\there\nnewline\rreturn",
    "query?x=1&y=2#frag",
    "percent%2F%00%zz",
    "sp ace+plus",
    "é" * 512,  # 1024 bytes of UTF-8, the longest key S3 allows
    "x" * 1024,
]


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_awkward_keys_round_trip_and_stay_inside(kumo: Any, s3: Any, bucket: str) -> None:
    assert NFC != NFD
    data_dir = Path(kumo.data_dir).resolve()
    outside = data_dir.parent
    before = {p for p in _files(outside) if not p.startswith(data_dir.name)}
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode("utf-8", "surrogatepass"))
    for key in KEYS:
        got = s3.get_object(Bucket=bucket, Key=key)
        assert got["Body"].read() == key.encode(), repr(key)
        assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == len(key.encode())
    # listing (boto3 asks for encoding-type=url and decodes) gives every key back exactly,
    # in UTF-8 byte order; NFC and NFD forms are two keys
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(KEYS, key=lambda k: k.encode())
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert sorted(v["Key"] for v in versions) == sorted(KEYS)
    # nothing was created or changed beside the data dir, and no file inside it is named
    # after a key
    after = {p for p in _files(outside) if not p.startswith(data_dir.name)}
    assert after == before
    assert not (outside / "outside.txt").exists()
    for path in _files(data_dir):
        assert "passwd" not in path and "outside" not in path and "café" not in path
    # deleting them all leaves the bucket empty; DeleteObjects' XML body cannot carry
    # control characters (XML 1.0 has none, as S3 answers MalformedXML), so those go singly
    plain = [k for k in KEYS if k.isprintable()]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in plain]})
    for key in set(KEYS) - set(plain):
        s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_raw_listing_with_url_encoding(kumo: Any, s3: Any, bucket: str) -> None:
    keys = ["ws/tab\there", "ctl/\x01", NFD, "sp ace+plus", "top\x02"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    raw = requests.get(
        f"{kumo.url}/{bucket}?list-type=2&encoding-type=url&delimiter=/", timeout=10
    ).text
    assert "<EncodingType>url</EncodingType>" in raw
    # keys and prefixes come back percent-encoded, so control characters never reach the
    # XML, and decoding (as botocore does, with unquote_plus) gives them back exactly
    assert "\x01" not in raw and "\x02" not in raw and "\t" not in raw
    found = ElementTree.fromstring(raw)
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    listed = [unquote_plus(e.text or "") for e in found.findall("s3:Contents/s3:Key", ns)]
    prefixes = [
        unquote_plus(e.text or "") for e in found.findall("s3:CommonPrefixes/s3:Prefix", ns)
    ]
    assert listed == sorted(["sp ace+plus", "top\x02"], key=str.encode)
    assert prefixes == sorted(["ws/", "ctl/", NFD.split("/")[0] + "/"], key=str.encode)
    v1 = requests.get(f"{kumo.url}/{bucket}?encoding-type=url&prefix=ctl/", timeout=10).text
    assert "<Key>ctl/%01</Key>" in v1 and "<Prefix>ctl/</Prefix>" in v1


def test_key_length_limit(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="é" * 512 + "x", Body=b"x")  # 1025 bytes
    error = exc.value.response["Error"]
    assert (error["Code"], error["MaxSizeAllowed"]) == ("KeyTooLongError", "1024")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as exc:
        s3.create_multipart_upload(Bucket=bucket, Key="k" * 1025)
    assert exc.value.response["Error"]["Code"] == "KeyTooLongError"
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="k" * 1025, CopySource={"Bucket": bucket, "Key": "a"})
    assert exc.value.response["Error"]["Code"] == "KeyTooLongError"


def test_blobs_are_not_named_after_keys(kumo: Any, s3: Any, bucket: str) -> None:
    marker = "kumo-marker-" + os.urandom(4).hex()
    s3.put_object(Bucket=bucket, Key=f"{marker}/{marker}.bin", Body=b"y" * 100)
    names = _files(Path(kumo.data_dir))
    assert not [n for n in names if marker in n]
