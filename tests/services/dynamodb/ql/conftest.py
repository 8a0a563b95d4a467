"""PartiQL tests: the package in-process against a fresh embedded store per test; the wire
tests use the session kumo through the fixtures of the DynamoDB tests (``ddb``,
``new_table``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kumo.services.dynamodb import store as db
from kumo.services.dynamodb import streams as st
from kumo.services.dynamodb.ql import Scope
from kumo.services.dynamodb.tables import CreateRequest, build_table
from kumo.storage import Store, open_store
from kumo.storage.base import Tx

ACCOUNT = "000000000000"
REGION = "us-east-1"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def scope(store: Store) -> Scope:
    return Scope(store, ACCOUNT, REGION)


@pytest.fixture
def make_table(store: Store) -> Callable[..., str]:
    """Create a table: ``make_table("t", ("pk", "S"), ("sk", "N"), gsi=..., stream=...)``."""

    def make(
        name: str,
        hash: tuple[str, str] = ("pk", "S"),
        range: tuple[str, str] | None = None,
        *,
        extra: list[tuple[str, str]] | None = None,
        gsi: list[dict[str, Any]] | None = None,
        lsi: list[dict[str, Any]] | None = None,
        stream: str | None = None,
    ) -> str:
        attrs = [hash, *([range] if range else []), *(extra or [])]
        schema = [{"AttributeName": hash[0], "KeyType": "HASH"}]
        if range:
            schema.append({"AttributeName": range[0], "KeyType": "RANGE"})
        now = time.time()
        table = build_table(
            CreateRequest(
                account=ACCOUNT,
                region=REGION,
                name=name,
                attribute_definitions=[{"AttributeName": n, "AttributeType": t} for n, t in attrs],
                key_schema=schema,
                global_indexes=gsi,
                local_indexes=lsi,
                billing_mode="PAY_PER_REQUEST",
                stream={"StreamEnabled": True, "StreamViewType": stream} if stream else None,
            ),
            now,
        )

        def create(tx: Tx) -> None:
            db.put_table(tx, table)
            if table.stream is not None:
                st.put_stream(tx, table, now)

        store.write(create)
        return name

    return make
