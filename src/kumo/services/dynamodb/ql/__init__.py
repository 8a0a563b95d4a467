"""PartiQL for DynamoDB: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

:mod:`.lexer` and :mod:`.parser` (with :mod:`.cursor` for paths and values and
:mod:`.conditions` for WHERE clauses) turn a statement and its ``?`` parameters into the
objects of :mod:`.statements`, whose conditions are the expression tree the item
operations evaluate; :mod:`.reads` runs SELECT as a Query or a Scan, :mod:`.writes`
plans INSERT/UPDATE/DELETE/EXISTS against the engine's item writer, and
:mod:`.operations` holds the three API operations. A provider method delegates as::

    ql.execute_statement(ql.Scope(self.store, ctx.account_id, ctx.region), statement, ...)
"""

from __future__ import annotations

from .operations import Scope, batch_execute_statement, execute_statement, execute_transaction
from .parser import parse

__all__ = [
    "Scope",
    "batch_execute_statement",
    "execute_statement",
    "execute_transaction",
    "parse",
]
