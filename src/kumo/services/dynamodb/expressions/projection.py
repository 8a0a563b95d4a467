"""Projections: keeping only some document paths of an item, in their nested structure.

``a.b`` keeps ``{"a": {"M": {"b": ...}}}``; list indexes keep the chosen elements in index
order, compacted (``l[3], l[1]`` gives a two-element list). A path that does not resolve
contributes nothing. The same routine serves ProjectionExpression, AttributesToGet and the
UPDATED_OLD/UPDATED_NEW return values of an update.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..values import AttributeValue, Item
from .condition import resolve
from .nodes import Path


@dataclass(frozen=True)
class Projection:
    """A parsed projection; ``apply(item)`` returns the projected item."""

    paths: tuple[Path, ...]

    @property
    def top_level_names(self) -> set[str]:
        return {path.top for path in self.paths}

    def apply(self, item: Item | None) -> Item:
        return project_paths(item or {}, self.paths)


def project_paths(item: Item, paths: Iterable[Path]) -> Item:
    """The parts of ``item`` at ``paths``, keeping their nesting."""
    # Build a tree first: ("M", {name: node}) / ("L", {index: node}) / ("V", value).
    root: dict[str, Any] = {}
    for path in paths:
        value = resolve(item, path)
        if value is None:
            continue
        elements = path.elements
        branch: dict[Any, Any] = root
        for position, element in enumerate(elements):
            if position == len(elements) - 1:
                branch[element] = ("V", value)
                break
            following = elements[position + 1]
            kind = "L" if isinstance(following, int) else "M"
            node = branch.get(element)
            if node is None or node[0] == "V":
                node = (kind, {})
                branch[element] = node
            branch = node[1]
    return {name: _build(node) for name, node in root.items()}


def _build(node: tuple[str, Any]) -> AttributeValue:
    kind, data = node
    if kind == "V":
        value: AttributeValue = data
        return value
    if kind == "M":
        return {"M": {name: _build(child) for name, child in data.items()}}
    return {"L": [_build(data[index]) for index in sorted(data)]}
