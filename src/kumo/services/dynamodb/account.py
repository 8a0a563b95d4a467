"""Account and endpoint answers that name no table: DescribeLimits and DescribeEndpoints."""

from __future__ import annotations

from kumo.aws.context import RequestContext
from kumo.services.dynamodb.host import Host, Output

__all__ = ["describe_endpoints", "describe_limits"]


def describe_limits(host: Host, ctx: RequestContext) -> Output:
    return {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }


def describe_endpoints(host: Host, ctx: RequestContext) -> Output:
    address = ctx.request.host or f"dynamodb.{ctx.region}.amazonaws.com"
    return {"Endpoints": [{"Address": address, "CachePeriodInMinutes": 1440}]}
