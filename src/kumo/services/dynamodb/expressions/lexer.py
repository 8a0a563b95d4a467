"""Tokens of DynamoDB's expression languages (condition, update, projection, key condition).

The lexer never fails: a character no token starts with becomes an ``UNKNOWN`` token so the
parser reports it as DynamoDB does, as a syntax error naming that token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME = "NAME"
NAME_REF = "NAME_REF"
VALUE_REF = "VALUE_REF"
NUMBER = "NUMBER"
OP = "OP"
PUNCT = "PUNCT"
UNKNOWN = "UNKNOWN"
EOF = "EOF"

_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<NAME_REF>\#[A-Za-z0-9_]+)
  | (?P<VALUE_REF>:[A-Za-z0-9_]+)
  | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<NUMBER>[0-9]+)
  | (?P<OP><>|<=|>=|=|<|>)
  | (?P<PUNCT>[()\[\],.+\-])
  | (?P<UNKNOWN>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int

    def upper(self) -> str:
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """True for a NAME token spelling one of ``words`` (keywords are case-insensitive)."""
        return self.kind == NAME and self.text.upper() in words

    def is_punct(self, text: str) -> bool:
        return self.kind == PUNCT and self.text == text


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` followed by one EOF token."""
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        if kind == "space" or kind is None:
            continue
        tokens.append(Token(kind, match.group(), match.start(), match.end()))
    tokens.append(Token(EOF, "<EOF>", len(text), len(text)))
    return tokens
