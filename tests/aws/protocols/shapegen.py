"""Valid values for botocore shapes, for the protocol round-trip property tests.

Values are deterministic for a given seed and chosen so that every protocol can carry
them without loss: whole-second UTC timestamps, exactly representable floats, non-empty
lists and maps, header-safe strings. Event-stream members are left out (they are framed
by their own encoding, not by the operation's protocol).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from botocore.model import Shape

MAX_DEPTH = 4


class ShapeGenerator:
    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)

    def value(self, shape: Shape, depth: int = 0, *, location: str | None = None) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, depth)
        if kind == "list":
            count = 1 if depth >= MAX_DEPTH else self.rng.randint(1, 2)
            member = shape.member  # type: ignore[attr-defined]
            return [self.value(member, depth + 1, location=location) for _ in range(count)]
        if kind == "map":
            count = 1 if depth >= MAX_DEPTH else self.rng.randint(1, 2)
            out = {}
            for _ in range(count):
                key = self.value(shape.key, depth + 1)  # type: ignore[attr-defined]
                if location == "headers":
                    key = str(key).lower()
                out[key] = self.value(shape.value, depth + 1)  # type: ignore[attr-defined]
            return out
        if kind == "string":
            return self.string(shape, location)
        if kind in ("integer", "long"):
            low = int(shape.metadata.get("min", 0))
            high = max(low, min(int(shape.metadata.get("max", 1000)), 1000))
            return self.rng.randint(low, high)
        if kind in ("float", "double"):
            return self.rng.choice([0.5, 1.25, 2.0, 10.75])
        if kind == "boolean":
            return self.rng.choice([True, False])
        if kind == "timestamp":
            seconds = self.rng.randint(1_500_000_000, 1_800_000_000)
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        if kind == "blob":
            size = self.rng.randint(1, 24)
            return bytes(self.rng.randrange(256) for _ in range(size))
        raise TypeError(f"no value for shape type {kind}")

    def structure(self, shape: Shape, depth: int) -> dict[str, Any]:
        members = shape.members  # type: ignore[attr-defined]
        if shape.is_document_type:
            return {"key": "value", "n": 1, "list": [True, "x"]}
        names = [n for n, m in members.items() if not _is_event_stream(m)]
        if shape.is_tagged_union:
            # The query protocol writes no field at all for an empty structure.
            carried = [n for n in names if not _is_empty_structure(members[n])] or names
            choice = self.rng.choice(carried)
            return {choice: self.value(members[choice], depth + 1)}
        required = set(shape.required_members)
        # Members sharing one element name (S3's deprecated Event beside Events) cannot
        # both be carried: the client cannot tell them apart either.
        shared = _sharing_a_name(members)
        out: dict[str, Any] = {}
        for name in names:
            if name in shared and name not in required:
                continue
            member = members[name]
            if (
                name not in required
                and depth >= MAX_DEPTH
                and member.type_name
                in (
                    "structure",
                    "list",
                    "map",
                )
            ):
                continue
            if member.serialization.get("location") == "statusCode":
                out[name] = 200
                continue
            if member.serialization.get("hostLabel"):
                out[name] = "host" + str(self.rng.randint(1, 9))
                continue
            location = member.serialization.get("location")
            out[name] = self.value(member, depth + 1, location=location)
        return out

    def string(self, shape: Shape, location: str | None) -> str:
        if shape.enum:
            return self.rng.choice(shape.enum)
        if shape.serialization.get("jsonvalue") and location == "header":
            return {"a": 1, "b": ["x"]}
        low = int(shape.metadata.get("min", 1))
        high = int(shape.metadata.get("max", 24))
        length = max(low, min(high, self.rng.randint(3, 12)))
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
        text = "".join(self.rng.choice(alphabet) for _ in range(length))
        return text


def _sharing_a_name(members: dict[str, Shape]) -> set[str]:
    by_name: dict[str, list[str]] = {}
    for name, member in members.items():
        if member.serialization.get("location"):
            continue
        wire = member.serialization.get("name", name)
        if member.type_name == "list" and member.serialization.get("flattened"):
            wire = member.member.serialization.get("name", wire)  # type: ignore[attr-defined]
        by_name.setdefault(wire, []).append(name)
    return {name for names in by_name.values() if len(names) > 1 for name in names}


def _is_empty_structure(shape: Shape) -> bool:
    return shape.type_name == "structure" and not shape.members  # type: ignore[attr-defined]


def _is_event_stream(shape: Shape) -> bool:
    return bool(shape.serialization.get("eventstream"))
