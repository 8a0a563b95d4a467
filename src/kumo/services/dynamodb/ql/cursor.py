"""The PartiQL parser's cursor over a statement's tokens, and the values it reads.

A :class:`Cursor` walks the tokens of :mod:`.lexer`, reads document paths and literal values
(strings, numbers, booleans, null, maps, lists, bags and ``?`` parameters), binding each
``?`` to the next of the request's Parameters, and counts nesting so a statement nested
past any real use is refused rather than exhausting the interpreter's stack. The grammar
on top of it is in :mod:`.conditions` (WHERE clauses) and :mod:`.parser` (statements).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kumo.aws.errors import ServiceError

from ..errors import validation
from ..expressions import Path
from ..expressions.nodes import ValueOperand
from ..values import AttributeValue, check_number, parse_number, validate_value
from .lexer import Token, malformed, tokenize

__all__ = ["MAX_DEPTH", "Cursor"]

# far beyond DynamoDB's 32 levels of nested values, far below Python's recursion limit
MAX_DEPTH = 100
_PARAMETER_COUNT = "Number of parameters in request and statement don't match."


class Cursor:
    """A position in one statement's tokens and the ``?`` parameters used so far."""

    def __init__(self, text: str, parameters: Sequence[Any]) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.parameters = parameters
        self.used = 0
        self.depth = 0

    # -- tokens ---------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def peek(self) -> Token:
        """The token after the current one (EOF at the end)."""
        return self.tokens[min(self.at + 1, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        if token.kind != "EOF":
            self.at += 1
        return token

    def unexpected(self) -> ServiceError:
        token = self.token
        if token.kind == "EOF":
            return malformed("Unexpected end of statement")
        if token.kind == "KEYWORD":
            return malformed("Unexpected keyword")
        return malformed("Unexpected token")

    def keyword(self, *words: str) -> Token:
        if not self.token.is_keyword(*words):
            raise self.unexpected()
        return self.advance()

    def symbol(self, *symbols: str) -> Token:
        if not self.token.is_symbol(*symbols):
            raise self.unexpected()
        return self.advance()

    def accept_keyword(self, *words: str) -> bool:
        if self.token.is_keyword(*words):
            self.advance()
            return True
        return False

    def accept_symbol(self, *symbols: str) -> bool:
        if self.token.is_symbol(*symbols):
            self.advance()
            return True
        return False

    def name(self) -> str:
        token = self.token
        if token.kind not in ("NAME", "QNAME"):
            raise self.unexpected()
        self.advance()
        if not token.text:
            raise validation("Path component cannot be an empty string")
        return token.text

    def enter(self) -> None:
        """Count one level of nesting; a statement nested past any real use is refused
        rather than exhausting the interpreter's stack."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise malformed("Statement is nested too deeply")

    def finish(self) -> None:
        self.accept_symbol(";")
        if self.token.kind != "EOF":
            if self.token.is_keyword("SELECT", "INSERT", "UPDATE", "DELETE"):
                raise validation("Only one operation is allowed in a statement.")
            raise self.unexpected()

    def path(self) -> Path:
        if self.token.is_symbol("["):
            raise validation("A path cannot start with a list index")
        elements: list[str | int] = [self.name()]
        while True:
            if self.accept_symbol("."):
                if self.token.is_symbol("*"):
                    raise validation("Unpivot path component like a.*.b are not supported")
                elements.append(self.name())
            elif self.accept_symbol("["):
                token = self.token
                if token.is_symbol("*"):
                    raise validation("Wildcard path component like a[*].b are not supported")
                if token.kind != "NUMBER" or not token.text.isdigit():
                    raise validation("Unexpected path component")
                self.advance()
                elements.append(int(token.text))
                self.symbol("]")
            else:
                return Path(tuple(elements))

    def parameter(self) -> AttributeValue:
        self.symbol("?")
        if self.used >= len(self.parameters):
            raise validation(_PARAMETER_COUNT)
        raw = self.parameters[self.used]
        self.used += 1
        if isinstance(raw, dict) and isinstance(raw.get("N"), str):
            try:
                parse_number(raw["N"])
            except ServiceError:
                # PartiQL words a bad number parameter its own way
                raise validation("A value provided cannot be converted into a number") from None
        return validate_value(raw)

    def value(self) -> AttributeValue:
        """A literal or parameter: string, number, boolean, null, map, list, set or ``?``."""
        self.enter()
        try:
            return self.literal()
        finally:
            self.depth -= 1

    def literal(self) -> AttributeValue:
        token = self.token
        if token.is_symbol("?"):
            return self.parameter()
        if token.kind == "STRING":
            self.advance()
            return {"S": token.text}
        if token.kind == "NUMBER" or token.is_symbol("-", "+"):
            return {"N": self.number()}
        if token.is_keyword("TRUE", "FALSE"):
            self.advance()
            return {"BOOL": token.text == "TRUE"}
        if token.is_keyword("NULL"):
            self.advance()
            return {"NULL": True}
        if token.is_symbol("{"):
            return self.map_value()
        if token.is_symbol("["):
            self.advance()
            elements: list[AttributeValue] = []
            if not self.accept_symbol("]"):
                while True:
                    elements.append(self.value())
                    if self.accept_symbol("]"):
                        break
                    self.symbol(",")
            return {"L": elements}
        if token.is_symbol("<<"):
            return self.bag()
        if token.is_keyword("MISSING"):
            raise validation("MISSING must be compared using IS operator")
        raise self.unexpected()

    def number(self) -> str:
        sign = ""
        if self.token.is_symbol("-", "+"):
            sign = "-" if self.advance().text == "-" else ""
        token = self.token
        if token.kind != "NUMBER":
            raise self.unexpected()
        self.advance()
        return check_number(parse_number(sign + token.text))

    def map_value(self) -> AttributeValue:
        self.symbol("{")
        members: dict[str, AttributeValue] = {}
        if self.accept_symbol("}"):
            return {"M": members}
        while True:
            token = self.token
            if token.kind not in ("STRING", "QNAME"):
                if token.kind == "NUMBER":
                    raise validation("Tuple keys must be of type String. Actual type: INT under ")
                raise self.unexpected()
            self.advance()
            self.symbol(":")
            if token.text in members:
                raise validation(f"Duplicate keys in tuple. Key: {token.text} under ")
            members[token.text] = self.value()
            if self.accept_symbol("}"):
                return {"M": members}
            self.symbol(",")

    def bag(self) -> AttributeValue:
        self.symbol("<<")
        members: list[AttributeValue] = []
        if self.accept_symbol(">>"):
            raise validation("Empty bags are not supported")
        while True:
            token = self.token
            literal = token.kind in ("STRING", "NUMBER") or token.is_symbol("-")
            if not literal:
                raise validation(
                    "Unsupported data type in Bag. DynamoDB only supports either numbers or "
                    "strings in bags"
                )
            members.append(self.value())
            if self.accept_symbol(">>"):
                break
            self.symbol(",")
        kinds = {next(iter(m)) for m in members}
        if len(kinds) > 1:
            raise validation(
                "Unsupported data type in Bag. DynamoDB only supports either numbers or strings "
                "in bags"
            )
        kind = kinds.pop()
        return validate_value({kind + "S": [m[kind] for m in members]})

    def value_operand(self) -> ValueOperand:
        return ValueOperand("?", self.value())
