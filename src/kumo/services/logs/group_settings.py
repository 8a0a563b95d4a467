"""Per-log-group settings kept beside the group record: its data protection policy and its
deletion protection flag.

They live in ``logs.group_settings`` keyed ``(account, region, group)`` so the group record
of the log store stays as it is; :func:`delete_group_settings` removes them with the group,
and :func:`settings_of` gives DescribeLogGroups what it reports about them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "GROUP_SETTINGS",
    "GroupSettings",
    "delete_group_settings",
    "put_settings",
    "settings_of",
]

GROUP_SETTINGS = "logs.group_settings"


@dataclass
class GroupSettings:
    deletion_protection: bool = False
    # the data protection policy document as given, and when it was last put
    data_protection_policy: str | None = None
    data_protection_updated: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> GroupSettings:
        return cls(**value)


def settings_of(tx: Tx, account: str, region: str, group: str) -> GroupSettings:
    value = tx.get(GROUP_SETTINGS, key(account, region, group))
    return GroupSettings.from_json(value) if value is not None else GroupSettings()


def put_settings(tx: Tx, account: str, region: str, group: str, settings: GroupSettings) -> None:
    if settings == GroupSettings():
        tx.delete(GROUP_SETTINGS, key(account, region, group))
    else:
        tx.put(GROUP_SETTINGS, key(account, region, group), settings.to_json())


def delete_group_settings(tx: Tx, account: str, region: str, group: str) -> None:
    tx.delete(GROUP_SETTINGS, key(account, region, group))
