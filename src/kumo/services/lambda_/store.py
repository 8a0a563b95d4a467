"""Lambda's tables. Every key starts with (account, region): functions are regional.

* ``lambda.functions`` (account, region, name) -> :class:`Function` with its ``$LATEST``
* ``lambda.versions`` (account, region, name, number) -> published :class:`FunctionVersion`
* ``lambda.aliases`` (account, region, name, alias) -> :class:`Alias`
* ``lambda.policies`` (account, region, name, qualifier or "") -> resource policy statements
* ``lambda.event_configs`` (account, region, name, qualifier) -> async invocation settings
* ``lambda.urls`` (account, region, name, qualifier or "") -> function URL config
* ``lambda.provisioned`` (account, region, name, qualifier) -> provisioned concurrency
* ``lambda.layers`` (account, region, layer, number) -> layer version
* ``lambda.async`` (due ms, id) -> an accepted asynchronous invocation not yet finished
* ``lambda.url_ids`` (url id) -> the function a function URL serves
* ``lambda.code_signing`` (account, region, csc id) -> code signing config (:mod:`.signing`)
* ``lambda.function_signing`` (account, region, name) -> the function's code signing config
* ``lambda.runtime_configs`` (account, region, name, version) -> runtime management config
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kumo.services.lambda_.errors import function_not_found, resource_not_found
from kumo.services.lambda_.models import (
    LATEST,
    Alias,
    Function,
    FunctionRef,
    FunctionVersion,
    function_arn,
)
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = [
    "ALIASES",
    "ASYNC",
    "EVENT_CONFIGS",
    "FUNCTIONS",
    "LAYERS",
    "POLICIES",
    "PROVISIONED",
    "URLS",
    "URL_IDS",
    "VERSIONS",
    "delete_function",
    "get_function",
    "require_function",
    "resolve",
]

FUNCTIONS = "lambda.functions"
VERSIONS = "lambda.versions"
ALIASES = "lambda.aliases"
POLICIES = "lambda.policies"
EVENT_CONFIGS = "lambda.event_configs"
URLS = "lambda.urls"
PROVISIONED = "lambda.provisioned"
LAYERS = "lambda.layers"
ASYNC = "lambda.async"
# function URL id -> (account, region, name, qualifier), to serve URLs by host name
URL_IDS = "lambda.url_ids"
CODE_SIGNING = "lambda.code_signing"
FUNCTION_SIGNING = "lambda.function_signing"
RUNTIME_CONFIGS = "lambda.runtime_configs"

_PER_FUNCTION = (
    VERSIONS,
    ALIASES,
    POLICIES,
    EVENT_CONFIGS,
    URLS,
    PROVISIONED,
    FUNCTION_SIGNING,
    RUNTIME_CONFIGS,
)


def fkey(ref: FunctionRef, *rest: str | int) -> bytes:
    return key(ref.account_id, ref.region, ref.name, *rest)


def get_function(tx: Tx, ref: FunctionRef) -> Function | None:
    data = tx.get(FUNCTIONS, fkey(ref))
    return Function.from_record(data) if data is not None else None


def require_function(tx: Tx, ref: FunctionRef) -> Function:
    fn = get_function(tx, ref)
    if fn is None:
        raise function_not_found(ref.arn)
    return fn


def put_function(tx: Tx, fn: Function) -> None:
    tx.put(FUNCTIONS, key(fn.latest.account_id, fn.latest.region, fn.name), fn.to_record())


def list_functions(tx: Tx, account_id: str, region: str, after: str | None) -> Iterator[Function]:
    prefix = key(account_id, region)
    start = key(account_id, region, after + "\x00") if after else None
    for _, data in tx.scan(FUNCTIONS, prefix=prefix, start=start):
        yield Function.from_record(data)


def get_version(tx: Tx, ref: FunctionRef, version: str) -> FunctionVersion | None:
    if version == LATEST:
        fn = get_function(tx, ref)
        return fn.latest if fn is not None else None
    if not version.isdigit():
        return None
    data = tx.get(VERSIONS, fkey(ref, int(version)))
    return FunctionVersion.from_record(data) if data is not None else None


def put_version(tx: Tx, version: FunctionVersion) -> None:
    ref = FunctionRef(version.account_id, version.region, version.name)
    tx.put(VERSIONS, fkey(ref, int(version.version)), version.to_record())


def list_versions(tx: Tx, ref: FunctionRef) -> Iterator[FunctionVersion]:
    for _, data in tx.scan(VERSIONS, prefix=fkey(ref)):
        yield FunctionVersion.from_record(data)


def get_alias(tx: Tx, ref: FunctionRef, name: str) -> Alias | None:
    data = tx.get(ALIASES, fkey(ref, name))
    return Alias.from_record(data) if data is not None else None


def require_alias(tx: Tx, ref: FunctionRef, name: str) -> Alias:
    alias = get_alias(tx, ref, name)
    if alias is None:
        raise resource_not_found(
            f"Alias not found: {function_arn(ref.region, ref.account_id, ref.name, name)}"
        )
    return alias


def put_alias(tx: Tx, alias: Alias) -> None:
    ref = FunctionRef(alias.account_id, alias.region, alias.function_name)
    tx.put(ALIASES, fkey(ref, alias.name), alias.to_record())


def list_aliases(tx: Tx, ref: FunctionRef) -> Iterator[Alias]:
    for _, data in tx.scan(ALIASES, prefix=fkey(ref)):
        yield Alias.from_record(data)


def resolve(tx: Tx, ref: FunctionRef) -> tuple[Function, FunctionVersion, Alias | None]:
    """The function, the version ``ref``'s qualifier names (through an alias) and the alias.

    Unknown functions, versions and aliases all answer Lambda's "Function not found".
    """
    fn = get_function(tx, ref)
    if fn is None:
        raise function_not_found(ref.qualified_arn)
    qualifier = ref.qualifier or LATEST
    if qualifier == LATEST:
        return fn, fn.latest, None
    if qualifier.isdigit():
        version = get_version(tx, ref, qualifier)
        if version is None:
            raise function_not_found(ref.qualified_arn)
        return fn, version, None
    alias = get_alias(tx, ref, qualifier)
    if alias is None:
        raise function_not_found(ref.qualified_arn)
    version = get_version(tx, ref, alias.function_version)
    if version is None:
        raise function_not_found(ref.qualified_arn)
    return fn, version, alias


def blobs_in_use(tx: Tx, ref: FunctionRef) -> set[str]:
    fn = get_function(tx, ref)
    used = {fn.latest.code_blob} if fn is not None else set()
    used.update(v.code_blob for v in list_versions(tx, ref))
    return used


def delete_version(tx: Tx, ref: FunctionRef, version: str) -> str | None:
    """Remove a published version and what hangs off it; its blob if no longer used."""
    old = get_version(tx, ref, version)
    if old is None:
        return None
    tx.delete(VERSIONS, fkey(ref, int(version)))
    for table in (POLICIES, EVENT_CONFIGS, PROVISIONED, RUNTIME_CONFIGS):
        tx.delete(table, fkey(ref, version))
    return None if old.code_blob in blobs_in_use(tx, ref) else old.code_blob


def delete_function(tx: Tx, ref: FunctionRef) -> set[str]:
    """Remove the function and everything under it; the blobs to delete after commit."""
    blobs = blobs_in_use(tx, ref)
    for _, config in list(tx.scan(URLS, prefix=fkey(ref))):
        tx.delete(URL_IDS, key(config["UrlId"]))
    tx.delete(FUNCTIONS, fkey(ref))
    for table in _PER_FUNCTION:
        for k, _ in list(tx.scan(table, prefix=fkey(ref))):
            tx.delete(table, k)
    return blobs


def put_item(tx: Tx, table: str, ref: FunctionRef, qualifier: str, value: Any) -> None:
    tx.put(table, fkey(ref, qualifier), value)


def get_item(tx: Tx, table: str, ref: FunctionRef, qualifier: str) -> Any | None:
    return tx.get(table, fkey(ref, qualifier))


def delete_item(tx: Tx, table: str, ref: FunctionRef, qualifier: str) -> bool:
    return tx.delete(table, fkey(ref, qualifier))


def list_items(tx: Tx, table: str, ref: FunctionRef) -> Iterator[tuple[str, Any]]:
    from kumo.storage.keys import decode_key

    for k, value in tx.scan(table, prefix=fkey(ref)):
        yield str(decode_key(k)[-1]), value
