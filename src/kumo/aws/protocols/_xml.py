"""XML of botocore shapes, shared by the query and rest-xml protocols.

Writing turns a value of a shape into XML text the way botocore's XML response parsers
read it back: structures (with ``xmlAttribute`` members and ``xmlNamespace``), flattened
and wrapped lists with their member ``locationName``, flattened and ``entry`` maps with
their key and value names, ISO 8601 timestamps unless ``timestampFormat`` says otherwise,
base64 blobs and lowercase booleans. Reading does the reverse for request bodies.

The writer appends to a list of strings rather than building an element tree: responses
are written far more often than requests are read, and string joins are several times
faster than ``ElementTree.tostring``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree

from botocore.model import NoShapeFoundError, ServiceModel, Shape

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# Members bound to the HTTP envelope rather than the body.
HTTP_LOCATIONS = frozenset({"header", "headers", "uri", "querystring", "statusCode"})


class XmlValueError(ValueError):
    """A value in an XML body does not fit its shape."""


# -- scalars ------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        # A raw CR would be normalised to LF by the client's XML parser.
        text = text.replace("\r", "&#13;")
    return text


def escape_attr(text: str) -> str:
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def to_datetime(value: Any) -> dt.datetime:
    """A timezone-aware UTC datetime from a datetime, epoch number or ISO 8601 string."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return parse_timestamp(str(value))


def format_timestamp(value: Any, timestamp_format: str | None = None) -> str:
    if isinstance(value, str):
        # Already on the wire form; providers sometimes keep timestamps as text.
        return value
    when = to_datetime(value)
    fmt = (timestamp_format or "iso8601").lower()
    if fmt == "rfc822":
        return format_datetime(when.replace(microsecond=0), usegmt=True)
    if fmt == "unixtimestamp":
        seconds = when.timestamp()
        return str(int(seconds)) if seconds.is_integer() else repr(round(seconds, 3))
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
        f"{when.second:02d}.{when.microsecond // 1000:03d}Z"
    )


def parse_timestamp(text: str, timestamp_format: str | None = None) -> dt.datetime:
    """A timezone-aware UTC datetime from any timestamp form AWS clients send."""
    text = text.strip()
    if not text:
        raise ValueError("empty timestamp")
    fmt = (timestamp_format or "").lower()
    if fmt == "unixtimestamp" or (fmt != "rfc822" and _looks_numeric(text)):
        try:
            return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
        except (OverflowError, OSError) as exc:
            raise ValueError(f"timestamp out of range {text!r}") from exc
    if fmt == "rfc822" or "," in text or "GMT" in text:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid timestamp {text!r}") from exc
    else:
        when = dt.datetime.fromisoformat(text)
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def format_float(value: Any) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def parse_float(text: str) -> float:
    # float() already understands "NaN", "Infinity" and "-Infinity".
    return float(text)


def format_blob(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(bytes(value)).decode("ascii")


def parse_blob(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("invalid base64") from exc


def parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ValueError(f"invalid boolean {text!r}")


def scalar_text(shape: Shape, value: Any) -> str:
    """The text form of a scalar value in XML bodies and query strings."""
    kind = shape.type_name
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long"):
        return str(int(value))
    if kind in ("float", "double"):
        return format_float(value)
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat"))
    if kind == "blob":
        return format_blob(value)
    return str(value)


def parse_scalar(shape: Shape, text: str) -> Any:
    """The Python value of a scalar's text, as a botocore client would have passed it.

    Raises ``ValueError`` when the text does not fit the shape.
    """
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        return int(text.strip())
    if kind in ("float", "double"):
        return parse_float(text)
    if kind == "boolean":
        return parse_boolean(text)
    if kind == "timestamp":
        return parse_timestamp(text, shape.serialization.get("timestampFormat"))
    if kind == "blob":
        return parse_blob(text)
    return text


# -- writing ------------------------------------------------------------------------------


def namespace_attr(shape: Shape) -> str:
    """The ``xmlns`` attribute an element of ``shape`` declares, with its leading space."""
    namespace = shape.serialization.get("xmlNamespace")
    if not namespace:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape_attr(namespace)}"'
    prefix = namespace.get("prefix")
    name = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {name}="{escape_attr(namespace.get("uri", ""))}"'


def element_name(member: Shape, member_name: str) -> str:
    """The tag of a structure member; a flattened list repeats its member's tag."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        item_name = member.member.serialization.get("name")  # type: ignore[attr-defined]
        if item_name:
            return str(item_name)
    return str(member.serialization.get("name", member_name))


@dataclass(frozen=True, slots=True)
class _Plan:
    """How a structure's members are written: children in model order, then attributes."""

    shape: Shape  # kept so the id() the plan is cached under cannot be reused
    # (member, tag, shape, and for scalars the opening and closing tags ready made)
    elements: tuple[tuple[str, str, Shape, str, str], ...]
    attributes: tuple[tuple[str, str, Shape], ...]  # (member, attribute, shape)


# Plans by id() of a structure shape: botocore caches its shape objects per model, so the
# same few objects come back for every response of an operation. The bound only guards
# against callers that build fresh shapes each time.
_PLANS: dict[int, _Plan] = {}
_MAX_PLANS = 20_000


def _plan(shape: Shape) -> _Plan:
    plan = _PLANS.get(id(shape))
    if plan is not None and plan.shape is shape:
        return plan
    elements, attributes = [], []
    for name, member in shape.members.items():  # type: ignore[attr-defined]
        serialization = member.serialization
        if serialization.get("xmlAttribute"):
            attributes.append((name, str(serialization.get("name", name)), member))
        elif serialization.get("location") not in HTTP_LOCATIONS:
            tag = element_name(member, name)
            head = tail = ""
            if member.type_name not in ("structure", "list", "map"):
                head, tail = f"<{tag}{namespace_attr(member)}>", f"</{tag}>"
            elements.append((name, tag, member, head, tail))
    plan = _Plan(shape, tuple(elements), tuple(attributes))
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    _PLANS[id(shape)] = plan
    return plan


def write_value(out: list[str], name: str, shape: Shape, value: Any, extra_attrs: str = "") -> None:
    """Append the element ``name`` holding ``value`` of ``shape``."""
    kind = shape.type_name
    if kind == "structure":
        write_structure(out, name, shape, value, extra_attrs)
    elif kind == "list":
        _write_list(out, name, shape, value, extra_attrs)
    elif kind == "map":
        _write_map(out, name, shape, value, extra_attrs)
    else:
        attrs = namespace_attr(shape) + extra_attrs
        out.append(f"<{name}{attrs}>{escape_text(scalar_text(shape, value))}</{name}>")


def write_structure(
    out: list[str], name: str, shape: Shape, value: Mapping[str, Any], extra_attrs: str = ""
) -> None:
    attrs = namespace_attr(shape) + extra_attrs
    plan = _plan(shape)
    for member_name, attr_name, member in plan.attributes:
        item = value.get(member_name)
        if item is not None:
            attrs += f' {attr_name}="{escape_attr(scalar_text(member, item))}"'
    out.append(f"<{name}{attrs}>")
    write_members(out, shape, value)
    out.append(f"</{name}>")


def write_members(out: list[str], shape: Shape, value: Mapping[str, Any]) -> None:
    """Append the child elements of a structure value, in the model's member order."""
    for member_name, tag, member, head, tail in _plan(shape).elements:
        item = value.get(member_name)
        if item is None:
            continue
        if head:
            out.append(head + escape_text(scalar_text(member, item)) + tail)
        else:
            write_value(out, tag, member, item)


def _write_list(out: list[str], name: str, shape: Shape, value: Any, extra_attrs: str) -> None:
    member = shape.member  # type: ignore[attr-defined]
    if shape.serialization.get("flattened"):
        for item in value:
            if item is not None:
                write_value(out, name, member, item)
        return
    item_name = member.serialization.get("name", "member")
    out.append(f"<{name}{namespace_attr(shape)}{extra_attrs}>")
    for item in value:
        if item is not None:
            write_value(out, item_name, member, item)
    out.append(f"</{name}>")


def _write_map(out: list[str], name: str, shape: Shape, value: Any, extra_attrs: str) -> None:
    key_shape = shape.key  # type: ignore[attr-defined]
    value_shape = shape.value  # type: ignore[attr-defined]
    key_name = key_shape.serialization.get("name", "key")
    value_name = value_shape.serialization.get("name", "value")
    flattened = shape.serialization.get("flattened")
    if not flattened:
        out.append(f"<{name}{namespace_attr(shape)}{extra_attrs}>")
    entry = name if flattened else "entry"
    for key, item in value.items():
        if item is None:
            continue
        out.append(f"<{entry}>")
        write_value(out, key_name, key_shape, key)
        write_value(out, value_name, value_shape, item)
        out.append(f"</{entry}>")
    if not flattened:
        out.append(f"</{name}>")


def document(root: str, shape: Shape, value: Mapping[str, Any], namespace: str = "") -> bytes:
    """A whole XML document whose root element ``root`` holds a structure value."""
    out = [XML_DECLARATION]
    attrs = ""
    if namespace and "xmlNamespace" not in shape.serialization:
        attrs = f' xmlns="{escape_attr(namespace)}"'
    write_value(out, root, shape, value, attrs)
    return "".join(out).encode("utf-8")


# -- reading ------------------------------------------------------------------------------


def parse_document(data: bytes) -> ElementTree.Element:
    """The root element of an XML body; ``XmlValueError`` when it is not well-formed.

    Documents with a DTD are refused: a request body has no use for one, and refusing it
    closes the door on entity expansion.
    """
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XmlValueError("DTDs are not allowed")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise XmlValueError(str(exc)) from exc


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def read_value(shape: Shape, node: ElementTree.Element | list[ElementTree.Element]) -> Any:
    """The Python value of ``node`` read as ``shape``; ``XmlValueError`` when it does not fit.

    ``node`` is a list for flattened lists and maps, whose items are siblings.
    """
    kind = shape.type_name
    if kind == "structure":
        return read_structure(shape, _single(node))
    if kind == "list":
        member = shape.member  # type: ignore[attr-defined]
        items = node if isinstance(node, list) else list(node)
        return [read_value(member, item) for item in items]
    if kind == "map":
        return _read_map(shape, node)
    text = _single(node).text or ""
    try:
        return parse_scalar(shape, text)
    except ValueError as exc:
        raise XmlValueError(f"invalid {kind} value {text!r}") from exc


def read_structure(shape: Shape, node: ElementTree.Element) -> dict[str, Any]:
    children: dict[str, list[ElementTree.Element]] = {}
    for child in node:
        children.setdefault(local_name(child.tag), []).append(child)
    parsed: dict[str, Any] = {}
    members = shape.members  # type: ignore[attr-defined]
    for member_name, member in members.items():
        serialization = member.serialization
        if serialization.get("location") in HTTP_LOCATIONS:
            continue
        if serialization.get("xmlAttribute"):
            wanted = local_name(str(serialization.get("name", member_name)).rpartition(":")[2])
            for key, text in node.attrib.items():
                if local_name(key) == wanted:
                    parsed[member_name] = _read_text(member, text)
            continue
        found = children.get(element_name(member, member_name))
        if found is None:
            continue
        flattened = serialization.get("flattened") and member.type_name in ("list", "map")
        parsed[member_name] = read_value(member, found if flattened else found[0])
    return parsed


def _read_map(
    shape: Shape, node: ElementTree.Element | list[ElementTree.Element]
) -> dict[Any, Any]:
    key_shape = shape.key  # type: ignore[attr-defined]
    value_shape = shape.value  # type: ignore[attr-defined]
    key_name = key_shape.serialization.get("name", "key")
    value_name = value_shape.serialization.get("name", "value")
    entries = node if isinstance(node, list) else list(node)
    parsed: dict[Any, Any] = {}
    for entry in entries:
        key_node = value_node = None
        for child in entry:
            tag = local_name(child.tag)
            if tag == key_name:
                key_node = child
            elif tag == value_name:
                value_node = child
        if key_node is None or value_node is None:
            raise XmlValueError(f"map entry without {key_name} or {value_name}")
        parsed[read_value(key_shape, key_node)] = read_value(value_shape, value_node)
    return parsed


def _read_text(shape: Shape, text: str) -> Any:
    try:
        return parse_scalar(shape, text)
    except ValueError as exc:
        raise XmlValueError(f"invalid {shape.type_name} value {text!r}") from exc


def _single(node: ElementTree.Element | list[ElementTree.Element]) -> ElementTree.Element:
    return node[0] if isinstance(node, list) else node


class ErrorCodes:
    """The wire code of an error (given as a shape name or a code) and its modeled shape.

    XML protocols write the shape's ``error.code`` (e.g. IAM's ``NoSuchEntity`` for
    ``NoSuchEntityException``); a code that names no shape is written as given.
    """

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self._known: dict[str, tuple[str, Shape | None]] = {}

    def lookup(self, code: str) -> tuple[str, Shape | None]:
        known = self._known.get(code)
        if known is not None:
            return known
        shape: Shape | None
        try:
            shape = self.model.shape_for(code)
        except NoShapeFoundError:
            shape = None
        if shape is not None and shape.metadata.get("exception"):
            wire_code = shape.metadata.get("error", {}).get("code", shape.name)
        else:
            wire_code, shape = code, self.model.shape_for_error_code(code)
        self._known[code] = (wire_code, shape)
        return wire_code, shape
