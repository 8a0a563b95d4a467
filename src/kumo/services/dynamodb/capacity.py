"""Consumed capacity as DynamoDB computes it, and the ConsumedCapacity shape.

Reads cost one unit per 4 KB (rounded up) when strongly consistent, half that when
eventually consistent; writes one unit per 1 KB of the larger of the old and new item.
Transactions cost twice. A secondary index costs what writing its entry costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Capacity", "read_units", "write_units"]

READ_UNIT = 4096
WRITE_UNIT = 1024


def read_units(size: int, consistent: bool) -> float:
    units = float(max(1, math.ceil(size / READ_UNIT)))
    return units if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, math.ceil(size / WRITE_UNIT)))


@dataclass
class Capacity:
    """What one table (and its indexes) consumed in a request."""

    table_name: str
    table: float = 0.0
    global_indexes: dict[str, float] = field(default_factory=dict)
    local_indexes: dict[str, float] = field(default_factory=dict)

    def add_table(self, units: float) -> None:
        self.table += units

    # reads and writes add up alike; the names say at the call site which one it is
    add_read = add_table
    add_write = add_table

    def add_index(
        self, name: str, units: float, *, is_global: bool, write: bool | None = None
    ) -> None:
        # ``write`` tells what the units were for; DynamoDB reports one figure either way
        target = self.global_indexes if is_global else self.local_indexes
        target[name] = target.get(name, 0.0) + units

    def shape(self, mode: str | None) -> dict[str, Any] | None:
        """The ConsumedCapacity member for ReturnConsumedCapacity ``mode``."""
        if mode not in ("TOTAL", "INDEXES"):
            return None
        total = self.table + sum(self.global_indexes.values()) + sum(self.local_indexes.values())
        out: dict[str, Any] = {"TableName": self.table_name, "CapacityUnits": total}
        if mode == "INDEXES":
            out["Table"] = {"CapacityUnits": self.table}
            if self.global_indexes:
                out["GlobalSecondaryIndexes"] = {
                    n: {"CapacityUnits": u} for n, u in self.global_indexes.items()
                }
            if self.local_indexes:
                out["LocalSecondaryIndexes"] = {
                    n: {"CapacityUnits": u} for n, u in self.local_indexes.items()
                }
        return out
