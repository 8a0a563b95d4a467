"""Recursive-descent parser for condition, update and projection expressions.

DynamoDB checks an expression in stages and reports the first failing stage, so this parser
raises only syntax errors while reading; reserved words, unknown functions, repeated update
sections and undefined names/values are collected and raised afterwards in DynamoDB's
order, before the semantic checks in :mod:`.checks` run on the finished tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kumo.aws.errors import ServiceError

from .context import ExpressionContext, expression_error
from .lexer import EOF, NAME, NAME_REF, NUMBER, OP, PUNCT, VALUE_REF, Token, tokenize
from .nodes import (
    ALL_FUNCTIONS,
    And,
    Arithmetic,
    Between,
    Comparison,
    FunctionCondition,
    FunctionOperand,
    In,
    Node,
    Not,
    Operand,
    Or,
    Path,
    PathElement,
    PathOperand,
    ValueOperand,
)
from .reserved import is_reserved

MAX_PATH_DEPTH = 32
MAX_EXPRESSION_BYTES = 4096
_CONDITION_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
_UPDATE_SECTIONS = ("SET", "REMOVE", "ADD", "DELETE")
# Stands in for an undefined :value until finish() reports it; never evaluated.
_PLACEHOLDER: dict[str, object] = {"NULL": True}


@dataclass
class UpdateActions:
    """The parsed sections of an update expression, each action in textual order."""

    sets: list[tuple[Path, Operand]] = field(default_factory=list)
    removes: list[Path] = field(default_factory=list)
    adds: list[tuple[Path, ValueOperand]] = field(default_factory=list)
    deletes: list[tuple[Path, ValueOperand]] = field(default_factory=list)
    # Every target path in the order it appears, for overlap checks.
    targets: list[Path] = field(default_factory=list)


class Parser:
    """One expression of one kind (``ConditionExpression``, ``UpdateExpression``, ...)."""

    def __init__(self, text: str | None, ctx: ExpressionContext, kind: str) -> None:
        self.kind = kind
        self.ctx = ctx
        self.text = text or ""
        if not self.text.strip():
            raise expression_error(kind, "The expression can not be empty;")
        size = len(self.text.encode("utf-8"))
        if size > MAX_EXPRESSION_BYTES:
            raise expression_error(
                kind,
                f"Expression size has exceeded the maximum allowed size; expression size: {size}",
            )
        self.tokens = tokenize(self.text)
        self.pos = 0
        self.keywords: frozenset[str] = _CONDITION_KEYWORDS
        self._reserved: list[str] = []
        self._bad_functions: list[str] = []
        self._repeated_sections: list[str] = []
        self._undefined_names: list[str] = []
        self._undefined_values: list[str] = []
        self._too_deep: list[int] = []

    # ----------------------------------------------------------------- token helpers

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != EOF:
            self.pos += 1
        return token

    def error(self, message: str) -> ServiceError:
        return expression_error(self.kind, message)

    def syntax_error(self, token: Token | None = None) -> ServiceError:
        token = token or self.peek()
        index = self.tokens.index(token)
        start = self.tokens[index - 1].start if index > 0 else token.start
        after = self.tokens[index + 1] if index + 1 < len(self.tokens) else token
        end = after.end if after.kind != EOF else token.end
        near = self.text[start:end].strip()
        return self.error(f'Syntax error; token: "{token.text}", near: "{near}"')

    def expect_punct(self, text: str) -> Token:
        token = self.advance()
        if not token.is_punct(text):
            raise self.syntax_error(token)
        return token

    def expect_end(self) -> None:
        if self.peek().kind != EOF:
            raise self.syntax_error()

    def finish(self) -> None:
        """Raise the first deferred error, in the order DynamoDB reports them."""
        if self._reserved:
            raise self.error(
                f"Attribute name is a reserved keyword; reserved keyword: {self._reserved[0]}"
            )
        if self._bad_functions:
            raise self.error(f"Invalid function name; function: {self._bad_functions[0]}")
        if self._repeated_sections:
            raise self.error(
                f'The "{self._repeated_sections[0]}" section can only be used once in an '
                "update expression;"
            )
        if self._undefined_names:
            raise self.error(
                "An expression attribute name used in the document path is not defined; "
                f"attribute name: {self._undefined_names[0]}"
            )
        if self._undefined_values:
            raise self.error(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {self._undefined_values[0]}"
            )
        if self._too_deep:
            raise self.error(
                "The document path has too many nesting levels; "
                f"nesting levels: {self._too_deep[0]}"
            )

    # ----------------------------------------------------------------------- paths

    def _path_name(self) -> str:
        token = self.advance()
        if token.kind == NAME:
            if token.upper() in self.keywords:
                raise self.syntax_error(token)
            if is_reserved(token.text):
                self._reserved.append(token.text)
            return token.text
        if token.kind == NAME_REF:
            name = self.ctx.lookup_name(token.text)
            if name is None:
                self._undefined_names.append(token.text)
                return token.text
            return name
        raise self.syntax_error(token)

    def parse_path(self) -> Path:
        elements: list[PathElement] = [self._path_name()]
        while True:
            token = self.peek()
            if token.is_punct("."):
                self.advance()
                elements.append(self._path_name())
            elif token.is_punct("["):
                self.advance()
                number = self.advance()
                if number.kind != NUMBER:
                    raise self.syntax_error(number)
                self.expect_punct("]")
                elements.append(int(number.text))
            else:
                break
        if len(elements) > MAX_PATH_DEPTH:
            self._too_deep.append(len(elements))
        return Path(tuple(elements))

    # -------------------------------------------------------------------- operands

    def _value(self, token: Token) -> ValueOperand:
        value = self.ctx.lookup_value(token.text)
        if value is None:
            self._undefined_values.append(token.text)
            return ValueOperand(token.text, dict(_PLACEHOLDER))
        return ValueOperand(token.text, value)

    def _function(self) -> FunctionOperand:
        name = self.advance()
        if name.text not in ALL_FUNCTIONS:
            self._bad_functions.append(name.text)
        self.expect_punct("(")
        args = [self.parse_operand()]
        while self.peek().is_punct(","):
            self.advance()
            args.append(self.parse_operand())
        self.expect_punct(")")
        return FunctionOperand(name.text, tuple(args))

    def parse_operand(self) -> Operand:
        token = self.peek()
        if token.kind == VALUE_REF:
            self.advance()
            return self._value(token)
        if token.kind == NAME and self.peek(1).is_punct("("):
            return self._function()
        if token.kind in (NAME, NAME_REF):
            return PathOperand(self.parse_path())
        raise self.syntax_error(token)

    # ------------------------------------------------------------------ conditions

    def parse_condition(self) -> Node:
        node = self._or()
        self.expect_end()
        return node

    def _or(self) -> Node:
        node = self._and()
        while self.peek().is_word("OR"):
            self.advance()
            node = Or(node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self.peek().is_word("AND"):
            self.advance()
            node = And(node, self._not())
        return node

    def _not(self) -> Node:
        if self.peek().is_word("NOT"):
            self.advance()
            return Not(self._not())
        return self._primary()

    def _primary(self) -> Node:
        if self.peek().is_punct("("):
            self.advance()
            node = self._or()
            self.expect_punct(")")
            return node
        left = self.parse_operand()
        token = self.peek()
        if token.kind == OP:
            self.advance()
            return Comparison(token.text, left, self.parse_operand())
        if token.is_word("BETWEEN"):
            self.advance()
            low = self.parse_operand()
            and_token = self.advance()
            if not and_token.is_word("AND"):
                raise self.syntax_error(and_token)
            return Between(left, low, self.parse_operand())
        if token.is_word("IN"):
            self.advance()
            self.expect_punct("(")
            options = [self.parse_operand()]
            while self.peek().is_punct(","):
                self.advance()
                options.append(self.parse_operand())
            self.expect_punct(")")
            return In(left, tuple(options))
        if isinstance(left, FunctionOperand):
            # A function standing alone is a condition; checks.py rejects ``size`` and the
            # update functions used this way.
            return FunctionCondition(left.name, left.args)
        raise self.syntax_error(token)

    # ---------------------------------------------------------------------- update

    def parse_update(self) -> UpdateActions:
        self.keywords = _CONDITION_KEYWORDS | frozenset(_UPDATE_SECTIONS)
        actions = UpdateActions()
        seen: set[str] = set()
        if self.peek().kind == EOF:
            raise self.syntax_error()
        while self.peek().kind != EOF:
            token = self.advance()
            if token.kind != NAME or token.upper() not in _UPDATE_SECTIONS:
                raise self.syntax_error(token)
            section = token.upper()
            if section in seen:
                self._repeated_sections.append(section)
            seen.add(section)
            while True:
                self._update_action(section, actions)
                if not self.peek().is_punct(","):
                    break
                self.advance()
        return actions

    def _update_action(self, section: str, actions: UpdateActions) -> None:
        path = self.parse_path()
        actions.targets.append(path)
        if section == "SET":
            op = self.advance()
            if op.kind != OP or op.text != "=":
                raise self.syntax_error(op)
            actions.sets.append((path, self._set_value()))
        elif section == "REMOVE":
            actions.removes.append(path)
        else:
            token = self.advance()
            if token.kind != VALUE_REF:
                raise self.syntax_error(token)
            value = self._value(token)
            (actions.adds if section == "ADD" else actions.deletes).append((path, value))

    def _set_value(self) -> Operand:
        left = self._set_operand()
        token = self.peek()
        if token.kind == PUNCT and token.text in ("+", "-"):
            self.advance()
            return Arithmetic(token.text, left, self._set_operand())
        return left

    def _set_operand(self) -> Operand:
        if self.peek().is_punct("("):
            self.advance()
            inner = self._set_value()
            self.expect_punct(")")
            return inner
        return self.parse_operand()

    # ------------------------------------------------------------------ projection

    def parse_projection(self) -> list[Path]:
        paths = [self.parse_path()]
        while self.peek().is_punct(","):
            self.advance()
            paths.append(self.parse_path())
        self.expect_end()
        return paths
