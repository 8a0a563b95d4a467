"""Parsing Logs Insights queries (the subset :mod:`kumo.observe.insights` runs).

A query is a list of stages, one per ``|``-separated command; filter conditions compile to
functions over a record (a dict of field values), with the comparison rules Insights uses:
numbers compare as numbers, everything else as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BIN",
    "BIN_UNITS",
    "Condition",
    "MalformedQuery",
    "Query",
    "Record",
    "Stat",
    "format_value",
    "number_of",
    "parse_query",
    "text_of",
]

Record = dict[str, Any]
Condition = Callable[[Record], bool]


class MalformedQuery(ValueError):
    """The query text is outside the supported language."""


@dataclass
class Stat:
    function: str
    argument: str | None
    name: str


@dataclass
class Query:
    stages: list[tuple[str, Any]] = field(default_factory=list)


# -- parsing ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<regex>/(?:[^/\\]|\\.)+/)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|=|<|>|\(|\)|\[|\]|,|\*)
      | (?P<word>[@A-Za-z_][\w.@\-]*)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise MalformedQuery(f"unexpected character at {pos}: {text[pos : pos + 10]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _split_pipes(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'/":
            quote = ch
            current.append(ch)
        elif ch == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_query(text: str) -> Query:
    query = Query()
    for part in _split_pipes(text):
        command, _, rest = part.partition(" ")
        command = command.lower()
        rest = rest.strip()
        if command in ("fields", "display"):
            names = [n.strip() for n in rest.split(",") if n.strip()]
            if not names:
                raise MalformedQuery("fields needs at least one field")
            query.stages.append(("fields", names))
        elif command == "filter":
            query.stages.append(("filter", _ConditionParser(_tokens(rest)).parse()))
        elif command == "sort":
            words = rest.split()
            if (
                not words
                or len(words) > 2
                or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))
            ):
                raise MalformedQuery("sort needs a field and an optional asc or desc")
            query.stages.append(("sort", (words[0], len(words) == 1 or words[1].lower() == "desc")))
        elif command == "limit":
            if not rest.isdigit() or int(rest) < 1:
                raise MalformedQuery("limit needs a positive number")
            query.stages.append(("limit", int(rest)))
        elif command == "stats":
            query.stages.append(("stats", _parse_stats(rest)))
        elif command == "parse":
            query.stages.append(("parse", _parse_parse(rest)))
        else:
            raise MalformedQuery(f"unknown command: {command}")
    return query


def _parse_stats(text: str) -> tuple[list[Stat], list[str]]:
    parts = re.split(r"\s+by\s+", text, maxsplit=1, flags=re.IGNORECASE)
    body, by = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
    stats: list[Stat] = []
    for item in [s.strip() for s in body.split(",") if s.strip()]:
        found = re.fullmatch(
            r"(count|sum|avg|min|max)\(\s*(\*|[@\w.\-]*)\s*\)(?:\s+as\s+([@\w.\-]+))?",
            item,
            re.IGNORECASE,
        )
        if found is None:
            raise MalformedQuery(f"unsupported aggregation: {item}")
        function = found.group(1).lower()
        argument = found.group(2) or None
        if argument == "*":
            argument = None
        if argument is None and function != "count":
            raise MalformedQuery(f"{function} needs a field")
        name = found.group(3) or f"{function}({found.group(2)})"
        stats.append(Stat(function, argument, name))
    if not stats:
        raise MalformedQuery("stats needs an aggregation")
    groups = [re.sub(r"\s+", "", g) for g in by.split(",") if g.strip()]
    for group in groups:
        if group.startswith("bin(") and not BIN.fullmatch(group):
            raise MalformedQuery(f"invalid bin: {group}")
    return stats, groups


def _parse_parse(text: str) -> Callable[[Record], None]:
    """``parse field "glob * with * stars" as a, b`` or ``parse field /(?<a>re)/``."""
    found = re.fullmatch(
        r"([@\w.\-]+)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|/(?:[^/\\]|\\.)+/)"
        r"(?:\s+as\s+(.+))?",
        text.strip(),
        re.IGNORECASE | re.DOTALL,
    )
    if found is None:
        raise MalformedQuery('parse needs a field and a "glob" or /regex/')
    source, pattern, names_text = found.group(1), found.group(2), found.group(3)
    names = [n.strip() for n in (names_text or "").split(",") if n.strip()]
    fields: dict[str, str] = {}
    if pattern.startswith("/"):
        if names:
            raise MalformedQuery("a parse regular expression names its fields itself")
        # Insights writes named groups as Java does, (?<name>...)
        body = re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern[1:-1])
        try:
            regex = re.compile(body)
        except re.error as exc:
            raise MalformedQuery("invalid regular expression") from exc
        fields = {group: group for group in regex.groupindex}
        if not fields:
            raise MalformedQuery("the regular expression names no fields")
    else:
        pieces = _unquote(pattern).split("*")
        if len(pieces) - 1 != len(names) or not names:
            raise MalformedQuery("parse needs one name after as for each * of the pattern")
        parts = [re.escape(pieces[0])]
        for i, piece in enumerate(pieces[1:]):
            # each * takes as little as it can, the last one the rest of the text
            lazy = "?" if i < len(names) - 1 or piece else ""
            parts.append(f"(?P<g{i}>.*{lazy})" + re.escape(piece))
        regex = re.compile("".join(parts), re.DOTALL)
        fields = {f"g{i}": name for i, name in enumerate(names)}

    def apply(record: Record) -> None:
        value = text_of(record.get(source))
        match = regex.search(value) if value is not None else None
        if match is None:
            return
        for group, name in fields.items():
            captured = match.group(group)
            if captured is not None:
                record[name] = captured

    return apply


BIN = re.compile(r"bin\((\d+)(ms|s|m|h|d)\)")
BIN_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


class _ConditionParser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def parse(self) -> Condition:
        if not self.tokens:
            raise MalformedQuery("filter needs a condition")
        condition = self._or()
        if self.pos != len(self.tokens):
            raise MalformedQuery(f"unexpected {self.tokens[self.pos][1]!r}")
        return condition

    def _peek_word(self, *words: str) -> bool:
        if self.pos >= len(self.tokens):
            return False
        kind, value = self.tokens[self.pos]
        return kind == "word" and value.lower() in words

    def _next(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise MalformedQuery("unexpected end of condition")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _or(self) -> Condition:
        parts = [self._and()]
        while self._peek_word("or"):
            self.pos += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def _and(self) -> Condition:
        parts = [self._not()]
        while self._peek_word("and"):
            self.pos += 1
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def _not(self) -> Condition:
        if self._peek_word("not"):
            self.pos += 1
            inner = self._not()
            return lambda r: not inner(r)
        return self._atom()

    def _atom(self) -> Condition:
        kind, value = self._next()
        if (kind, value) == ("op", "("):
            inner = self._or()
            if self._next() != ("op", ")"):
                raise MalformedQuery("missing )")
            return inner
        if kind == "word" and value.lower() == "ispresent":
            if self._next() != ("op", "("):
                raise MalformedQuery("ispresent needs (field)")
            _, name = self._next()
            if self._next() != ("op", ")"):
                raise MalformedQuery("missing )")
            return lambda r: r.get(name) is not None
        if kind != "word":
            raise MalformedQuery(f"expected a field, found {value!r}")
        name = value
        negate = False
        if self._peek_word("not"):
            self.pos += 1
            negate = True
        if self._peek_word("like"):
            self.pos += 1
            pattern = self._pattern()

            def like(record: Record) -> bool:
                text = text_of(record.get(name))
                return (text is not None and pattern.search(text) is not None) != negate

            return like
        if self._peek_word("in"):
            self.pos += 1
            values = self._list()
            return lambda r: (
                (r.get(name) is not None and any(_equal(r.get(name), v) for v in values)) != negate
            )
        if negate:
            raise MalformedQuery("not must precede like or in here")
        op_kind, op = self._next()
        if op_kind != "op" or op not in ("=", "!=", "<", "<=", ">", ">="):
            raise MalformedQuery(f"expected a comparison, found {op!r}")
        literal = self._literal()
        return lambda r: _compare(r.get(name), op, literal)

    def _pattern(self) -> re.Pattern[str]:
        kind, value = self._next()
        if kind == "regex":
            try:
                return re.compile(value[1:-1])
            except re.error as exc:
                raise MalformedQuery("invalid regular expression") from exc
        if kind == "string":
            return re.compile(re.escape(_unquote(value)))
        raise MalformedQuery("like needs a string or /regex/")

    def _list(self) -> list[Any]:
        if self._next() != ("op", "["):
            raise MalformedQuery("in needs [values]")
        values = [self._literal()]
        while True:
            kind, value = self._next()
            if (kind, value) == ("op", "]"):
                return values
            if (kind, value) != ("op", ","):
                raise MalformedQuery("expected , or ]")
            values.append(self._literal())

    def _literal(self) -> Any:
        kind, value = self._next()
        if kind == "string":
            return _unquote(value)
        if kind == "number":
            return float(value)
        if kind == "word" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise MalformedQuery(f"expected a value, found {value!r}")


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, dict | list) else format_value(value)


def number_of(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equal(actual: Any, literal: Any) -> bool:
    if isinstance(literal, float):
        return number_of(actual) == literal
    if isinstance(literal, bool):
        return actual is literal
    return text_of(actual) == literal


def _compare(actual: Any, op: str, literal: Any) -> bool:
    if actual is None:
        return False
    if op == "=":
        return _equal(actual, literal)
    if op == "!=":
        return not _equal(actual, literal)
    if isinstance(literal, float):
        left: Any = number_of(actual)
        if left is None:
            return False
    else:
        left = text_of(actual)
    try:
        return bool(
            {"<": left < literal, "<=": left <= literal, ">": left > literal,
             ">=": left >= literal}[op]
        )  # fmt: skip
    except TypeError:
        return False


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
