"""Consumed capacity as DynamoDB computes it, and the ConsumedCapacity shape.

Reads cost one unit per 4 KB (rounded up) when strongly consistent, half that when
eventually consistent; writes one unit per 1 KB of the larger of the old and new item.
Transactions cost twice. A secondary index costs what writing its entry costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Capacity", "Units", "read_units", "write_units"]

READ_UNIT = 4096
WRITE_UNIT = 1024


def read_units(size: int, consistent: bool) -> float:
    units = float(max(1, math.ceil(size / READ_UNIT)))
    return units if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / WRITE_UNIT)))


@dataclass
class Units:
    """Units consumed on one table or index, and how many of them were reads or writes."""

    total: float = 0.0
    read: float = 0.0
    write: float = 0.0

    def add(self, units: float, kind: str | None) -> None:
        self.total += units
        if kind == "read":
            self.read += units
        elif kind == "write":
            self.write += units

    def shape(self, split: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"CapacityUnits": self.total}
        if split:
            # transactional answers also say which units were reads and which writes
            if self.read:
                out["ReadCapacityUnits"] = self.read
            if self.write:
                out["WriteCapacityUnits"] = self.write
        return out


@dataclass
class Capacity:
    """What one table (and its indexes) consumed in a request.

    ``split`` marks a transactional request: DynamoDB then reports ReadCapacityUnits and
    WriteCapacityUnits beside CapacityUnits; single-item, batch and read requests report
    the aggregate alone.
    """

    table_name: str
    split: bool = False
    table: Units = field(default_factory=Units)
    global_indexes: dict[str, Units] = field(default_factory=dict)
    local_indexes: dict[str, Units] = field(default_factory=dict)

    def add_table(self, units: float) -> None:
        self.table.add(units, None)

    def add_read(self, units: float) -> None:
        self.table.add(units, "read")

    def add_write(self, units: float) -> None:
        self.table.add(units, "write")

    def add_index(
        self, name: str, units: float, *, is_global: bool, write: bool | None = None
    ) -> None:
        target = self.global_indexes if is_global else self.local_indexes
        kind = None if write is None else "write" if write else "read"
        target.setdefault(name, Units()).add(units, kind)

    def _all(self) -> list[Units]:
        return [self.table, *self.global_indexes.values(), *self.local_indexes.values()]

    def shape(self, mode: str | None) -> dict[str, Any] | None:
        """The ConsumedCapacity member for ReturnConsumedCapacity ``mode``."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        total = Units()
        for units in self._all():
            total.total += units.total
            total.read += units.read
            total.write += units.write
        out: dict[str, Any] = {"TableName": self.table_name, **total.shape(self.split)}
        if mode == "INDEXES":
            out["Table"] = self.table.shape(self.split)
            if self.global_indexes:
                out["GlobalSecondaryIndexes"] = {
                    n: u.shape(self.split) for n, u in self.global_indexes.items()
                }
            if self.local_indexes:
                out["LocalSecondaryIndexes"] = {
                    n: u.shape(self.split) for n, u in self.local_indexes.items()
                }
        return out
