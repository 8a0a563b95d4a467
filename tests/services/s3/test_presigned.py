"""Presigned URLs (SigV4 and SigV2's query form) for GET and PUT fetched with plain HTTP,
their expiry, and virtual-hosted addressing (``<bucket>.s3.localhost``, ``<bucket>.localhost``).
"""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.config import Config

V2 = Config(signature_version="s3")
V4 = Config(signature_version="s3v4")


def _client(kumo: Any, config: Config, endpoint: str | None = None) -> Any:
    return boto3.client(
        "s3", endpoint_url=endpoint or kumo.url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test", config=config,
    )  # fmt: skip


@pytest.mark.parametrize("config", [V4, V2], ids=["sigv4", "sigv2"])
def test_presigned_get_and_put(kumo: Any, s3: Any, bucket: str, config: Config) -> None:
    signer = _client(kumo, config)
    put_url = signer.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "dir/a b+c.txt"}, ExpiresIn=300
    )
    assert requests.put(put_url, data=b"uploaded", timeout=10).status_code == 200
    assert s3.get_object(Bucket=bucket, Key="dir/a b+c.txt")["Body"].read() == b"uploaded"
    get_url = signer.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": "dir/a b+c.txt", "ResponseContentType": "text/x"},
        ExpiresIn=300,
    )
    got = requests.get(get_url, timeout=10)
    assert got.status_code == 200
    assert got.content == b"uploaded"
    assert got.headers["Content-Type"] == "text/x"


@pytest.mark.parametrize("config", [V4, V2], ids=["sigv4", "sigv2"])
def test_expired_urls_are_refused(kumo: Any, s3: Any, bucket: str, config: Config) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    signer = _client(kumo, config)
    get_url = signer.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1
    )
    put_url = signer.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1
    )
    assert requests.get(get_url, timeout=10).content == b"secret"
    time.sleep(2.2)
    for response in (
        requests.get(get_url, timeout=10),
        requests.put(put_url, data=b"overwrite", timeout=10),
    ):
        assert response.status_code == 403
        assert "<Code>AccessDenied</Code>" in response.text
        assert "<Message>Request has expired</Message>" in response.text
        assert "<Expires>" in response.text and "<ServerTime>" in response.text
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"


def test_presigned_head_of_missing_key_has_no_body(kumo: Any, bucket: str) -> None:
    url = _client(kumo, V4).generate_presigned_url(
        "head_object", Params={"Bucket": bucket, "Key": "nothing"}
    )
    missing = requests.head(url, timeout=10)
    assert missing.status_code == 404
    assert missing.content == b""


@pytest.mark.parametrize("suffix", ["s3.localhost", "localhost"])
def test_virtual_hosted_requests_by_host_header(
    kumo: Any, s3: Any, bucket: str, suffix: str
) -> None:
    port = urlsplit(kumo.url).port
    host = {"Host": f"{bucket}.{suffix}:{port}"}
    base = f"http://127.0.0.1:{port}"
    put = requests.put(f"{base}/dir/v.txt", data=b"virtual", headers=host, timeout=10)
    assert put.status_code == 200
    assert s3.get_object(Bucket=bucket, Key="dir/v.txt")["Body"].read() == b"virtual"
    got = requests.get(f"{base}/dir/v.txt", headers=host, timeout=10)
    assert got.content == b"virtual"
    listing = requests.get(f"{base}/?list-type=2&prefix=dir/", headers=host, timeout=10)
    assert "<Key>dir/v.txt</Key>" in listing.text
    assert f"<Name>{bucket}</Name>" in listing.text
    missing = requests.get(f"{base}/nope", headers=host, timeout=10)
    assert missing.status_code == 404 and "<Code>NoSuchKey</Code>" in missing.text


@pytest.fixture
def localhost_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every ``*.localhost`` name resolve to 127.0.0.1, as browsers and
    systemd-resolved do, for boto3's virtual-hosted URLs."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.mark.usefixtures("localhost_resolves")
@pytest.mark.parametrize("config", [V4, V2], ids=["sigv4", "sigv2"])
def test_boto3_virtual_addressing(kumo: Any, s3: Any, bucket: str, config: Config) -> None:
    port = urlsplit(kumo.url).port
    style = Config(s3={"addressing_style": "virtual"}).merge(config)
    virtual = _client(kumo, style, endpoint=f"http://s3.localhost:{port}")
    virtual.put_object(Bucket=bucket, Key="a/b.txt", Body=b"by host", Metadata={"m": "1"})
    got = virtual.get_object(Bucket=bucket, Key="a/b.txt")
    assert got["Body"].read() == b"by host"
    assert got["Metadata"] == {"m": "1"}
    keys = virtual.list_objects_v2(Bucket=bucket)["Contents"]
    assert [k["Key"] for k in keys] == ["a/b.txt"]
    url = virtual.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a/b.txt"})
    assert urlsplit(url).hostname == f"{bucket}.s3.localhost"
    assert requests.get(url, timeout=10).content == b"by host"
    virtual.delete_object(Bucket=bucket, Key="a/b.txt")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
