"""Saved Logs Insights queries (put, describe, delete query definitions) and StopQuery.

Definitions are kept in ``logs.query_definitions`` keyed ``(account, region, id)``; the
client token of a create is remembered in ``logs.query_definition_tokens`` so a retried
PutQueryDefinition answers with the definition it already made. StopQuery works on the
queries of :mod:`kumo.services.logs.queries`: a running one is cancelled, one that has
ended is refused as not running (those queries complete as they start).
"""

from __future__ import annotations

import uuid
from typing import Any

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import models as m
from kumo.services.logs import queries
from kumo.services.logs.errors import invalid_parameter, limit_exceeded, not_found
from kumo.services.logs.models import Output
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "QUERY_DEFINITIONS",
    "delete_query_definition",
    "describe_query_definitions",
    "put_query_definition",
    "stop_query",
]

QUERY_DEFINITIONS = "logs.query_definitions"
TOKENS = "logs.query_definition_tokens"

# CloudWatch Logs keeps up to 1000 saved queries per account and region
MAX_DEFINITIONS = 1000
_NO_DEFINITION = "The specified query definition does not exist."


def put_query_definition(
    provider: Provider,
    ctx: RequestContext,
    name: str,
    query_string: str,
    query_language: str | None = None,
    query_definition_id: str | None = None,
    log_group_names: list[str] | None = None,
    client_token: str | None = None,
    parameters: list[dict[str, Any]] | None = None,
) -> Output:
    if not name.strip():
        raise invalid_parameter("Query definition name must not be blank.")
    if not query_string.strip():
        raise invalid_parameter("Query string must not be blank.")
    names = [p.get("name") for p in parameters or []]
    if len(set(names)) != len(names):
        raise invalid_parameter("Query parameter names must be unique.")
    now = db.now_ms()

    def put(tx: Tx) -> str:
        if query_definition_id:
            dkey = key(ctx.account_id, ctx.region, query_definition_id)
            current = tx.get(QUERY_DEFINITIONS, dkey)
            if current is None:
                raise not_found(_NO_DEFINITION)
            def_id = query_definition_id
        else:
            tkey = key(ctx.account_id, ctx.region, client_token) if client_token else None
            if tkey is not None:
                made = tx.get(TOKENS, tkey)
                if made is not None:
                    return str(made)
            if tx.count(QUERY_DEFINITIONS, prefix=key(ctx.account_id, ctx.region)) >= (
                MAX_DEFINITIONS
            ):
                raise limit_exceeded("Resource limit exceeded.")
            def_id = str(uuid.uuid4())
            if tkey is not None:
                tx.put(TOKENS, tkey, def_id)
            dkey = key(ctx.account_id, ctx.region, def_id)
        record: dict[str, Any] = {
            "queryLanguage": query_language or "CWLI",
            "queryDefinitionId": def_id,
            "name": name,
            "queryString": query_string,
            "lastModified": now,
            "logGroupNames": list(log_group_names or []),
        }
        if parameters:
            record["parameters"] = [dict(p) for p in parameters]
        tx.put(QUERY_DEFINITIONS, dkey, record)
        return def_id

    return {"queryDefinitionId": provider.store.write(put)}


def describe_query_definitions(
    provider: Provider,
    ctx: RequestContext,
    query_language: str | None = None,
    query_definition_name_prefix: str | None = None,
    max_results: int | None = None,
    next_token: str | None = None,
) -> Output:
    # the token carries the (name, id) of the last definition answered
    after: tuple[str, str] | None = None
    if next_token:
        name, sep, def_id = m.read_page_token(next_token).partition("\x00")
        if not sep:
            raise invalid_parameter("The specified nextToken is invalid.")
        after = (name, def_id)
    size = max_results or 1000
    prefix = query_definition_name_prefix or ""

    def describe(tx: Tx) -> list[dict[str, Any]]:
        return [
            value
            for _, value in tx.scan(QUERY_DEFINITIONS, prefix=key(ctx.account_id, ctx.region))
            if value["name"].startswith(prefix)
            and (query_language is None or value["queryLanguage"] == query_language)
        ]

    found = sorted(provider.store.read(describe), key=lambda d: (d["name"], d["queryDefinitionId"]))
    if after is not None:
        found = [d for d in found if (d["name"], d["queryDefinitionId"]) > after]
    out: Output = {"queryDefinitions": found[:size]}
    if len(found) > size:
        last = found[size - 1]
        out["nextToken"] = m.page_token(f"{last['name']}\x00{last['queryDefinitionId']}")
    return out


def delete_query_definition(
    provider: Provider, ctx: RequestContext, query_definition_id: str
) -> Output:
    def delete(tx: Tx) -> None:
        if not tx.delete(QUERY_DEFINITIONS, key(ctx.account_id, ctx.region, query_definition_id)):
            raise not_found(_NO_DEFINITION)

    provider.store.write(delete)
    return {"success": True}


def stop_query(provider: Provider, ctx: RequestContext, query_id: str) -> Output:
    def stop(tx: Tx) -> None:
        query = queries.get_query(tx, ctx.account_id, ctx.region, query_id)
        if query["status"] not in ("Scheduled", "Running"):
            raise invalid_parameter(f"Query {query_id} is not running.")
        query["status"] = "Cancelled"
        tx.put(queries.QUERIES, key(ctx.account_id, ctx.region, query_id), query)

    provider.store.write(stop)
    return {"success": True}
