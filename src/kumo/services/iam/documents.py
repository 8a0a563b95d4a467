"""Policy documents: the grammar checks IAM makes before it stores one, and its wire form.

IAM keeps a document exactly as it was sent and returns it URL-encoded (botocore's IAM
client decodes it back to a dict). Two kinds are checked here: *identity* policies
(inline and managed; no principal, actions and resources required) and *trust* policies
(a role's AssumeRolePolicyDocument; a principal required, no resource).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from kumo.services.iam.errors import limit_exceeded, malformed_policy

__all__ = [
    "MANAGED_POLICY_MAX",
    "ROLE_INLINE_MAX",
    "TRUST_POLICY_MAX",
    "USER_INLINE_MAX",
    "policy_size",
    "url_encode",
    "validate_identity_policy",
    "validate_trust_policy",
]

# IAM's size quotas, counted in characters without whitespace
MANAGED_POLICY_MAX = 6144
TRUST_POLICY_MAX = 2048
ROLE_INLINE_MAX = 10240
USER_INLINE_MAX = 2048

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})

SYNTAX_ERRORS = "Syntax errors in policy."


def url_encode(document: str) -> str:
    """The document as IAM returns it: percent-encoded, every reserved character escaped."""
    return quote(document, safe="")


def policy_size(document: str) -> int:
    """The size IAM counts against its quotas: characters other than whitespace."""
    return sum(1 for ch in document if not ch.isspace())


def _load(document: str) -> dict[str, Any]:
    try:
        parsed = json.loads(document)
    except ValueError:
        raise malformed_policy("This policy contains invalid Json") from None
    if not isinstance(parsed, dict):
        raise malformed_policy(SYNTAX_ERRORS)
    if set(parsed) - _TOP_LEVEL:
        raise malformed_policy(SYNTAX_ERRORS)
    version = parsed.get("Version")
    if version is not None and version not in VERSIONS:
        raise malformed_policy("The policy failed legacy parsing")
    return parsed


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statement = policy.get("Statement")
    if isinstance(statement, dict):
        statements = [statement]
    elif isinstance(statement, list) and statement:
        statements = statement
    else:
        raise malformed_policy(SYNTAX_ERRORS)
    for item in statements:
        if not isinstance(item, dict) or set(item) - _STATEMENT_KEYS:
            raise malformed_policy(SYNTAX_ERRORS)
        if item.get("Effect") not in ("Allow", "Deny"):
            raise malformed_policy(SYNTAX_ERRORS)
        sid = item.get("Sid")
        if sid is not None and not isinstance(sid, str):
            raise malformed_policy(SYNTAX_ERRORS)
        condition = item.get("Condition")
        if condition is not None and not isinstance(condition, dict):
            raise malformed_policy(SYNTAX_ERRORS)
    return statements


def _strings(value: Any) -> list[str]:
    """A policy element that is a string or a non-empty list of strings, as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise malformed_policy(SYNTAX_ERRORS)


def _check_actions(statement: dict[str, Any]) -> None:
    has_action = "Action" in statement
    if has_action == ("NotAction" in statement):
        if has_action:
            raise malformed_policy(SYNTAX_ERRORS)
        raise malformed_policy("Policy statement must contain actions.")
    for action in _strings(statement["Action" if has_action else "NotAction"]):
        if action != "*" and ":" not in action:
            raise malformed_policy(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
            )


def _check_resources(statement: dict[str, Any]) -> None:
    has_resource = "Resource" in statement
    if has_resource == ("NotResource" in statement):
        if has_resource:
            raise malformed_policy(SYNTAX_ERRORS)
        raise malformed_policy("Policy statement must contain resources.")
    for resource in _strings(statement["Resource" if has_resource else "NotResource"]):
        if resource != "*" and not resource.startswith("arn:"):
            raise malformed_policy(f'Resource {resource} must be in ARN format or "*".')


def _check_principal(value: Any) -> None:
    if value == "*":
        return
    if not isinstance(value, dict) or not value:
        raise malformed_policy(SYNTAX_ERRORS)
    for kind, ids in value.items():
        if kind not in _PRINCIPAL_KINDS:
            raise malformed_policy(f"Invalid principal in policy: {json.dumps({kind: ids})}")
        _strings(ids)


def _check_size(document: str, limit: int, quota: str) -> None:
    if policy_size(document) > limit:
        raise limit_exceeded(f"Cannot exceed quota for {quota}: {limit}")


def validate_identity_policy(document: str, *, managed: bool = False) -> None:
    """Check an inline or managed (``managed``) permissions policy; raise as IAM does."""
    if managed:
        _check_size(document, MANAGED_POLICY_MAX, "PolicySize")
    policy = _load(document)
    for statement in _statements(policy):
        if "Principal" in statement or "NotPrincipal" in statement:
            raise malformed_policy("Policy document should not specify a principal.")
        _check_actions(statement)
        _check_resources(statement)


def validate_trust_policy(document: str) -> None:
    """Check a role's trust policy (who may assume it); raise as IAM does."""
    _check_size(document, TRUST_POLICY_MAX, "ACLSizePerRole")
    policy = _load(document)
    for statement in _statements(policy):
        if "Resource" in statement or "NotResource" in statement:
            field = "Resource" if "Resource" in statement else "NotResource"
            raise malformed_policy(f"Has prohibited field {field}")
        if "Principal" in statement:
            _check_principal(statement["Principal"])
        elif "NotPrincipal" in statement:
            _check_principal(statement["NotPrincipal"])
        else:
            raise malformed_policy("Missing required field Principal")
        _check_actions(statement)
