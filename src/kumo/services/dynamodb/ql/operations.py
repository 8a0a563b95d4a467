"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

ExecuteStatement runs one statement: a SELECT in one store read, a write in one store
transaction. BatchExecuteStatement runs up to 25 single-item statements, all reads or all
writes, each with its own result or ``Error``; it is not a transaction. ExecuteTransaction
runs up to 100 statements all-or-nothing in ONE store transaction: every write is checked
against the same state and either all are written or the request fails with
TransactionCanceledException and a reason per statement, as TransactWriteItems does. A
ClientRequestToken is remembered beside TransactWriteItems' tokens for ten minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb.capacity import Capacity, read_units
from kumo.services.dynamodb.transactions import TOKEN_TTL, TOKENS
from kumo.storage.base import Store, Tx
from kumo.storage.keys import key

from .. import keys as ks
from ..errors import validation
from ..expressions.condition import evaluate
from ..models import Table
from ..values import Item
from .parser import parse
from .reads import fingerprint, project, read_page, select_index
from .statements import Check, Insert, Select, Statement, table_of
from .target import INCOMPLETE_KEY, statement_key
from .writes import Prepared, prepare

__all__ = ["Scope", "batch_execute_statement", "execute_statement", "execute_transaction"]

Output = dict[str, Any]

_MIXED_BATCH = "Read and write requests together in the same batch is not supported."
_MIXED_TRANSACTION = (
    "ExecuteTransaction API does not support both read and write operations in the same request."
)
_EXISTS_OUTSIDE = "EXISTS can only be used in ExecuteTransaction write requests."
_ERROR_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ResourceNotFoundException": "ResourceNotFound",
    "ValidationException": "ValidationError",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
    "TransactionConflictException": "TransactionConflict",
}


@dataclass
class Scope:
    """Where the statements run: the store and the caller's account and region."""

    store: Store
    account: str
    region: str

    def table(self, tx: Tx, name: str) -> Table:
        return db.require_table(tx, self.account, self.region, name)


def _consumed(capacities: dict[str, Capacity], mode: str | None) -> list[Any] | None:
    if mode not in ("TOTAL", "INDEXES") or not capacities:
        return None
    return [c.shape(mode) for c in capacities.values()]


# -- ExecuteStatement ------------------------------------------------------------------------


def execute_statement(
    scope: Scope,
    statement: str,
    parameters: list[Any] | None = None,
    *,
    consistent_read: bool | None = None,
    next_token: str | None = None,
    limit: int | None = None,
    return_consumed_capacity: str | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Output:
    parsed = parse(statement, parameters)
    if isinstance(parsed, Check):
        raise validation(_EXISTS_OUTSIDE)
    if isinstance(parsed, Select):
        digest = fingerprint(statement, parameters)
        return _select(
            scope, parsed, consistent_read, next_token, limit, return_consumed_capacity, digest
        )
    now = time.time()
    on_failure = return_values_on_condition_check_failure

    def write(tx: Tx) -> Output:
        table = scope.table(tx, parsed.table)
        writers = db.Writers(tx, now)
        prepared = prepare(writers.of(table), parsed, on_failure)
        prepared.apply(writers)
        writers.close()
        capacity = Capacity(table.name)
        prepared.charge(capacity)
        out: Output = {"Items": prepared.returned}
        consumed = capacity.shape(return_consumed_capacity)
        if consumed is not None:
            out["ConsumedCapacity"] = consumed
        return out

    return scope.store.write(write)


def _select(
    scope: Scope,
    statement: Select,
    consistent_read: bool | None,
    next_token: str | None,
    limit: int | None,
    mode: str | None,
    digest: str,
) -> Output:
    def read(tx: Tx) -> Output:
        table = scope.table(tx, statement.table)
        index = select_index(table, statement, consistent_read)
        page = read_page(
            tx, table, index, statement, limit=limit, next_token=next_token, digest=digest
        )
        out: Output = {"Items": page.items}
        if page.next_token is not None:
            out["NextToken"] = page.next_token
        if page.last_key is not None:
            out["LastEvaluatedKey"] = page.last_key
        capacity = Capacity(table.name)
        units = read_units(page.size, bool(consistent_read))
        if index is None:
            capacity.add_table(units)
        else:
            capacity.add_index(index.name, units, is_global=index.is_global)
        consumed = capacity.shape(mode)
        if consumed is not None:
            out["ConsumedCapacity"] = consumed
        return out

    return scope.store.read(read)


# -- single-item reads -----------------------------------------------------------------------


def _read_one(
    tx: Tx, table: Table, statement: Select, key_message: str, index_message: str
) -> tuple[Item | None, int]:
    """A SELECT naming one item by its whole key: the item (None if absent or filtered out)
    and the size read."""
    if statement.index is not None:
        raise validation(index_message)
    found = db.read_item(tx, table, statement_key(table, statement.where, key_message))
    if found is None:
        return None, 0
    item, size = found
    if statement.where is not None and not evaluate(statement.where, item):
        return None, size
    return project(item, statement.paths), size


def _storage_key(tx: Tx, scope: Scope, statement: Statement) -> tuple[str, bytes] | None:
    """The item a statement addresses, when it names one (for duplicate detection)."""
    try:
        table = scope.table(tx, table_of(statement))
        if isinstance(statement, Insert):
            item = statement.item
            if not all(name in item for name in table.key_names()):
                return None
            return table.id, ks.item_key(table, {n: item[n] for n in table.key_names()})
        where = statement.select.where if isinstance(statement, Check) else statement.where
        return table.id, ks.item_key(table, statement_key(table, where))
    except (ServiceError, KeyError, ValueError):
        return None


def _error(exc: ServiceError) -> Output:
    error: Output = {
        "Code": _ERROR_CODES.get(exc.code, "InternalServerError"),
        "Message": exc.message,
    }
    if exc.fields.get("Item") is not None:
        error["Item"] = exc.fields["Item"]
    return error


# -- BatchExecuteStatement -------------------------------------------------------------------


def batch_execute_statement(
    scope: Scope,
    statements: list[dict[str, Any]],
    return_consumed_capacity: str | None = None,
) -> Output:
    parsed: list[Statement | ServiceError] = []
    for request in statements:
        try:
            parsed.append(parse(request["Statement"], request.get("Parameters")))
        except ServiceError as exc:
            parsed.append(exc)
    kinds = {isinstance(p, Select) for p in parsed if not isinstance(p, ServiceError)}
    if len(kinds) > 1:
        raise validation(_MIXED_BATCH)

    def targets(tx: Tx) -> None:
        seen: set[tuple[str, bytes]] = set()
        for p in parsed:
            target = None if isinstance(p, ServiceError) else _storage_key(tx, scope, p)
            if target is not None:
                if target in seen:
                    raise validation("Provided list of item keys contains duplicates")
                seen.add(target)

    scope.store.read(targets)
    capacities: dict[str, Capacity] = {}
    if kinds == {True}:
        responses = scope.store.read(
            lambda tx: [
                _batch_read(tx, scope, p, r, capacities)
                for p, r in zip(parsed, statements, strict=True)
            ]
        )
    else:
        responses = [
            _batch_write(scope, p, r, capacities) for p, r in zip(parsed, statements, strict=True)
        ]
    out: Output = {"Responses": responses}
    consumed = _consumed(capacities, return_consumed_capacity)
    if consumed is not None:
        out["ConsumedCapacity"] = consumed
    return out


def _batch_read(
    tx: Tx,
    scope: Scope,
    statement: Statement | ServiceError,
    request: dict[str, Any],
    capacities: dict[str, Capacity],
) -> Output:
    if isinstance(statement, ServiceError):
        return {"Error": _error(statement)}
    assert isinstance(statement, Select)
    try:
        table = scope.table(tx, statement.table)
        item, size = _read_one(
            tx, table, statement, INCOMPLETE_KEY, "This operation is not supported on an index"
        )
    except ServiceError as exc:
        return {"Error": _error(exc)}
    consistent = bool(request.get("ConsistentRead"))
    capacities.setdefault(table.name, Capacity(table.name)).add_table(read_units(size, consistent))
    response: Output = {"TableName": table.name}
    if item is not None:
        response["Item"] = item
    return response


def _batch_write(
    scope: Scope,
    statement: Statement | ServiceError,
    request: dict[str, Any],
    capacities: dict[str, Capacity],
) -> Output:
    if isinstance(statement, ServiceError):
        return {"Error": _error(statement)}
    if isinstance(statement, Check):
        return {"Error": _error(validation(_EXISTS_OUTSIDE))}
    on_failure = request.get("ReturnValuesOnConditionCheckFailure")
    now = time.time()

    def write(tx: Tx) -> Prepared:
        table = scope.table(tx, table_of(statement))
        writers = db.Writers(tx, now)
        prepared = prepare(writers.of(table), statement, on_failure)
        prepared.apply(writers)
        writers.close()
        return prepared

    try:
        prepared = scope.store.write(write)
    except ServiceError as exc:
        return {"Error": _error(exc)}
    table_name = prepared.table.name
    prepared.charge(capacities.setdefault(table_name, Capacity(table_name)))
    response: Output = {"TableName": table_name}
    if prepared.returned:
        response["Item"] = prepared.returned[0]
    return response


# -- ExecuteTransaction ----------------------------------------------------------------------


def _cancelled(reasons: list[Output]) -> ServiceError:
    codes = ", ".join(r["Code"] for r in reasons)
    return ServiceError(
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
        code="TransactionCanceledException",
        status=400,
        CancellationReasons=reasons,
    )


def execute_transaction(
    scope: Scope,
    transact_statements: list[dict[str, Any]],
    client_request_token: str | None = None,
    return_consumed_capacity: str | None = None,
) -> Output:
    parsed = [parse(s["Statement"], s.get("Parameters")) for s in transact_statements]
    for position, statement in enumerate(parsed):
        if getattr(statement, "returning", None) is not None:
            raise validation(
                f"Validation failed in TransactStatements[{position}]: RETURNING clause is not "
                "supported in ExecuteTransaction."
            )
    reads = sum(isinstance(p, Select) for p in parsed)
    if reads and reads != len(parsed):
        raise validation(_MIXED_TRANSACTION)
    if reads:
        return scope.store.read(
            lambda tx: _transact_read(tx, scope, parsed, return_consumed_capacity)
        )
    digest = fingerprint(
        "ExecuteTransaction",
        [[s["Statement"], s.get("Parameters"), s.get("ReturnValuesOnConditionCheckFailure")]
         for s in transact_statements],
    )  # fmt: skip
    now = time.time()

    def write(tx: Tx) -> Output:
        token_key = key(scope.account, scope.region, client_request_token or "")
        if client_request_token is not None:
            seen = tx.get(TOKENS, token_key)
            if seen is not None and seen["t"] > now - TOKEN_TTL:
                if seen["f"] != digest:
                    raise ServiceError(
                        "Specified idempotency token was already used with different request "
                        "parameters",
                        code="IdempotentParameterMismatchException",
                        status=400,
                    )
                replayed: Output = seen["out"]
                return replayed
        out = _transact_write(tx, scope, parsed, transact_statements, now, return_consumed_capacity)
        if client_request_token is not None:
            tx.put(TOKENS, token_key, {"f": digest, "t": now, "out": out})
        return out

    return scope.store.write(write)


def _check_distinct(tx: Tx, scope: Scope, parsed: list[Statement]) -> None:
    seen: set[tuple[str, bytes]] = set()
    for statement in parsed:
        target = _storage_key(tx, scope, statement)
        if target is not None:
            if target in seen:
                raise validation(
                    "Transaction request cannot include multiple operations on one item"
                )
            seen.add(target)


def _transact_read(tx: Tx, scope: Scope, parsed: list[Statement], mode: str | None) -> Output:
    _check_distinct(tx, scope, parsed)
    responses: list[Output] = []
    capacities: dict[str, Capacity] = {}
    for statement in parsed:
        assert isinstance(statement, Select)
        table = scope.table(tx, statement.table)
        item, size = _read_one(
            tx,
            table,
            statement,
            "Select statements within ExecuteTransaction must specify the primary key in the "
            "where clause.",
            "Reads on indices are not supported within transactions.",
        )
        capacity = capacities.setdefault(table.name, Capacity(table.name, split=True))
        capacity.add_read(2 * read_units(size, True))
        responses.append({"Item": item} if item is not None else {})
    out: Output = {"Responses": responses}
    consumed = _consumed(capacities, mode)
    if consumed is not None:
        out["ConsumedCapacity"] = consumed
    return out


def _transact_write(
    tx: Tx,
    scope: Scope,
    parsed: list[Statement],
    requests: list[dict[str, Any]],
    now: float,
    mode: str | None,
) -> Output:
    _check_distinct(tx, scope, parsed)
    writers = db.Writers(tx, now)
    prepared: list[Prepared] = []
    reasons: list[Output] = []
    failed = False
    for statement, request in zip(parsed, requests, strict=True):
        table = scope.table(tx, table_of(statement))
        on_failure = request.get("ReturnValuesOnConditionCheckFailure")
        try:
            prepared.append(prepare(writers.of(table), statement, on_failure))
        except ServiceError as exc:
            if exc.code not in ("ConditionalCheckFailedException", "DuplicateItemException"):
                raise
            failed = True
            reason = _error(exc)
            reasons.append(reason)
            continue
        reasons.append({"Code": "None"})
    if failed:
        raise _cancelled(reasons)
    capacities: dict[str, Capacity] = {}
    for change in prepared:
        change.apply(writers)
        name = change.table.name
        change.charge(capacities.setdefault(name, Capacity(name, split=True)), factor=2.0)
    writers.close()
    out: Output = {"Responses": [{} for _ in parsed]}
    consumed = _consumed(capacities, mode)
    if consumed is not None:
        out["ConsumedCapacity"] = consumed
    return out
