"""A write that fails part-way leaves no object and no blob behind.

The provider is driven in-process on the session's store, with a body that breaks after
its first megabyte as a dropped connection would.
"""

from __future__ import annotations

from typing import Any

import pytest

from kumo.aws.context import RequestContext
from kumo.aws.http import HttpRequest
from kumo.services.base import ServiceDeps
from kumo.services.s3.provider import S3Provider


class BrokenBody:
    """Yields one megabyte, then fails like a client that went away."""

    def __init__(self) -> None:
        self.sent = False

    def read(self, size: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            return b"x" * (1024 * 1024)
        raise ConnectionResetError("client went away")


@pytest.fixture
def provider(kumo: Any) -> S3Provider:
    platform = kumo.platform
    return S3Provider(ServiceDeps(store=platform.store, settings=platform.settings))


def ctx() -> RequestContext:
    return RequestContext(request=HttpRequest(method="PUT", path="/"))


def test_a_broken_upload_is_never_visible(provider: S3Provider, s3: Any, bucket: str) -> None:
    blobs = provider.store.blobs
    before = set(blobs.ids())
    s3.put_object(Bucket=bucket, Key="k", Body=b"old")
    kept = set(blobs.ids()) - before
    with pytest.raises(ConnectionResetError):
        provider.put_object(ctx(), bucket, "k", body=BrokenBody())  # type: ignore[arg-type]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"old"
    with pytest.raises(ConnectionResetError):
        provider.put_object(ctx(), bucket, "new", body=BrokenBody())  # type: ignore[arg-type]
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="new")
    assert set(blobs.ids()) - before == kept
    assert list((blobs.root / "tmp").iterdir()) == []


def test_a_record_that_cannot_commit_drops_its_blob(
    provider: S3Provider, s3: Any, bucket: str
) -> None:
    blobs = provider.store.blobs
    before = set(blobs.ids())
    with pytest.raises(Exception) as exc:
        provider.put_object(ctx(), bucket, "k", body=None, if_match='"nothing-there"')
    assert getattr(exc.value, "code", None) == "NoSuchKey"
    assert set(blobs.ids()) == before
