"""Deployment packages: safe unpacking and size limits (unit tests of the code module)."""

from __future__ import annotations

import io
import stat
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kumo.aws.errors import ServiceError
from kumo.services.lambda_ import code
from kumo.storage import open_store
from tests.services.lambda_.conftest import make_zip


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = open_store(tmp_path / "state")
    yield opened
    opened.close()


def _link(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def test_links_inside_the_package_are_kept(store: Any, tmp_path: Path) -> None:
    data = _zip([("real/mod.py", b"X = 1\n"), (_link("alias.py", ""), b"real/mod.py")])
    package = code.store_package(store, tmp_path, data)
    root = code.code_dir(tmp_path, package.digest)
    assert (root / "alias.py").is_symlink()
    assert (root / "alias.py").read_text() == "X = 1\n"
    assert store.blobs.read(package.blob) == data


def test_executable_bits_survive(store: Any, tmp_path: Path) -> None:
    info = zipfile.ZipInfo("bin/tool")
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    package = code.store_package(store, tmp_path, _zip([(info, b"#!/bin/sh\n")]))
    assert (code.code_dir(tmp_path, package.digest) / "bin" / "tool").stat().st_mode & 0o111


@pytest.mark.parametrize(
    "entries",
    [
        [("/abs.py", b"x")],
        [("a/../../b.py", b"x")],
        [(_link("up", ""), b"../outside")],
        [(_link("abs", ""), b"/etc/passwd")],
    ],
)
def test_escapes_are_refused(store: Any, tmp_path: Path, entries: Any) -> None:
    with pytest.raises(ServiceError) as exc:
        code.store_package(store, tmp_path, _zip(entries))
    assert exc.value.code == "InvalidParameterValueException"
    assert not any((tmp_path / "lambda" / "code").glob("*/*"))


def test_unzipped_limit(store: Any, tmp_path: Path) -> None:
    data = make_zip({"big.txt": "x" * 2000})
    with pytest.raises(ServiceError) as exc:
        code.store_package(store, tmp_path, data, unzipped_limit=1000)
    assert exc.value.message == "Unzipped size must be smaller than 1000 bytes"
    assert code.UNZIPPED_LIMIT == 262144000


def test_headers_that_lie_about_sizes_do_not_pass(store: Any, tmp_path: Path) -> None:
    """The limit counts bytes actually written, not the sizes the zip declares."""
    data = bytearray(make_zip({"big.txt": "x" * 2000}))
    # shrink the declared uncompressed size in the central directory entry
    at = data.rindex(b"PK\x01\x02")
    data[at + 24 : at + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ServiceError) as exc:
        code.store_package(store, tmp_path, bytes(data), unzipped_limit=1000)
    assert exc.value.code == "InvalidParameterValueException"


def test_inline_zip_limit(store: Any) -> None:
    too_big = b"\0" * (code.ZIPPED_LIMIT + 1)
    with pytest.raises(ServiceError) as exc:
        code.package_bytes(store, "CreateFunction", too_big, None, None, None)
    assert exc.value.code == "RequestEntityTooLargeException"
    assert exc.value.message == (
        "Request must be smaller than 69905067 bytes for the CreateFunction operation"
    )


def test_same_content_unpacks_once(store: Any, tmp_path: Path) -> None:
    data = make_zip({f"{uuid.uuid4().hex}.py": "pass\n"})
    first = code.store_package(store, tmp_path, data)
    marker = code.code_dir(tmp_path, first.digest) / "marker"
    marker.write_text("kept")
    second = code.store_package(store, tmp_path, data)
    assert second.digest == first.digest
    assert marker.read_text() == "kept"
