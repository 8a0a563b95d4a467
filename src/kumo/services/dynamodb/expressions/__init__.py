"""DynamoDB's expression languages: conditions, filters, updates, projections, key conditions.

Parse with an :class:`ExpressionContext` holding the request's ExpressionAttributeNames and
ExpressionAttributeValues; call ``ctx.check_unused()`` once every expression of the request
is parsed. The legacy parameters (Expected, AttributeUpdates, QueryFilter/ScanFilter,
KeyConditions, AttributesToGet) compile to the same objects.
"""

from __future__ import annotations

from .condition import Condition
from .context import ExpressionContext, ExpressionNames
from .keycondition import KeyCondition, parse_key_condition
from .legacy import (
    check_names_values_usage,
    check_not_mixed,
    legacy_attribute_updates,
    legacy_expected,
    legacy_filter,
    legacy_key_conditions,
    legacy_projection,
)
from .nodes import Path
from .parse import parse_condition, parse_filter, parse_projection, parse_update
from .projection import Projection, project_paths
from .update import Update

__all__ = [
    "Condition",
    "ExpressionContext",
    "ExpressionNames",
    "KeyCondition",
    "Path",
    "Projection",
    "Update",
    "check_names_values_usage",
    "check_not_mixed",
    "legacy_attribute_updates",
    "legacy_expected",
    "legacy_filter",
    "legacy_key_conditions",
    "legacy_projection",
    "parse_condition",
    "parse_filter",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
    "project_paths",
]
