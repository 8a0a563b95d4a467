"""Tokens of DynamoDB's PartiQL: names, quoted names, strings, numbers, ``?`` and symbols.

Keywords are case-insensitive; a double-quoted name is never a keyword. ``--`` and
``/* */`` comments are skipped, as DynamoDB skips them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kumo.aws.errors import ServiceError

from ..errors import validation

__all__ = ["KEYWORDS", "Token", "malformed", "tokenize"]

KEYWORDS = frozenset(
    {
        "ALL", "AND", "ASC", "BETWEEN", "BY", "DELETE", "DESC", "EXISTS", "FALSE", "FROM",
        "IN", "INSERT", "INTO", "IS", "MISSING", "MODIFIED", "NEW", "NOT", "NULL", "OLD", "OR",
        "ORDER", "REMOVE", "RETURNING", "SELECT", "SET", "TRUE", "UPDATE", "VALUE", "VALUES",
        "WHERE",
    }
)  # fmt: skip

# Longest first so that "<<" wins over "<" and "<=" over "<".
_SYMBOLS = ("<<", ">>", "<>", "!=", "<=", ">=", "<", ">", "=", "(", ")", "[", "]", "{", "}",
            ",", ".", ":", "*", "+", "-", "?", ";")  # fmt: skip


def malformed(detail: str) -> ServiceError:
    """DynamoDB's syntax error."""
    return validation(f"Statement wasn't well formed, can't be processed: {detail}")


@dataclass(frozen=True)
class Token:
    kind: str  # KEYWORD | NAME | QNAME | STRING | NUMBER | SYMBOL | EOF
    text: str
    position: int

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "KEYWORD" and self.text in words

    def is_symbol(self, *symbols: str) -> bool:
        return self.kind == "SYMBOL" and self.text in symbols


def _quoted(text: str, start: int, quote: str) -> tuple[str, int]:
    """The body of a quoted token starting at ``start`` (a doubled quote is one quote)."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                out.append(quote)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise malformed("Unexpected end of input, unterminated quoted text")


def _number_end(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i].isdigit():
        i += 1
    if i < n and text[i] == "." and i + 1 < n and text[i + 1].isdigit():
        i += 1
        while i < n and text[i].isdigit():
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isdigit():
            i = j
            while i < n and text[i].isdigit():
                i += 1
    return i


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an EOF token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise malformed("Unexpected end of input, unterminated comment")
            i = end + 2
            continue
        if char == "'":
            body, end = _quoted(text, i, "'")
            tokens.append(Token("STRING", body, i))
            i = end
            continue
        if char == '"':
            body, end = _quoted(text, i, '"')
            tokens.append(Token("QNAME", body, i))
            i = end
            continue
        if char.isdigit() or (char == "." and i + 1 < n and text[i + 1].isdigit()):
            end = _number_end(text, i)
            tokens.append(Token("NUMBER", text[i:end], i))
            i = end
            continue
        if char.isalpha() or char in "_$":
            end = i + 1
            while end < n and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            word = text[i:end]
            upper = word.upper()
            if upper in KEYWORDS:
                tokens.append(Token("KEYWORD", upper, i))
            else:
                tokens.append(Token("NAME", word, i))
            i = end
            continue
        for symbol in _SYMBOLS:
            if text.startswith(symbol, i):
                tokens.append(Token("SYMBOL", symbol, i))
                i += len(symbol)
                break
        else:
            raise malformed(f"Unexpected character: {char}")
    tokens.append(Token("EOF", "", n))
    return tokens
