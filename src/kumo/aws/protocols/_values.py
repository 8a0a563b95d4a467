"""The scalar wire values every model-driven protocol shares: timestamps and blobs.

Owns reading a timestamp in any of AWS's three formats (epoch seconds, ISO 8601,
RFC 822), writing one in the format a model names, and turning a blob param (bytes,
text, a buffer or a readable stream) into bytes.
"""

from __future__ import annotations

import calendar
import datetime as dt
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

__all__ = ["UTC", "blob_bytes", "format_timestamp", "parse_timestamp"]

UTC = dt.UTC


def parse_timestamp(value: Any) -> dt.datetime:
    """A timezone-aware UTC datetime from epoch seconds, ISO 8601 or RFC 822 text.

    Every format is accepted whatever the model says, as AWS does: clients disagree on
    which one a member uses more often than one would like.
    """
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValueError(f"timestamp out of range: {value!r}") from exc
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if text[0].isdigit() or text[0] == "-":
        try:
            seconds = float(text)
        except ValueError:
            pass
        else:
            return parse_timestamp(seconds)
    if text[0].isalpha():
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a timestamp: {value!r}") from exc
    else:
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"not a timestamp: {value!r}") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def format_timestamp(value: Any, fmt: str) -> int | float | str:
    """``value`` written in ``fmt`` (``unixtimestamp``, ``iso8601`` or ``rfc822``)."""
    when = parse_timestamp(value)
    fmt = fmt.lower()
    seconds = calendar.timegm(when.utctimetuple())
    if fmt == "unixtimestamp":
        if when.microsecond:
            # Adding whole microseconds before dividing rounds once, not twice.
            return (seconds * 1_000_000 + when.microsecond) / 1_000_000
        return seconds
    if fmt == "rfc822":
        return formatdate(seconds, usegmt=True)
    text = (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
    )
    if when.microsecond:
        micros = f"{when.microsecond:06d}"
        text += "." + (micros[:3] if micros.endswith("000") else micros)
    return text + "Z"


def blob_bytes(value: Any) -> bytes:
    """A blob param as bytes: text UTF-8 encoded, a buffer copied, a stream read whole."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value.read()  # type: ignore[no-any-return]
