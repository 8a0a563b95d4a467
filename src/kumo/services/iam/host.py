"""What IAM's operation functions are given: the provider they are bound to.

The operations live in modules by sub-resource (``roles``, ``users``, ``principals``,
``managed_policies``, ``keys``) as plain functions whose first parameter is the provider;
``provider.py`` binds each one to its operation name. This protocol is all those functions
may use of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kumo.storage.base import Store

__all__ = ["Host", "Output", "Tags"]

Output = dict[str, Any]
Tags = list[dict[str, str]]


class Host(Protocol):
    @property
    def store(self) -> Store: ...
