"""Shared helpers of the PartiQL tests."""

from __future__ import annotations

from typing import Any

import pytest

from kumo.aws.errors import ServiceError
from kumo.services.dynamodb import store as db
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.ql import Scope, execute_statement
from kumo.storage.base import Tx

from .conftest import ACCOUNT, REGION


def run(scope: Scope, statement: str, *parameters: Any, **kwargs: Any) -> dict[str, Any]:
    return execute_statement(scope, statement, list(parameters) or None, **kwargs)


def fails(scope: Scope, statement: str, *parameters: Any, **kwargs: Any) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        run(scope, statement, *parameters, **kwargs)
    return caught.value


def item_count(scope: Scope, name: str) -> int:
    def count(tx: Tx) -> int:
        table = db.require_table(tx, ACCOUNT, REGION, name)
        return db.get_stats(tx, table).count

    return scope.store.read(count)


def stream_events(scope: Scope, name: str) -> list[str]:
    def read(tx: Tx) -> list[str]:
        streams = [s for s in st.list_streams(tx, ACCOUNT, REGION) if s["table_name"] == name]
        records = st.read_records(tx, streams[0], 0, 1000)
        return [st.decode_record(data)["eventName"] for _, data in records]

    return scope.store.read(read)
