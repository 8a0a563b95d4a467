"""The request/response values: case-insensitive headers, spooled bodies."""

from __future__ import annotations

from kumo.aws.http import SPOOL_MAX_MEMORY, Body, Headers, HttpResponse


def test_headers_are_case_insensitive_and_keep_order_and_case() -> None:
    headers = Headers([("Content-Type", "text/plain"), ("X-Amz-Meta-A", "1")])

    assert headers["content-type"] == "text/plain"
    assert headers.get("X-AMZ-META-A") == "1"
    assert "CONTENT-TYPE" in headers
    assert list(headers) == ["Content-Type", "X-Amz-Meta-A"]
    assert headers.get("missing", "default") == "default"


def test_repeated_headers_join_and_set_replaces() -> None:
    headers = Headers([("Accept", "a"), ("accept", "b")])
    assert headers["Accept"] == "a,b"
    assert headers.get_all("ACCEPT") == ["a", "b"]
    assert len(headers) == 1

    headers.set("Accept", "c")
    assert headers["accept"] == "c"
    assert headers.raw_items() == [("Accept", "c")]

    headers.remove("accept")
    assert "accept" not in headers
    assert len(headers) == 0


def test_large_bodies_spill_to_disk_and_read_back() -> None:
    body, spool = Body.spooled()
    chunk = b"x" * 65536
    for _ in range(SPOOL_MAX_MEMORY // len(chunk) + 2):
        spool.write(chunk)
    body.rewind()

    assert getattr(spool, "_rolled", True)
    assert body.size() == len(chunk) * (SPOOL_MAX_MEMORY // len(chunk) + 2)
    assert body.read(5) == b"xxxxx"
    body.close()


def test_response_data_from_bytes_iterables_and_files() -> None:
    assert HttpResponse(body=b"abc").data() == b"abc"
    assert HttpResponse(body=[b"a", b"b"]).data() == b"ab"
    assert HttpResponse(body=Body(b"file")).data() == b"file"
