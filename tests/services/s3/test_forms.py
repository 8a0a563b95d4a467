"""The multipart/form-data reader behind PostObject, on crafted bodies."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from kumo.aws.errors import ServiceError
from kumo.services.s3.forms import Form, boundary_of, read_form


def body(*parts: bytes, boundary: bytes = b"XyZ", closing: bytes = b"--\r\n") -> bytes:
    out = b""
    for part in parts:
        out += b"--" + boundary + b"\r\n" + part + b"\r\n"
    return out + b"--" + boundary + closing


def read(data: bytes, chunks: list[bytes]) -> Form:
    def open_file(form: Form) -> Callable[[bytes], None]:
        return chunks.append

    return read_form(io.BytesIO(data), b"XyZ", open_file)


def test_fields_and_file() -> None:
    data = body(
        b'Content-Disposition: form-data; name="key"\r\n\r\nuploads/${filename}',
        b'Content-Disposition: form-data; name="file"; filename="a b.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nline1\r\n--Xy-not-the-boundary\r\nend",
        b'Content-Disposition: form-data; name="after"\r\n\r\nignored',
    )
    chunks: list[bytes] = []
    form = read(data, chunks)
    assert form.fields == {"key": "uploads/${filename}"}
    assert form.filename == "a b.txt"
    assert form.file_content_type == "text/plain"
    assert b"".join(chunks) == b"line1\r\n--Xy-not-the-boundary\r\nend"


def test_form_without_file_and_bare_closing() -> None:
    data = body(b'Content-Disposition: form-data; name="key"\r\n\r\nk', closing=b"--")
    form = read(data, [])
    assert form.fields == {"key": "k"} and not form.has_file


def test_truncated_body_is_malformed() -> None:
    data = body(b'Content-Disposition: form-data; name="file"; filename="x"\r\n\r\nabc')[:-12]
    with pytest.raises(ServiceError) as err:
        read(data, [])
    assert err.value.code == "MalformedPOSTRequest"


def test_boundary_of() -> None:
    assert boundary_of('multipart/form-data; boundary="abc"') == b"abc"
    assert boundary_of("multipart/form-data; boundary=abc") == b"abc"
    assert boundary_of("multipart/form-data") is None
