"""Which operation a REST request calls, by the model's ``http.requestUri`` templates.

Owns the request views routing reads (every value of each query key, headers by
lower-case name, the path decoded except for escaped slashes), compiling each
operation's template into a :class:`Route`, and :class:`RestRouter`, which picks the most
specific matching route and tells apart operations bound to the very same template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel, ServiceModel

from kumo.aws.http import HttpRequest

__all__ = ["RestRouter", "Route", "header_dict", "normalize_path", "query_dict"]

# --------------------------------------------------------------------------- request views


def query_dict(query_string: str) -> dict[str, list[str]]:
    """Every value of every query key, in order; ``?uploads`` reads as ``{"uploads": [""]}``."""
    out: dict[str, list[str]] = {}
    if query_string:
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            out.setdefault(key, []).append(value)
    return out


def header_dict(request: HttpRequest) -> dict[str, str]:
    """Headers by lower-case name, repeated ones joined with ``,`` as HTTP allows."""
    out: dict[str, str] = {}
    for key, value in request.headers.raw_items():
        lower = key.lower()
        out[lower] = f"{out[lower]},{value}" if lower in out else value
    return out


_KEEP_ENCODED = re.compile(r"%(25|2[fF])")


def normalize_path(raw_path: str) -> str:
    """The path decoded except for ``%25`` and ``%2F``, which labels decode later.

    Matching the decoded path lets template literals match however a client escaped
    them; keeping ``%2F`` encoded keeps a slash inside a label from splitting segments.
    """
    if "%" not in raw_path:
        return raw_path
    return unquote(_KEEP_ENCODED.sub(r"%25\1", raw_path))


# --------------------------------------------------------------------------- routing

_LABEL = re.compile(r"\{([^}]+)\}")
# Clients add x-id=<Operation> to disambiguate; requests without it (presigned URLs,
# curl) must still match, so it is a preference, not a requirement.
_OPTIONAL_QUERY_LITERALS = frozenset({"x-id"})


@dataclass(frozen=True, slots=True)
class Route:
    """One operation's compiled ``requestUri``: its path pattern, query parts and rank."""

    operation: str
    pattern: re.Pattern[str]
    labels: tuple[tuple[str, str], ...]  # (regex group, label name)
    literals: tuple[tuple[str, str | None], ...]  # query keys the requestUri names
    literal_keys: frozenset[str]
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    rank: tuple[Any, ...]
    known_query: frozenset[str] = frozenset()  # every querystring key the input binds
    deprecated: bool = False

    def accepts_query(self, query: Mapping[str, list[str]]) -> bool:
        for key, expected in self.literals:
            values = query.get(key)
            if not values:
                if key in _OPTIONAL_QUERY_LITERALS:
                    continue
                return False
            if expected is not None and values[0] != expected:
                return False
        return True

    def binding_score(
        self, query: Mapping[str, list[str]], headers: Mapping[str, str]
    ) -> tuple[bool, int, int, bool]:
        present = sum(1 for k in self.required_query if k in query) + sum(
            1 for k in self.required_headers if k in headers
        )
        # Then the optional query keys it knows (S3's ListDirectoryBuckets beside
        # ListBuckets), then a current operation over a deprecated twin
        # (GetBucketLifecycleConfiguration over GetBucketLifecycle).
        known = sum(1 for k in query if k in self.known_query)
        complete = present == len(self.required_query) + len(self.required_headers)
        return complete, present, known, not self.deprecated


def _compile_route(op: OperationModel) -> tuple[str, Route]:
    uri = op.http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    literals: list[tuple[str, str | None]] = []
    for part in query.split("&"):
        if part:
            key, eq, value = part.partition("=")
            literals.append((key, value if eq else None))
    segments = [s for s in path.strip("/").split("/") if s] if path.strip("/") else []
    pieces: list[str] = []
    weights: list[int] = []
    labels: list[tuple[str, str]] = []
    for segment in segments:
        piece, pos, weight = "", 0, 2
        for m in _LABEL.finditer(segment):
            label = m.group(1)
            group = f"g{len(labels)}"
            piece += re.escape(segment[pos : m.start()])
            if label.endswith("+"):
                piece += f"(?P<{group}>.+)"
                weight = 0
            else:
                piece += f"(?P<{group}>[^/]+)"
                weight = min(weight, 1)
            labels.append((group, label.rstrip("+")))
            pos = m.end()
        pieces.append(piece + re.escape(segment[pos:]))
        weights.append(weight)
    # A trailing slash is optional: clients and hand-written requests disagree on it.
    # DOTALL: an S3 key may hold a newline (sent as %0A), which a greedy label must take.
    pattern = re.compile("^/" + "/".join(pieces) + "/?$", re.DOTALL)
    required_query: list[str] = []
    required_headers: list[str] = []
    known_query: set[str] = set()
    shape = op.input_shape
    if shape is not None:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "querystring":
                known_query.add(member.serialization.get("name", name))
        for name in shape.required_members:
            member = shape.members[name]
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "querystring" and member.type_name != "map":
                required_query.append(wire)
            elif location == "header":
                required_headers.append(wire.lower())
    n_required = sum(1 for k, _ in literals if k not in _OPTIONAL_QUERY_LITERALS)
    first = segments[0] if segments and weights[0] == 2 else ""
    route = Route(
        operation=op.name,
        pattern=pattern,
        labels=tuple(labels),
        literals=tuple(literals),
        literal_keys=frozenset(k for k, _ in literals),
        required_query=tuple(required_query),
        required_headers=tuple(required_headers),
        rank=(tuple(weights), n_required, len(literals)),
        known_query=frozenset(known_query),
        deprecated=bool(op.deprecated),
    )
    return first, route


class RestRouter:
    """Finds the operation a REST request calls: the most specific matching template.

    Templates are compared segment by segment (a literal beats a label, which beats a
    greedy label), then by the literal query parts they require. Operations the model
    binds to the very same template (S3's PutObject, UploadPart, CopyObject) are told
    apart by which of their required query and header members the request carries.
    """

    def __init__(self, service: ServiceModel) -> None:
        self.service = service
        by_method: dict[str, tuple[dict[str, list[Route]], list[Route]]] = {}
        for name in service.operation_names:
            op = service.operation_model(name)
            first, route = _compile_route(op)
            literal, wildcard = by_method.setdefault(op.http.get("method", "POST"), ({}, []))
            (literal.setdefault(first, []) if first else wildcard).append(route)
        self._routes: dict[str, tuple[dict[str, list[Route]], list[Route]]] = {}
        for method, (literal, wildcard) in by_method.items():
            for routes in literal.values():
                routes.sort(key=lambda r: r.rank, reverse=True)
            wildcard.sort(key=lambda r: r.rank, reverse=True)
            self._routes[method] = (literal, wildcard)

    def match(
        self,
        method: str,
        path: str,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
    ) -> tuple[OperationModel, dict[str, str], Route] | None:
        """The operation, its decoded uri labels and its route; ``path`` is normalized."""
        entry = self._routes.get(method.upper())
        if entry is None:
            return None
        literal, wildcard = entry
        first = path[1:].split("/", 1)[0]
        found: list[tuple[Route, re.Match[str]]] = []
        # Routes are sorted most specific first and literal-first ones outrank the rest,
        # so the first match wins unless routes of the same rank follow it.
        for route in chain(literal.get(first, ()), wildcard):
            if found and route.rank != found[0][0].rank:
                break
            # the query check first: it is cheaper, and rules out most S3 routes
            if not route.accepts_query(query):
                continue
            m = route.pattern.match(path)
            if m is not None:
                found.append((route, m))
        if not found:
            return None
        route, m = found[0]
        if len(found) > 1:
            route, m = max(found, key=lambda f: f[0].binding_score(query, headers))
        labels = {label: unquote(m.group(group)) for group, label in route.labels}
        return self.service.operation_model(route.operation), labels, route
