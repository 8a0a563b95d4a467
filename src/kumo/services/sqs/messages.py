"""Message content rules: body characters, attributes, size, and the MD5 digests AWS returns.

The digest of message attributes follows AWS's published algorithm: attributes sorted by
name, each encoded as its name, data type, a transport byte (1 string, 2 binary) and its
value, every variable part preceded by its length as a 4-byte big-endian integer.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from typing import Any

from kumo.services.sqs.errors import invalid_parameter, missing_parameter, parameter_is_invalid

__all__ = [
    "MAX_ATTRIBUTES",
    "attributes_md5",
    "body_md5",
    "check_body",
    "check_delay",
    "check_message_attributes",
    "from_record",
    "message_size",
    "select_attributes",
    "to_record",
]

MAX_ATTRIBUTES = 10

# characters the SQS body and string attributes may hold
_INVALID_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")

Attributes = dict[str, dict[str, Any]]


def body_md5(body: str) -> str:
    return hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def _with_length(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def attributes_md5(attributes: Attributes) -> str | None:
    """AWS's digest of message attributes (wire form, binary values as bytes)."""
    if not attributes:
        return None
    out = bytearray()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        out += _with_length(name.encode("utf-8"))
        out += _with_length(data_type.encode("utf-8"))
        if data_type.startswith("Binary"):
            out += b"\x02" + _with_length(bytes(value["BinaryValue"]))
        else:
            out += b"\x01" + _with_length(value["StringValue"].encode("utf-8"))
    return hashlib.md5(bytes(out), usedforsecurity=False).hexdigest()


def check_body(body: str) -> None:
    if body == "":
        raise missing_parameter("MessageBody")
    bad = _INVALID_CHAR.search(body)
    if bad is not None:
        raise invalid_parameter(
            f"Invalid binary character '#x{ord(bad.group()):X}' was found in the message "
            "body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | "
            "#xE000 to #xFFFD | #x10000 to #x10FFFF"
        )


def check_delay(delay: int) -> None:
    if not 0 <= delay <= 900:
        raise parameter_is_invalid(delay, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900.")


def check_message_attributes(attributes: Attributes) -> None:
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid_parameter(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed "
            f"maximum [{MAX_ATTRIBUTES}]."
        )
    for name, value in attributes.items():
        if (
            not _ATTRIBUTE_NAME.match(name)
            or name.lower().startswith(("aws.", "amazon."))
            or name.startswith(".")
            or name.endswith(".")
            or ".." in name
        ):
            raise invalid_parameter(f"Message attribute name '{name}' is invalid.")
        data_type = value.get("DataType") or ""
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary"):
            raise invalid_parameter(
                f"The type of message (user) attribute '{name}' is invalid. You must use "
                "only the following supported type prefixes: Binary, Number, String."
            )
        member = "BinaryValue" if base == "Binary" else "StringValue"
        if value.get(member) in (None, b"", ""):
            raise invalid_parameter(
                f"The message attribute '{name}' must contain non-empty message attribute "
                f"value for message attribute type '{base}'."
            )
        if base == "Number":
            try:
                float(value[member])
            except ValueError:
                raise invalid_parameter(
                    f"Can't cast the value of message (user) attribute '{name}' to a number."
                ) from None


def message_size(body: str, attributes: Attributes) -> int:
    """The size SQS counts against MaximumMessageSize: body plus attribute parts."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value and value["BinaryValue"] is not None:
            size += len(bytes(value["BinaryValue"]))
        else:
            size += len(str(value.get("StringValue", "")).encode("utf-8"))
    return size


def to_record(attributes: Attributes) -> Attributes:
    """Attributes as JSON: only the members used, binary values base64-encoded."""
    record: Attributes = {}
    for name, value in attributes.items():
        if value["DataType"].startswith("Binary"):
            data = base64.b64encode(bytes(value["BinaryValue"])).decode("ascii")
            record[name] = {"DataType": value["DataType"], "BinaryValue": data}
        else:
            record[name] = {"DataType": value["DataType"], "StringValue": value["StringValue"]}
    return record


def from_record(record: Attributes) -> Attributes:
    wire: Attributes = {}
    for name, value in record.items():
        if "BinaryValue" in value:
            wire[name] = {
                "DataType": value["DataType"],
                "BinaryValue": base64.b64decode(value["BinaryValue"]),
            }
        else:
            wire[name] = dict(value)
    return wire


def select_attributes(attributes: Attributes, names: list[str] | None) -> Attributes:
    """The attributes ReceiveMessage's MessageAttributeNames asks for (All, ``.*``,
    ``prefix.*`` or exact names)."""
    if not names:
        return {}
    if "All" in names or ".*" in names:
        return dict(attributes)
    prefixes = tuple(n[:-1] for n in names if n.endswith(".*"))
    exact = set(names)
    return {
        k: v for k, v in attributes.items() if k in exact or (prefixes and k.startswith(prefixes))
    }
