"""Subscription filter policies: checked when set, applied to each published message.

A policy is a JSON object. With ``FilterPolicyScope=MessageAttributes`` (the default) each key
names a message attribute and holds a list of rules; with ``MessageBody`` keys may nest to
follow the body's JSON objects. A message matches when every key matches (a key matches when
any of its rules does), and ``"$or": [policy, ...]`` matches when any of its policies does.
Rules: exact strings and numbers, ``prefix``, ``suffix``, ``equals-ignore-case``,
``anything-but`` (values, ``prefix`` or ``suffix``), ``numeric`` ranges, ``exists`` and
``cidr``.
"""

from __future__ import annotations

import ipaddress
import json
import math
from typing import Any

from kumo.services.sns.errors import invalid_parameter

__all__ = ["ATTRIBUTES", "BODY", "check_policy", "matches"]

ATTRIBUTES = "MessageAttributes"
BODY = "MessageBody"
MAX_KEYS = 5
MAX_COMBINATIONS = 150
_LOWER = (">", ">=")
_UPPER = ("<", "<=")
_MISSING = object()


class _PolicyError(Exception):
    """A reason a policy is refused; ``parse`` marks the errors AWS reports from its JSON
    parser, which Subscribe words with "Attributes Reason:"."""

    def __init__(self, reason: str, *, parse: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.parse = parse


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- checking ------------------------------------------------------------------------------


def check_policy(text: str, scope: str, *, lead: str = "") -> dict[str, Any]:
    """The parsed policy, or ``InvalidParameter`` with AWS's reason. ``lead`` is what
    Subscribe puts before reasons found while parsing ("Attributes Reason: ")."""
    if scope not in (ATTRIBUTES, BODY):
        raise invalid_parameter(
            f"FilterPolicyScope: Invalid value [{scope}]. Please use either MessageBody or "
            "MessageAttributes"
        )
    try:
        policy = json.loads(text)
    except ValueError:
        raise invalid_parameter(f"{lead}FilterPolicy: failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise invalid_parameter("FilterPolicy: Filter policy must be a JSON object")
    if not policy:
        return policy
    try:
        keys, combinations = _check_object(policy, scope)
    except _PolicyError as err:
        if err.parse:
            raise invalid_parameter(f"{lead}FilterPolicy: {err.reason}") from None
        raise invalid_parameter(
            err.reason
            if err.reason.startswith("Filter policy scope")
            else f"FilterPolicy: {err.reason}"
        ) from None
    if keys > MAX_KEYS:
        raise invalid_parameter(
            f"FilterPolicy: Filter policy can not have more than {MAX_KEYS} keys"
        )
    if combinations > MAX_COMBINATIONS:
        raise invalid_parameter("FilterPolicy: Filter policy is too complex")
    return policy


def _check_object(policy: dict[str, Any], scope: str) -> tuple[int, int]:
    """Number of keys and of combinations of ``policy`` (one object level)."""
    keys = 0
    combinations = 1
    for name, value in policy.items():
        if name == "$or":
            if not isinstance(value, list) or len(value) < 2:
                raise _PolicyError("Or statement must contain at least 2 filter policies")
            branches = [_check_object(_object(v), scope) for v in value]
            keys += max(k for k, _ in branches)
            combinations *= sum(c for _, c in branches)
        elif isinstance(value, dict):
            if scope == ATTRIBUTES:
                raise _PolicyError(
                    "Filter policy scope MessageAttributes does not support nested filter policy"
                )
            sub_keys, sub_combinations = _check_object(value, scope)
            keys += sub_keys
            combinations *= sub_combinations
        elif isinstance(value, list):
            if not value:
                raise _PolicyError(f'Empty arrays are not allowed for "{name}"', parse=True)
            for rule in value:
                _check_rule(rule)
            keys += 1
            combinations *= len(value)
        else:
            raise _PolicyError(f'"{name}" must be an object or an array', parse=True)
    return keys, combinations


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise _PolicyError("Or statement must contain filter policies")
    return value


def _check_rule(rule: Any) -> None:
    if rule is None or isinstance(rule, str | bool) or _is_number(rule):
        return
    if not isinstance(rule, dict):
        raise _PolicyError("Match value must be String, number, true, false, or null")
    if len(rule) != 1:
        raise _PolicyError("Only one key allowed in match expression", parse=True)
    ((kind, value),) = rule.items()
    if kind in ("prefix", "suffix", "equals-ignore-case"):
        if not isinstance(value, str):
            raise _PolicyError(f"{kind} match pattern must be a string", parse=True)
    elif kind == "exists":
        if not isinstance(value, bool):
            raise _PolicyError("exists match pattern must be either true or false.")
    elif kind == "anything-but":
        _check_anything_but(value)
    elif kind == "numeric":
        _check_numeric(value)
    elif kind == "cidr":
        try:
            ipaddress.ip_network(value, strict=False)
        except (TypeError, ValueError):
            raise _PolicyError("Malformed CIDR, one '/' required", parse=True) from None
    else:
        raise _PolicyError(f"Unrecognized match type {kind}")


def _check_anything_but(value: Any) -> None:
    if isinstance(value, str) or _is_number(value):
        return
    if isinstance(value, list):
        if not value or not all(isinstance(v, str) or _is_number(v) for v in value):
            raise _PolicyError(
                "Inside anything but list, start|null|boolean is not supported.", parse=True
            )
        return
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind in ("prefix", "suffix") and isinstance(inner, str):
            return
        raise _PolicyError(f"Unsupported anything-but pattern: {kind}", parse=True)
    raise _PolicyError(
        "Value of anything-but must be an array or single string/number value.", parse=True
    )


def _member(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def _check_numeric(value: Any) -> None:
    """A numeric expression: ``["=", n]``, or a lower bound (``>``, ``>=``) and/or an upper
    bound (``<``, ``<=``), lower first."""
    if not isinstance(value, list) or not value:
        raise _PolicyError("Invalid member in numeric match: ]", parse=True)
    if not isinstance(value[0], str):
        raise _PolicyError(f"Invalid member in numeric match: {_member(value[0])}", parse=True)
    bounds: list[str] = []
    for i in range(0, len(value), 2):
        op = value[i]
        if not isinstance(op, str) or op not in ("=", *_LOWER, *_UPPER):
            raise _PolicyError(f"Unrecognized numeric range operator: {_member(op)}", parse=True)
        # after "=" or an upper bound nothing may follow; a lower bound may not repeat
        if bounds and (bounds[-1] == "=" or bounds[-1] in _UPPER or op == "="):
            raise _PolicyError("Too many elements in numeric expression", parse=True)
        if bounds and op in _LOWER:
            raise _PolicyError(f"Bad numeric range operator: {op}", parse=True)
        if i + 1 >= len(value) or not _is_number(value[i + 1]):
            raise _PolicyError(f"Value of {op} must be numeric", parse=True)
        bounds.append(op)
    if len(bounds) == 2 and value[1] >= value[3]:
        raise _PolicyError("Bottom must be less than top", parse=True)


# -- matching ------------------------------------------------------------------------------


def matches(
    policy: dict[str, Any],
    scope: str,
    attributes: dict[str, dict[str, Any]],
    message: str,
) -> bool:
    """Whether a message with ``attributes`` (wire form) and body ``message`` passes."""
    if not policy:
        return True
    if scope == BODY:
        try:
            body = json.loads(message)
        except ValueError:
            return False
        return isinstance(body, dict) and _match_object(policy, body)
    return _match_object(policy, _attribute_values(attributes))


def _attribute_values(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Message attributes as the values rules compare against (binary ones are skipped)."""
    values: dict[str, Any] = {}
    for name, attribute in attributes.items():
        data_type = attribute.get("DataType", "")
        raw = attribute.get("StringValue")
        if data_type.startswith("Binary") or raw is None:
            continue
        if data_type.startswith("Number"):
            try:
                values[name] = float(raw)
            except ValueError:
                values[name] = raw
        elif data_type == "String.Array":
            try:
                values[name] = json.loads(raw)
            except ValueError:
                values[name] = raw
        else:
            values[name] = raw
    return values


def _match_object(policy: dict[str, Any], data: dict[str, Any]) -> bool:
    for name, rules in policy.items():
        if name == "$or":
            if not any(_match_object(branch, data) for branch in rules):
                return False
            continue
        value = data.get(name, _MISSING)
        if isinstance(rules, dict):
            candidates = value if isinstance(value, list) else [value]
            if not any(isinstance(c, dict) and _match_object(rules, c) for c in candidates):
                return False
        elif not _match_rules(rules, value):
            return False
    return True


def _match_rules(rules: list[Any], value: Any) -> bool:
    present = value is not _MISSING
    candidates = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            if rule["exists"] == present:
                return True
        elif present and any(_match_rule(rule, c) for c in candidates):
            return True
    return False


def _equal(rule: Any, value: Any) -> bool:
    if _is_number(rule):
        return _is_number(value) and math.isclose(float(rule), float(value))
    if isinstance(rule, bool) or rule is None:
        return value is rule
    return isinstance(value, str) and value == rule


def _match_rule(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return _equal(rule, value)
    ((kind, arg),) = rule.items()
    if kind == "prefix":
        return isinstance(value, str) and value.startswith(arg)
    if kind == "suffix":
        return isinstance(value, str) and value.endswith(arg)
    if kind == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == arg.lower()
    if kind == "numeric":
        return _is_number(value) and _in_range(arg, float(value))
    if kind == "cidr":
        return _in_network(arg, value)
    if kind == "anything-but":
        return _anything_but(arg, value)
    return False


def _in_range(expression: list[Any], number: float) -> bool:
    checks = {
        "=": lambda bound: math.isclose(number, bound),
        "<": lambda bound: number < bound,
        "<=": lambda bound: number <= bound,
        ">": lambda bound: number > bound,
        ">=": lambda bound: number >= bound,
    }
    pairs = zip(expression[::2], expression[1::2], strict=True)
    return all(checks[op](float(bound)) for op, bound in pairs)


def _in_network(cidr: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False


def _anything_but(arg: Any, value: Any) -> bool:
    if isinstance(arg, dict):
        ((kind, inner),) = arg.items()
        if not isinstance(value, str):
            return False
        return not (value.startswith(inner) if kind == "prefix" else value.endswith(inner))
    excluded = arg if isinstance(arg, list) else [arg]
    return not any(_equal(e, value) for e in excluded)
