"""The input constraints IAM checks before it touches state, worded as AWS reports them.

Names, paths, descriptions and page sizes follow the patterns and lengths of IAM's model;
tags add IAM's own rules (keys compare case-insensitively, at most 50 per resource).
"""

from __future__ import annotations

import re
import unicodedata

from kumo.aws.errors import ServiceError
from kumo.services.iam.errors import invalid_input, limit_exceeded, validation_error

__all__ = [
    "MAX_TAGS",
    "check_description",
    "check_length",
    "check_max_items",
    "check_name",
    "check_path",
    "check_path_prefix",
    "check_policy_path",
    "check_range",
    "check_tags",
    "merge_tags",
    "remove_tags",
]

# -- input rules ---------------------------------------------------------------------------

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_NAME_PATTERN = r"[\w+=,.@-]+"
_PATH = re.compile(r"(/)|(/[\u0021-\u007E]+/)")
_PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
_PATH_PREFIX = re.compile(r"/[\u0021-\u007F]*")
_PATH_PREFIX_PATTERN = r"\u002F[\u0021-\u007F]*"
_POLICY_PATH = re.compile(r"((/[A-Za-z0-9.,+@=_-]+)*)/")
_POLICY_PATH_PATTERN = r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"
_DESCRIPTION = re.compile(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*")
_DESCRIPTION_PATTERN = r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"
_TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]"
_TAG_EXTRA = set("_.:/=+-@")

MAX_TAGS = 50


def _check_bounds(size: int, value: object, member: str, low: int, high: int, what: str) -> None:
    """``size`` (the value's ``what``: ``length`` or ``value``) within ``low..high``."""
    if size < low:
        raise validation_error(
            value, member, f"Member must have {what} greater than or equal to {low}"
        )
    if size > high:
        raise validation_error(
            value, member, f"Member must have {what} less than or equal to {high}"
        )


def check_length(value: str, member: str, low: int, high: int) -> None:
    _check_bounds(len(value), value, member, low, high, "length")


def check_range(value: int, member: str, low: int, high: int) -> None:
    _check_bounds(value, value, member, low, high, "value")


def _pattern_error(value: object, member: str, pattern: str) -> ServiceError:
    return validation_error(
        value, member, f"Member must satisfy regular expression pattern: {pattern}"
    )


def _check_text(
    value: str, member: str, high: int, regex: re.Pattern[str], pattern: str, low: int = 1
) -> None:
    """``value`` of ``low..high`` characters that ``regex`` (shown as ``pattern``) matches."""
    check_length(value, member, low, high)
    if not regex.fullmatch(value):
        raise _pattern_error(value, member, pattern)


def check_name(value: str, member: str, max_length: int = 64) -> None:
    """A role, user or policy name: 1..max characters of ``[\\w+=,.@-]``."""
    _check_text(value, member, max_length, _NAME, _NAME_PATTERN)


def check_path(value: str, member: str = "path") -> None:
    _check_text(value, member, 512, _PATH, _PATH_PATTERN)


def check_path_prefix(value: str, member: str = "pathPrefix") -> None:
    _check_text(value, member, 512, _PATH_PREFIX, _PATH_PREFIX_PATTERN)


def check_policy_path(value: str, member: str = "path") -> None:
    _check_text(value, member, 512, _POLICY_PATH, _POLICY_PATH_PATTERN)


def check_description(value: str, member: str = "description") -> None:
    _check_text(value, member, 1000, _DESCRIPTION, _DESCRIPTION_PATTERN, low=0)


def check_max_items(value: int | None) -> int:
    """The page size: MaxItems when given (1..1000), else IAM's default of 100."""
    if value is None:
        return 100
    check_range(value, "maxItems", 1, 1000)
    return value


def _tag_text_ok(text: str) -> bool:
    return all(ch in _TAG_EXTRA or unicodedata.category(ch)[0] in ("L", "Z", "N") for ch in text)


def check_tags(tags: list[dict[str, str]], member: str = "tags") -> None:
    """Tag keys 1..128 and values 0..256 of letters, spaces, digits and ``_.:/=+-@``;
    at most 50; no key twice (keys compare case-insensitively)."""
    if len(tags) > MAX_TAGS:
        raise validation_error(
            tags, member, f"Member must have length less than or equal to {MAX_TAGS}"
        )
    seen: set[str] = set()
    for index, tag in enumerate(tags, start=1):
        key, value = tag.get("Key", ""), tag.get("Value", "")
        where = f"{member}.{index}.member"
        check_length(key, f"{where}.key", 1, 128)
        if not _tag_text_ok(key):
            raise _pattern_error(key, f"{where}.key", f"{_TAG_PATTERN}+")
        check_length(value, f"{where}.value", 0, 256)
        if not _tag_text_ok(value):
            raise _pattern_error(value, f"{where}.value", f"{_TAG_PATTERN}*")
        if key.lower() in seen:
            raise invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())


def merge_tags(current: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    """``current`` with ``new`` added; a new tag replaces one whose key differs only in case."""
    check_tags(new)
    merged = {t["Key"].lower(): dict(t) for t in current}
    for tag in new:
        merged[tag["Key"].lower()] = {"Key": tag["Key"], "Value": tag.get("Value", "")}
    if len(merged) > MAX_TAGS:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return list(merged.values())


def remove_tags(current: list[dict[str, str]], keys: list[str]) -> list[dict[str, str]]:
    drop = {k.lower() for k in keys}
    return [t for t in current if t["Key"].lower() not in drop]
