"""CloudWatch Logs filter patterns: parsing and matching log events.

The three forms CloudWatch Logs documents, used by FilterLogEvents, metric filters and
subscription filters alike:

* **terms** — ``ERROR Exception`` (all must appear), ``"quoted phrase"``, ``?ERROR ?WARN``
  (either; a ``?`` term with the plain terms after it is one alternative), ``-DEBUG``
  (must not appear), ``%regex%``. Terms are case sensitive and match anywhere in the
  message;
* **JSON** — ``{ $.level = "ERROR" && ($.latency > 100 || $.retry IS TRUE) }`` with ``=``,
  ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``IS NULL``, ``IS TRUE``, ``IS FALSE``, ``EXISTS``,
  ``NOT EXISTS``, ``*`` wildcards in string values and ``%regex%``; selectors reach into
  objects and arrays (``$.a.b[0].c``);
* **space-delimited** — ``[ip, user, ..., status = 4* || status = 5*, size > 1000]``: the
  message is split into fields at spaces (a ``"quoted"`` or ``[bracketed]`` run is one
  field), each named in order, ``...`` standing for any number of fields.

:func:`compile_pattern` raises :class:`InvalidPattern` for text that is none of them.
A successful :meth:`FilterPattern.match` returns a match that :meth:`FilterPattern.resolve`
reads a metric filter's ``$.field`` or ``$name`` selector from.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["FilterPattern", "InvalidPattern", "compile_pattern"]


class InvalidPattern(ValueError):
    """The text is not a valid filter pattern."""


_MISSING = object()

_REGEX_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    ":_#=@/;,-"  # symbols
    "^$?[]{}|\\*+."  # operators
)


class FilterPattern:
    """A compiled pattern; ``match`` returns None when the message does not match."""

    def match(self, message: str) -> Any | None:
        raise NotImplementedError

    def matches(self, message: str) -> bool:
        return self.match(message) is not None

    def resolve(self, match: Any, selector: str) -> Any:
        """The value ``selector`` names in ``match`` (None when absent)."""
        return None


@functools.lru_cache(maxsize=512)
def compile_pattern(text: str | None) -> FilterPattern:
    """Parse ``text``; an empty pattern matches every event."""
    source = (text or "").strip()
    if not source:
        return _Everything()
    if source.startswith("{"):
        return _JsonPattern(source)
    if source.startswith("["):
        return _DelimitedPattern(source)
    return _TermsPattern(source)


class _Everything(FilterPattern):
    def match(self, message: str) -> Any | None:
        return {}


# -- a small scanner shared by the three forms -------------------------------------------


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def peek(self, token: str) -> bool:
        self.skip_space()
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        if not self.take(token):
            raise InvalidPattern(f"expected {token!r} at {self.pos}")

    def quoted(self) -> str:
        """A double-quoted string (backslash escapes a quote or backslash)."""
        self.skip_space()
        assert self.text[self.pos] == '"'
        out: list[str] = []
        i = self.pos + 1
        while i < len(self.text):
            ch = self.text[i]
            if ch == "\\" and i + 1 < len(self.text):
                out.append(self.text[i + 1])
                i += 2
                continue
            if ch == '"':
                self.pos = i + 1
                return "".join(out)
            out.append(ch)
            i += 1
        raise InvalidPattern("unterminated quoted string")

    def regex(self) -> re.Pattern[str]:
        self.skip_space()
        end = self.text.find("%", self.pos + 1)
        if end < 0:
            raise InvalidPattern("unterminated regular expression")
        body = self.text[self.pos + 1 : end]
        self.pos = end + 1
        if not body or not all(c in _REGEX_CHARS for c in body):
            # CloudWatch accepts only ASCII letters, digits and a few symbols and operators
            # in filter regular expressions: no groups, no spaces, no multibyte characters
            raise InvalidPattern("invalid regular expression")
        try:
            return re.compile(body)
        except re.error as exc:
            raise InvalidPattern("invalid regular expression") from exc

    def bare(self, stop: str) -> str:
        """An unquoted token, up to whitespace or one of ``stop``."""
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch.isspace() or ch in stop or self.text.startswith(("&&", "||"), self.pos):
                break
            self.pos += 1
        return self.text[start : self.pos]


# -- terms --------------------------------------------------------------------------------

_TERM_FORBIDDEN = set('{}[]()"%')

_Term = Callable[[str], bool]


def _literal(term: str) -> _Term:
    return lambda message: term in message


def _regex_term(pattern: re.Pattern[str]) -> _Term:
    return lambda message: pattern.search(message) is not None


class _TermsPattern(FilterPattern):
    """Terms: ``?`` starts an alternative, and the plain terms after it belong to it, so
    ``?ERROR MainThread ?WARN Deadlock`` is (ERROR and MainThread) or (WARN and Deadlock);
    plain terms before the first ``?`` must always appear; ``-`` terms must never appear."""

    def __init__(self, source: str) -> None:
        self.required: list[_Term] = []
        self.alternatives: list[list[_Term]] = []
        self.excluded: list[_Term] = []
        scanner = _Scanner(source)
        while not scanner.at_end():
            bucket = self.alternatives[-1] if self.alternatives else self.required
            if scanner.take("?"):
                self.alternatives.append([])
                bucket = self.alternatives[-1]
            elif scanner.peek("-") and scanner.pos + 1 < len(source):
                scanner.pos += 1
                bucket = self.excluded
            scanner.skip_space()
            if scanner.pos >= len(source):
                raise InvalidPattern("dangling operator")
            ch = source[scanner.pos]
            if ch == '"':
                bucket.append(_literal(scanner.quoted()))
            elif ch == "%":
                bucket.append(_regex_term(scanner.regex()))
            else:
                token = scanner.bare("")
                if not token or any(c in _TERM_FORBIDDEN for c in token):
                    raise InvalidPattern(f"invalid character(s) in term {token!r}")
                bucket.append(_literal(token))

    def match(self, message: str) -> Any | None:
        if not all(term(message) for term in self.required):
            return None
        if self.alternatives and not any(
            all(term(message) for term in group) for group in self.alternatives
        ):
            return None
        if any(term(message) for term in self.excluded):
            return None
        return {}


# -- comparisons shared by JSON and space-delimited patterns ------------------------------


@dataclass(frozen=True)
class _Value:
    """The right-hand side of a comparison."""

    kind: str  # "number", "string", "regex"
    number: float = 0.0
    text: str = ""
    regex: re.Pattern[str] | None = None


_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_OPS = ("!=", "<=", ">=", "=", "<", ">")


def _read_value(scanner: _Scanner, stop: str) -> _Value:
    scanner.skip_space()
    if scanner.pos >= len(scanner.text):
        raise InvalidPattern("missing value")
    ch = scanner.text[scanner.pos]
    if ch == '"':
        return _Value("string", text=scanner.quoted())
    if ch == "%":
        return _Value("regex", regex=scanner.regex())
    token = scanner.bare(stop)
    if not token:
        raise InvalidPattern("missing value")
    if _NUMBER.match(token):
        return _Value("number", number=float(token), text=token)
    return _Value("string", text=token)


def _to_number(actual: Any) -> float | None:
    if isinstance(actual, bool) or actual is None:
        return None
    if isinstance(actual, int | float):
        return float(actual)
    if isinstance(actual, str) and _NUMBER.match(actual.strip()):
        return float(actual)
    return None


def _compare(actual: Any, op: str, value: _Value, *, numbers_in_strings: bool) -> bool:
    if actual is _MISSING:
        return False
    if value.kind == "number":
        if isinstance(actual, str) and not numbers_in_strings:
            return False
        number = _to_number(actual)
        if number is None:
            return False
        return {
            "=": number == value.number,
            "!=": number != value.number,
            "<": number < value.number,
            "<=": number <= value.number,
            ">": number > value.number,
            ">=": number >= value.number,
        }[op]
    if op not in ("=", "!="):
        return False
    if not isinstance(actual, str):
        if isinstance(actual, bool) or actual is None or isinstance(actual, dict | list):
            return False
        actual = str(actual)
    if value.kind == "regex":
        assert value.regex is not None
        equal = value.regex.search(actual) is not None
    elif "*" in value.text:
        equal = fnmatch.fnmatchcase(actual, value.text.replace("[", "[[]").replace("?", "[?]"))
    else:
        equal = actual == value.text
    return equal if op == "=" else not equal


# -- JSON ---------------------------------------------------------------------------------

_Node = Callable[[Any], bool]
_SELECTOR = re.compile(r"\$((\.[A-Za-z0-9_@\-]+|\.\*|\[\d+\])*)")
_STEP = re.compile(r"\.([A-Za-z0-9_@\-]+|\*)|\[(\d+)\]")


def _select(doc: Any, path: str) -> Any:
    """The value at ``path`` (``.a[0].b``) in ``doc``, or ``_MISSING``."""
    node = doc
    for name, index in _STEP.findall(path):
        if index:
            if not isinstance(node, list) or int(index) >= len(node):
                return _MISSING
            node = node[int(index)]
        elif isinstance(node, dict) and name in node:
            node = node[name]
        else:
            return _MISSING
    return node


class _JsonPattern(FilterPattern):
    def __init__(self, source: str) -> None:
        scanner = _Scanner(source)
        scanner.expect("{")
        self.root = self._or(scanner)
        scanner.expect("}")
        if not scanner.at_end():
            raise InvalidPattern("unexpected text after the pattern")

    def _or(self, scanner: _Scanner) -> _Node:
        nodes = [self._and(scanner)]
        while scanner.take("||"):
            nodes.append(self._and(scanner))
        return nodes[0] if len(nodes) == 1 else (lambda doc: any(n(doc) for n in nodes))

    def _and(self, scanner: _Scanner) -> _Node:
        nodes = [self._unary(scanner)]
        while scanner.take("&&"):
            nodes.append(self._unary(scanner))
        return nodes[0] if len(nodes) == 1 else (lambda doc: all(n(doc) for n in nodes))

    def _unary(self, scanner: _Scanner) -> _Node:
        if scanner.take("("):
            node = self._or(scanner)
            scanner.expect(")")
            return node
        scanner.skip_space()
        found = _SELECTOR.match(scanner.text, scanner.pos)
        if found is None or not found.group(1):
            raise InvalidPattern("expected a selector such as $.field")
        path = found.group(1)
        scanner.pos = found.end()
        for keyword, test in (
            ("IS NULL", lambda v: v is None),
            ("IS TRUE", lambda v: v is True),
            ("IS FALSE", lambda v: v is False),
            ("NOT EXISTS", lambda v: v is _MISSING),
            ("EXISTS", lambda v: v is not _MISSING),
        ):
            if self._keyword(scanner, keyword):
                return lambda doc, test=test: test(_select(doc, path))  # type: ignore[misc]
        for op in _OPS:
            if scanner.take(op):
                value = _read_value(scanner, ")}")
                return lambda doc: _compare(_select(doc, path), op, value, numbers_in_strings=False)
        raise InvalidPattern("expected a comparison")

    @staticmethod
    def _keyword(scanner: _Scanner, keyword: str) -> bool:
        scanner.skip_space()
        words = keyword.split()
        pos = scanner.pos
        for word in words:
            while pos < len(scanner.text) and scanner.text[pos].isspace():
                pos += 1
            if scanner.text[pos : pos + len(word)].upper() != word:
                return False
            pos += len(word)
        scanner.pos = pos
        return True

    def match(self, message: str) -> Any | None:
        text = message.strip()
        if not text.startswith(("{", "[")):
            return None
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        return doc if self.root(doc) else None

    def resolve(self, match: Any, selector: str) -> Any:
        if not selector.startswith("$"):
            return None
        value = _select(match, selector[1:])
        return None if value is _MISSING else value


# -- space-delimited ----------------------------------------------------------------------

_ELLIPSIS = "..."
_FIELD_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")


def _split_fields(message: str) -> list[str]:
    """The message's fields: runs of non-space, a "quoted" or [bracketed] run being one."""
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        ch = message[i]
        if ch.isspace():
            i += 1
            continue
        if ch in '"[':
            close = '"' if ch == '"' else "]"
            end = message.find(close, i + 1)
            if end >= 0:
                fields.append(message[i + 1 : end])
                i = end + 1
                continue
        start = i
        while i < n and not message[i].isspace():
            i += 1
        fields.append(message[start:i])
    return fields


class _DelimitedPattern(FilterPattern):
    def __init__(self, source: str) -> None:
        scanner = _Scanner(source)
        scanner.expect("[")
        # each position: a field name (or "..."), and a condition over the named fields
        self.names: list[str] = []
        self.conditions: list[Callable[[dict[str, str]], bool]] = []
        if not scanner.take("]"):
            while True:
                self._position(scanner)
                if scanner.take("]"):
                    break
                scanner.expect(",")
        if not scanner.at_end():
            raise InvalidPattern("unexpected text after the pattern")
        if sum(1 for n in self.names if n != _ELLIPSIS) != len(
            {n for n in self.names if n != _ELLIPSIS}
        ):
            raise InvalidPattern("duplicate field name")

    def _position(self, scanner: _Scanner) -> None:
        if scanner.take(_ELLIPSIS):
            self.names.append(_ELLIPSIS)
            return
        name = self._name(scanner)
        self.names.append(name)
        if scanner.peek(",") or scanner.peek("]"):
            return
        self.conditions.append(self._or(scanner, first=name))

    def _name(self, scanner: _Scanner) -> str:
        scanner.skip_space()
        found = _FIELD_NAME.match(scanner.text, scanner.pos)
        if found is None:
            raise InvalidPattern("expected a field name")
        scanner.pos = found.end()
        return found.group(0)

    def _or(self, scanner: _Scanner, first: str | None = None) -> Callable[[dict[str, str]], bool]:
        nodes = [self._and(scanner, first)]
        while scanner.take("||"):
            nodes.append(self._and(scanner))
        return nodes[0] if len(nodes) == 1 else (lambda f: any(n(f) for n in nodes))

    def _and(self, scanner: _Scanner, first: str | None = None) -> Callable[[dict[str, str]], bool]:
        nodes = [self._comparison(scanner, first)]
        while scanner.take("&&"):
            nodes.append(self._comparison(scanner))
        return nodes[0] if len(nodes) == 1 else (lambda f: all(n(f) for n in nodes))

    def _comparison(
        self, scanner: _Scanner, name: str | None = None
    ) -> Callable[[dict[str, str]], bool]:
        field_name = name if name is not None else self._name(scanner)
        for op in _OPS:
            if scanner.take(op):
                value = _read_value(scanner, ",]")
                return lambda f: _compare(
                    f.get(field_name, _MISSING), op, value, numbers_in_strings=True
                )
        raise InvalidPattern("expected a comparison")

    def _bind(self, fields: list[str]) -> dict[str, str] | None:
        """Assign fields to names, ``...`` absorbing any number of fields."""
        names = self.names

        def walk(i: int, j: int, bound: dict[str, str]) -> dict[str, str] | None:
            if i == len(names):
                return bound if j == len(fields) else None
            if names[i] == _ELLIPSIS:
                for k in range(j, len(fields) + 1):
                    found = walk(i + 1, k, bound)
                    if found is not None and all(c(found) for c in self.conditions):
                        return found
                return None
            if j >= len(fields):
                return None
            return walk(i + 1, j + 1, {**bound, names[i]: fields[j]})

        return walk(0, 0, {})

    def match(self, message: str) -> Any | None:
        bound = self._bind(_split_fields(message))
        if bound is None or not all(c(bound) for c in self.conditions):
            return None
        return bound

    def resolve(self, match: Any, selector: str) -> Any:
        if not selector.startswith("$") or not isinstance(match, dict):
            return None
        return match.get(selector[1:])
