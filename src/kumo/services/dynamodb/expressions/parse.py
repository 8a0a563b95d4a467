"""Entry points: text of an expression in, checked tree (Condition, Update, Projection) out."""

from __future__ import annotations

from kumo.aws.errors import ServiceError

from .checks import check_add_delete, check_condition, check_paths, check_update_value
from .condition import Condition
from .context import ExpressionContext, expression_error
from .parser import Parser
from .projection import Projection
from .update import Update


def parse_condition(
    text: str | None, ctx: ExpressionContext, kind: str = "ConditionExpression"
) -> Condition:
    """Parse a ConditionExpression (or, with ``kind="FilterExpression"``, a filter)."""
    parser = Parser(text, ctx, kind)
    node = parser.parse_condition()
    parser.finish()
    check_condition(node, parser.error)
    return Condition(node, kind)


def parse_filter(text: str | None, ctx: ExpressionContext) -> Condition:
    """Parse a FilterExpression (Query and Scan)."""
    return parse_condition(text, ctx, "FilterExpression")


def parse_update(text: str | None, ctx: ExpressionContext) -> Update:
    """Parse an UpdateExpression."""
    kind = "UpdateExpression"
    parser = Parser(text, ctx, kind)
    actions = parser.parse_update()
    parser.finish()

    def error(message: str) -> ServiceError:
        return expression_error(kind, message)

    for section, pairs in (("ADD", actions.adds), ("DELETE", actions.deletes)):
        for _path, operand in pairs:
            check_add_delete(section, operand.value, error)
    check_paths(actions.targets, error)
    for _path, set_value in actions.sets:
        check_update_value(set_value, error)
    return Update(
        sets=tuple(actions.sets),
        removes=tuple(actions.removes),
        adds=tuple((path, operand.value) for path, operand in actions.adds),
        deletes=tuple((path, operand.value) for path, operand in actions.deletes),
        paths=tuple(actions.targets),
    )


def parse_projection(text: str | None, ctx: ExpressionContext) -> Projection:
    """Parse a ProjectionExpression."""
    kind = "ProjectionExpression"
    parser = Parser(text, ctx, kind)
    paths = parser.parse_projection()
    parser.finish()
    check_paths(paths, parser.error)
    return Projection(tuple(paths))
