"""Logs Insights operations: start a query, read its results, list queries, and the fields
a group's events carry.

Queries run and are kept by :mod:`kumo.services.logs.queries`.
"""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.observe import logs as db
from kumo.services.base import Provider
from kumo.services.logs import models as m
from kumo.services.logs import queries
from kumo.services.logs.errors import invalid_parameter
from kumo.services.logs.models import Output

__all__ = ["describe_queries", "get_log_group_fields", "get_query_results", "start_query"]


def start_query(
    provider: Provider,
    ctx: RequestContext,
    start_time: int,
    end_time: int,
    query_string: str,
    log_group_name: str | None = None,
    log_group_names: list[str] | None = None,
    log_group_identifiers: list[str] | None = None,
    limit: int | None = None,
) -> Output:
    given = [p for p in (log_group_name, log_group_names, log_group_identifiers) if p]
    if len(given) != 1:
        raise invalid_parameter(
            "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
        )
    if log_group_name:
        groups = [log_group_name]
    elif log_group_names:
        groups = list(log_group_names)
    else:
        groups = [m.group_name_of(i) for i in log_group_identifiers or []]
    query_id = provider.store.write(
        lambda tx: queries.start_query(
            tx, ctx.account_id, ctx.region, groups, start_time, end_time, query_string,
            limit, db.now_ms(),
        )
    )  # fmt: skip
    return {"queryId": query_id}


def get_query_results(provider: Provider, ctx: RequestContext, query_id: str) -> Output:
    query = provider.store.read(
        lambda tx: queries.get_query(tx, ctx.account_id, ctx.region, query_id)
    )
    return {
        "queryLanguage": query["queryLanguage"],
        "results": query["results"],
        "statistics": query["statistics"],
        "status": query["status"],
    }


def describe_queries(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str | None = None,
    status: str | None = None,
    max_results: int | None = None,
) -> Output:
    found = provider.store.read(
        lambda tx: queries.describe_queries(
            tx, ctx.account_id, ctx.region, log_group_name, status, max_results or 1000
        )
    )
    return {"queries": found}


def get_log_group_fields(
    provider: Provider,
    ctx: RequestContext,
    log_group_name: str | None = None,
    time: int | None = None,
    log_group_identifier: str | None = None,
) -> Output:
    name = m.group_param(log_group_name, log_group_identifier)
    fields = provider.store.read(
        lambda tx: queries.group_fields(tx, ctx.account_id, ctx.region, name, time, db.now_ms())
    )
    return {"logGroupFields": fields}
