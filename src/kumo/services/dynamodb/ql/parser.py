"""A recursive-descent parser for DynamoDB's PartiQL subset.

``parse(text, parameters)`` returns a statement of :mod:`.statements`. Each ``?`` takes
the next of the request's Parameters; too few parameters is DynamoDB's error, extra ones
are ignored as DynamoDB ignores them. Syntax errors are DynamoDB's "Statement wasn't well
formed" ValidationException; semantic limits use DynamoDB's own messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kumo.aws.errors import ServiceError

from ..errors import validation
from ..expressions import Path, Update
from ..expressions.nodes import (
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
    PathOperand,
    ValueOperand,
)
from ..values import AttributeValue, check_number, parse_number, validate_value
from .lexer import Token, malformed, tokenize
from .statements import Check, Delete, Insert, Select, Statement, UpdateStatement

__all__ = ["parse"]

_CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
_COMPARISONS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# far beyond DynamoDB's 32 levels of nested values, far below Python's recursion limit
_MAX_DEPTH = 100
_PARAMETER_COUNT = "Number of parameters in request and statement don't match."


class _Parser:
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
        if self.depth > _MAX_DEPTH:
            raise malformed("Statement is nested too deeply")

    def finish(self) -> None:
        self.accept_symbol(";")
        if self.token.kind != "EOF":
            if self.token.is_keyword("SELECT", "INSERT", "UPDATE", "DELETE"):
                raise validation("Only one operation is allowed in a statement.")
            raise self.unexpected()

    # -- statements -----------------------------------------------------------------------

    def statement(self) -> Statement:
        token = self.token
        if token.is_keyword("SELECT"):
            result: Statement = self.select()
        elif token.is_keyword("INSERT"):
            result = self.insert()
        elif token.is_keyword("UPDATE"):
            result = self.update()
        elif token.is_keyword("DELETE"):
            result = self.delete()
        elif token.is_keyword("EXISTS"):
            self.advance()
            self.symbol("(")
            select = self.select()
            self.symbol(")")
            result = Check(select)
        else:
            raise malformed("Expected data manipulation")
        self.finish()
        return result

    def select(self) -> Select:
        self.keyword("SELECT")
        paths: list[Path] | None = []
        if self.accept_symbol("*"):
            paths = None
            if self.token.is_symbol(","):
                raise validation(
                    "Other attributes should not be present in the projection when '*' is used."
                )
        else:
            assert paths is not None
            paths.append(self.path())
            while self.accept_symbol(","):
                if self.token.is_symbol("*"):
                    raise validation(
                        "Other attributes should not be present in the projection when '*' is used."
                    )
                paths.append(self.path())
            seen: set[Path] = set()
            for path in paths:
                if path in seen:
                    raise validation(f"Duplicate identifiers in select clause: {_path_text(path)}")
                seen.add(path)
        self.keyword("FROM")
        table = self.name()
        index = None
        if self.accept_symbol("."):
            index = self.name()
            if self.token.is_symbol("."):
                raise validation("A path may contain at most 2 components in the FROM clause")
        if self.token.is_symbol(","):
            raise validation("Only select from a single table or index is supported.")
        where = self.condition() if self.accept_keyword("WHERE") else None
        order_by, descending = None, False
        if self.accept_keyword("ORDER"):
            self.keyword("BY")
            order_by = self.name()
            if self.accept_keyword("DESC"):
                descending = True
            else:
                self.accept_keyword("ASC")
        return Select(table, index, tuple(paths) if paths is not None else None, where,
                      order_by, descending)  # fmt: skip

    def insert(self) -> Insert:
        self.keyword("INSERT")
        self.keyword("INTO")
        table = self.name()
        if self.token.is_keyword("VALUES"):
            raise validation(
                "Unsupported operation: Inserting multiple items in a single statement is not "
                'supported, use "INSERT INTO tableName VALUE item" instead'
            )
        self.keyword("VALUE")
        if not self.token.is_symbol("{") and not self.token.is_symbol("?"):
            raise validation(
                "Unsupported format in item expression. Please use struct format {...} to "
                "express item values for insert statement."
            )
        value = self.value()
        if "M" not in value:
            raise validation(
                "Unsupported format in item expression. Please use struct format {...} to "
                "express item values for insert statement."
            )
        if self.token.is_keyword("RETURNING"):
            raise validation("RETURNING is not supported in INSERT")
        return Insert(table, dict(value["M"]))

    def update(self) -> UpdateStatement:
        self.keyword("UPDATE")
        table = self.name()
        sets: list[tuple[Path, Operand]] = []
        removes: list[Path] = []
        adds: list[tuple[Path, AttributeValue]] = []
        deletes: list[tuple[Path, AttributeValue]] = []
        targets: list[Path] = []
        if not self.token.is_keyword("SET", "REMOVE"):
            raise self.unexpected()
        while self.token.is_keyword("SET", "REMOVE"):
            if self.advance().text == "SET":
                while True:
                    self.assignment(sets, adds, deletes, targets)
                    if not self.accept_symbol(","):
                        break
            else:
                while True:
                    path = self.path()
                    removes.append(path)
                    targets.append(path)
                    if not self.accept_symbol(","):
                        break
        self.keyword("WHERE")
        where = self.condition()
        returning = self.returning()
        update = Update(
            sets=tuple(sets),
            removes=tuple(removes),
            adds=tuple(adds),
            deletes=tuple(deletes),
            paths=tuple(targets),
        )
        return UpdateStatement(table, update, where, returning)

    def assignment(
        self,
        sets: list[tuple[Path, Operand]],
        adds: list[tuple[Path, AttributeValue]],
        deletes: list[tuple[Path, AttributeValue]],
        targets: list[Path],
    ) -> None:
        target = self.path()
        self.symbol("=")
        targets.append(target)
        token = self.token
        following = self.peek()
        if token.kind == "NAME" and following.is_symbol("("):
            lowered = token.text.lower()
            if lowered in ("set_add", "set_delete"):
                self.advance()
                self.advance()
                operation = lowered[4:].upper()
                first = self.path()
                if not self.accept_symbol(","):
                    raise validation(f"SET_{operation} must have exactly two arguments")
                value = self.value()
                if not self.accept_symbol(")"):
                    raise validation(f"SET_{operation} must have exactly two arguments")
                if first != target:
                    raise validation(
                        f"The first argument to SET_{operation} must equal the assignment value"
                    )
                if next(iter(value)) not in ("SS", "NS", "BS"):
                    raise validation(
                        f"The second argument to SET_{operation} must be a value with type SET"
                    )
                (adds if operation == "ADD" else deletes).append((target, value))
                return
        left = self.set_operand()
        if self.token.is_symbol("+", "-"):
            op = self.advance().text
            right = self.set_operand()
            sets.append((target, Arithmetic(op, left, right)))
        else:
            sets.append((target, left))

    def set_operand(self) -> Operand:
        token = self.token
        following = self.peek()
        if token.kind == "NAME" and following.is_symbol("("):
            lowered = token.text.lower()
            if lowered not in ("list_append", "if_not_exists"):
                raise validation(f"Unrecognized function: {token.text}")
            self.advance()
            self.advance()
            first = self.set_operand()
            self.symbol(",")
            second = self.set_operand()
            self.symbol(")")
            if lowered == "if_not_exists" and not isinstance(first, PathOperand):
                raise self.unexpected()
            return FunctionOperand(lowered, (first, second))
        if token.kind in ("NAME", "QNAME"):
            return PathOperand(self.path())
        return self.value_operand()

    def returning(self) -> str | None:
        if not self.accept_keyword("RETURNING"):
            return None
        which = self.keyword("ALL", "MODIFIED").text
        when = self.keyword("OLD", "NEW").text
        if not self.accept_symbol("*"):
            raise validation(
                "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause"
            )
        if self.token.is_symbol(","):
            raise validation("Invalid syntax with multiple returning elements in RETURNING clause")
        return f"{which}_{when}"

    def delete(self) -> Delete:
        self.keyword("DELETE")
        self.keyword("FROM")
        table = self.name()
        self.keyword("WHERE")
        where = self.condition()
        returning = self.returning()
        if returning is not None and returning != "ALL_OLD":
            shown = returning.replace("_", " ")
            raise validation(
                f"Invalid returning clause: RETURNING {shown} *. Only RETURNING ALL OLD * is "
                "allowed in DELETE statements."
            )
        return Delete(table, where, returning)

    # -- paths and values ------------------------------------------------------------------

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

    # -- conditions -------------------------------------------------------------------------

    def condition(self) -> Node:
        self.enter()
        try:
            parts = [self.conjunction()]
            while self.accept_keyword("OR"):
                parts.append(self.conjunction())
            return _balanced(Or, parts)
        finally:
            self.depth -= 1

    def conjunction(self) -> Node:
        parts = [self.negation()]
        while self.accept_keyword("AND"):
            parts.append(self.negation())
        return _balanced(And, parts)

    def negation(self) -> Node:
        negations = 0
        while self.accept_keyword("NOT"):
            negations += 1
            if negations > _MAX_DEPTH:
                raise malformed("Statement is nested too deeply")
        node = self.predicate()
        for _ in range(negations):
            node = Not(node)
        return node

    def operand(self) -> Operand:
        token = self.token
        following = self.peek()
        if token.kind == "NAME" and following.is_symbol("("):
            if token.text.lower() != "size":
                raise validation(f"Unrecognized function: {token.text}")
            self.advance()
            self.advance()
            path = self.path()
            self.symbol(")")
            return FunctionOperand("size", (PathOperand(path),))
        if token.kind in ("NAME", "QNAME"):
            return PathOperand(self.path())
        return self.value_operand()

    def predicate(self) -> Node:
        token = self.token
        following = self.peek()
        if token.is_symbol("("):
            self.advance()
            inner = self.condition()
            self.symbol(")")
            return inner
        if token.kind == "NAME" and following.is_symbol("("):
            name = token.text.lower()
            if name in _CONDITION_FUNCTIONS:
                return self.function_condition(name)
        left = self.operand()
        token = self.token
        if token.kind == "SYMBOL" and token.text in _COMPARISONS:
            self.advance()
            if self.token.is_keyword("MISSING"):
                raise validation("MISSING must be compared using IS operator")
            return Comparison(_COMPARISONS[token.text], left, self.operand())
        negated = self.accept_keyword("NOT")
        if self.accept_keyword("BETWEEN"):
            low = self.operand()
            self.keyword("AND")
            node: Node = Between(left, low, self.operand())
        elif self.accept_keyword("IN"):
            node = self.in_list(left)
        elif not negated and self.accept_keyword("IS"):
            return self.is_test(left)
        else:
            raise self.unexpected()
        return Not(node) if negated else node

    def in_list(self, left: Operand) -> Node:
        if not isinstance(left, PathOperand):
            raise validation(
                "IN operator must have a left hand argument of type Variable Reference and right "
                "hand argument of type Seq with at least one member"
            )
        close = "]" if self.token.is_symbol("[") else ")"
        self.symbol("[", "(")
        options: list[Operand] = []
        if self.token.is_symbol(close):
            raise validation(
                "IN operator must have a left hand argument of type Variable Reference and right "
                "hand argument of type Seq with at least one member"
            )
        while True:
            options.append(self.value_operand())
            if self.accept_symbol(close):
                break
            self.symbol(",")
        return In(left, tuple(options))

    def is_test(self, left: Operand) -> Node:
        if not isinstance(left, PathOperand):
            raise validation(
                "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
            )
        negated = self.accept_keyword("NOT")
        token = self.token
        if token.is_keyword("MISSING"):
            self.advance()
            name = "attribute_exists" if negated else "attribute_not_exists"
            return FunctionCondition(name, (left,))
        if token.is_keyword("NULL"):
            self.advance()
            null = ValueOperand("", {"S": "NULL"})
            node: Node = FunctionCondition("attribute_type", (left, null))
            return Not(node) if negated else node
        if token.kind == "NAME":
            raise validation(
                f"Unsupported data type for IS operator: {token.text.upper()}. Supported data "
                "types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]"
            )
        raise self.unexpected()

    def function_condition(self, name: str) -> Node:
        self.advance()
        self.symbol("(")
        args: list[Operand] = [self.operand()]
        while self.accept_symbol(","):
            args.append(self.operand())
        self.symbol(")")
        if len(args) != _CONDITION_FUNCTIONS[name] or not isinstance(args[0], PathOperand):
            raise malformed(f"Incorrect number or type of arguments to function {name}")
        return FunctionCondition(name, tuple(args))


def _balanced(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    """``a AND b AND c ...`` as a balanced tree: the same meaning and evaluation order as a
    chain, but a long clause nests only logarithmically deep."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return kind(_balanced(kind, parts[:middle]), _balanced(kind, parts[middle:]))


def _path_text(path: Path) -> str:
    text = ""
    for element in path.elements:
        text += f"[{element}]" if isinstance(element, int) else (f".{element}" if text else element)
    return text


def parse(text: str, parameters: Sequence[Any] | None = None) -> Statement:
    """Parse one PartiQL statement, binding ``?`` to ``parameters`` in order."""
    if not text or not text.strip():
        raise malformed("Expected data manipulation")
    return _Parser(text, parameters or ()).statement()
