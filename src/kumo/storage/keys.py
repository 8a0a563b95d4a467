"""Order-preserving composite keys: the tuple order of the parts is the byte order of the key.

Services name records by tuples such as ``("123456789012", "my-bucket", "photos/a.jpg")``.
:func:`key` encodes such a tuple so that comparing the encoded bytes gives the same answer
as comparing the tuples, which makes every "list under X, sorted, from marker M" a range scan
over an index.

Encoding, part by part:

* ``bytes`` — tag ``0x01``, the bytes with each ``0x00`` escaped as ``0x00 0xFF``, then a
  ``0x00`` terminator. The terminator sorts below every escaped byte, so ``b"a"`` sorts
  before ``b"a\\x00"`` and before ``b"ab"``, as for Python ``bytes``.
* ``str`` — tag ``0x02``, then like bytes over its UTF-8 (UTF-8 byte order is code point
  order, which is Python's ``str`` order).
* ``int`` — tag ``0x03``, eight bytes big-endian of the two's complement with the sign bit
  flipped, so negative numbers sort before positive ones. Limited to 64 bits.

Parts of different types at the same position sort by tag (bytes < str < int); Python does
not order them at all, so services should keep one type per position.

A key that is a prefix of another sorts first, as a shorter tuple does. Because each part
carries its own terminator, ``key("a", "b")`` is a prefix of every key under ``("a", "b")``
and of no key under ``("a", "bc")``; :func:`key_prefix` leaves the last part open for
"starts with" listings.
"""

from __future__ import annotations

__all__ = ["KeyPart", "decode_key", "key", "key_prefix", "prefix_end"]

KeyPart = str | bytes | int

_BYTES = 0x01
_STR = 0x02
_INT = 0x03

_INT_MIN = -(1 << 63)
_INT_MAX = (1 << 63) - 1
_SIGN = 1 << 63


def _escape(data: bytes) -> bytes:
    return data.replace(b"\x00", b"\x00\xff")


def _encode_part(part: KeyPart, out: bytearray, *, open_end: bool = False) -> None:
    if isinstance(part, bool):
        # bool is an int subclass; refusing it keeps True from silently becoming 1
        raise TypeError("key parts must be str, bytes or int, not bool")
    if isinstance(part, str):
        out.append(_STR)
        out += _escape(part.encode("utf-8", "surrogatepass"))
    elif isinstance(part, bytes | bytearray | memoryview):
        out.append(_BYTES)
        out += _escape(bytes(part))
    elif isinstance(part, int):
        if not _INT_MIN <= part <= _INT_MAX:
            raise ValueError(f"integer key part out of 64-bit range: {part}")
        out.append(_INT)
        out += ((part + _SIGN) & ((1 << 64) - 1)).to_bytes(8, "big")
        return
    else:
        raise TypeError(f"key parts must be str, bytes or int, not {type(part).__name__}")
    if not open_end:
        out.append(0x00)


def key(*parts: KeyPart) -> bytes:
    """Encode ``parts`` so that byte order equals tuple order."""
    out = bytearray()
    for part in parts:
        _encode_part(part, out)
    return bytes(out)


def key_prefix(*parts: KeyPart) -> bytes:
    """Like :func:`key` but the last ``str``/``bytes`` part is left open (no terminator).

    Scanning with this as ``prefix`` finds every key whose leading parts equal
    ``parts[:-1]`` and whose next part starts with ``parts[-1]`` (S3's ``Prefix=``).
    """
    if not parts:
        return b""
    out = bytearray()
    for part in parts[:-1]:
        _encode_part(part, out)
    _encode_part(parts[-1], out, open_end=True)
    return bytes(out)


def decode_key(data: bytes) -> tuple[KeyPart, ...]:
    """The parts :func:`key` encoded into ``data``."""
    parts: list[KeyPart] = []
    i, n = 0, len(data)
    while i < n:
        tag = data[i]
        i += 1
        if tag == _INT:
            if i + 8 > n:
                raise ValueError("truncated integer key part")
            raw = int.from_bytes(data[i : i + 8], "big")
            parts.append(raw - _SIGN)
            i += 8
        elif tag in (_BYTES, _STR):
            buf = bytearray()
            while True:
                j = data.find(b"\x00", i)
                if j < 0:
                    raise ValueError("unterminated key part")
                buf += data[i:j]
                if j + 1 < n and data[j + 1] == 0xFF:
                    buf.append(0x00)
                    i = j + 2
                else:
                    i = j + 1
                    break
            if tag == _STR:
                parts.append(buf.decode("utf-8", "surrogatepass"))
            else:
                parts.append(bytes(buf))
        else:
            raise ValueError(f"unknown key part tag 0x{tag:02x} at offset {i - 1}")
    return tuple(parts)


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with ``prefix``.

    None when there is none (``prefix`` is empty or all ``0xFF``): the range is unbounded.
    """
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])
