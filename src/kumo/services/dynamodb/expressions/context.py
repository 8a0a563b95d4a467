"""ExpressionAttributeNames/Values of one request, and which of them the expressions used.

One context serves every expression of a request (condition, update, projection, filter,
key condition); after parsing them all, ``check_unused`` raises DynamoDB's error for
names or values that no expression referenced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kumo.aws.errors import ServiceError

from ..values import AttributeValue, validate_value, validation_error

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")


def expression_error(kind: str, message: str) -> ServiceError:
    """``Invalid <kind>: <message>`` as a ValidationException."""
    return validation_error(f"Invalid {kind}: {message}")


class ExpressionContext:
    """The substitution tables of one request plus the keys its expressions referenced."""

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        if names is not None and len(names) == 0:
            raise validation_error("ExpressionAttributeNames must not be empty")
        if values is not None and len(values) == 0:
            raise validation_error("ExpressionAttributeValues must not be empty")
        for key, name in (names or {}).items():
            if not _NAME_KEY.fullmatch(key):
                raise validation_error(
                    f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                )
            if not name:
                raise validation_error(
                    f"ExpressionAttributeNames contains invalid value: Empty attribute name for "
                    f"key {key}"
                )
        checked: dict[str, AttributeValue] = {}
        for key, value in (values or {}).items():
            if not _VALUE_KEY.fullmatch(key):
                raise validation_error(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )
            try:
                checked[key] = validate_value(value, key)
            except ServiceError as exc:
                raise validation_error(
                    f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
                ) from None
        self.names: dict[str, str] = dict(names or {})
        self.values: dict[str, AttributeValue] = checked
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    @property
    def has_names(self) -> bool:
        return bool(self.names)

    @property
    def has_values(self) -> bool:
        return bool(self.values)

    def lookup_name(self, key: str) -> str | None:
        """The attribute name ``#key`` stands for (marking it used), or None if undefined."""
        if key in self.names:
            self.used_names.add(key)
            return self.names[key]
        return None

    def lookup_value(self, key: str) -> AttributeValue | None:
        """The value ``:key`` stands for (marking it used), or None if undefined."""
        if key in self.values:
            self.used_values.add(key)
            return self.values[key]
        return None

    def check_unused(self) -> None:
        """Raise DynamoDB's error when a name or value was given but never referenced."""
        unused_names = [k for k in self.names if k not in self.used_names]
        if unused_names:
            raise validation_error(
                "Value provided in ExpressionAttributeNames unused in expressions: "
                f"keys: {{{', '.join(unused_names)}}}"
            )
        unused_values = [k for k in self.values if k not in self.used_values]
        if unused_values:
            raise validation_error(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(unused_values)}}}"
            )


# The brief's alias: the names table is part of the context.
ExpressionNames = ExpressionContext
