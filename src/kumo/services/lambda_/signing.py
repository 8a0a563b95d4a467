"""Code signing configurations and the functions that use them.

A code signing configuration (``csc-`` + 17 characters, ARN
``arn:aws:lambda:<region>:<account>:code-signing-config:<id>``) names the signing profiles
trusted to publish code and what Lambda does with untrusted code (``Warn`` or ``Enforce``).
A function uses at most one, set with CreateFunction's ``CodeSigningConfigArn`` or
PutFunctionCodeSigningConfig; a configuration in use cannot be deleted.

kumo stores and returns the configurations and the function links exactly as Lambda does,
but does not verify signatures of uploaded code: kumo has no AWS Signer to sign packages
with, so a deployment is accepted whatever the configuration's policy says.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.base import LambdaBase
from kumo.services.lambda_.errors import (
    conflict,
    function_not_found,
    invalid_parameter,
    resource_not_found,
)
from kumo.services.lambda_.functions import page
from kumo.services.lambda_.models import FunctionRef, function_arn, lambda_time
from kumo.storage.base import Tx
from kumo.storage.keys import decode_key, key

__all__ = [
    "change_tags",
    "check_arn",
    "create_code_signing_config",
    "delete_code_signing_config",
    "delete_function_code_signing_config",
    "get_code_signing_config",
    "get_function_code_signing_config",
    "is_config_arn",
    "link",
    "list_code_signing_configs",
    "list_functions_by_code_signing_config",
    "put_function_code_signing_config",
    "require_config",
    "update_code_signing_config",
]

Output = dict[str, Any]

_ID_CHARS = string.ascii_lowercase + string.digits
# the model's pattern for CodeSigningConfigArn (Java and Python read it alike)
_CSC_ARN = re.compile(
    r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:"
    r"(?P<account>\d{12}):code-signing-config:(?P<id>csc-[a-z0-9]{17})"
)
_CSC_ARN_PATTERN = (
    r"arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:"
    r"\d{12}:code-signing-config:csc-[a-z0-9]{17}"
)


def _arn_pattern_error(field: str, value: str) -> ServiceError:
    return ServiceError(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {_CSC_ARN_PATTERN}",
        code="ValidationException",
        status=400,
    )


def _config_not_found(arn: str) -> ServiceError:
    return resource_not_found(f"The Lambda code signing configuration {arn} can not be found.")


def check_arn(arn: str, field: str = "codeSigningConfigArn") -> str:
    """The configuration id an ARN names, after the model's pattern check."""
    match = _CSC_ARN.fullmatch(arn)
    if match is None:
        raise _arn_pattern_error(field, arn)
    return match["id"]


def _config_key(ctx_account: str, region: str, csc_id: str) -> bytes:
    return key(ctx_account, region, csc_id)


def _arn_of(region: str, account_id: str, csc_id: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:code-signing-config:{csc_id}"


def _get(tx: Tx, account_id: str, region: str, arn: str) -> dict[str, Any] | None:
    """The stored configuration ``arn`` names in this account and region."""
    match = _CSC_ARN.fullmatch(arn)
    if match is None:
        return None
    data: dict[str, Any] | None = tx.get(
        db.CODE_SIGNING, _config_key(account_id, region, match["id"])
    )
    if data is None or data["CodeSigningConfigArn"] != arn:
        return None
    return data


def require_config(tx: Tx, account_id: str, region: str, arn: str) -> dict[str, Any]:
    """The configuration a function is to use; Lambda's CodeSigningConfigNotFound if none."""
    found = _get(tx, account_id, region, arn)
    if found is None:
        raise ServiceError(
            "The code signing configuration cannot be found. Check that the provided "
            f"configuration is not deleted: {arn}.",
            code="CodeSigningConfigNotFoundException",
            status=404,
            Type="User",
        )
    return found


def link(tx: Tx, ref: FunctionRef, arn: str) -> None:
    """Make the (existing) function ``ref`` use the configuration ``arn``."""
    require_config(tx, ref.account_id, ref.region, arn)
    tx.put(db.FUNCTION_SIGNING, db.fkey(ref), {"CodeSigningConfigArn": arn})


def _users(tx: Tx, account_id: str, region: str, arn: str) -> list[str]:
    """The names of the functions that use the configuration ``arn``, in name order."""
    return [
        str(decode_key(k)[-1])
        for k, value in tx.scan(db.FUNCTION_SIGNING, prefix=key(account_id, region))
        if value["CodeSigningConfigArn"] == arn
    ]


def _wire(data: dict[str, Any]) -> Output:
    return {k: v for k, v in data.items() if k != "Tags"}


# -- configurations ------------------------------------------------------------------------


def create_code_signing_config(
    host: LambdaBase,
    ctx: RequestContext,
    allowed_publishers: dict[str, Any],
    description: str | None = None,
    code_signing_policies: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> Output:
    csc_id = "csc-" + "".join(secrets.choice(_ID_CHARS) for _ in range(17))
    data: dict[str, Any] = {
        "CodeSigningConfigId": csc_id,
        "CodeSigningConfigArn": _arn_of(ctx.region, ctx.account_id, csc_id),
        "Description": description or "",
        "AllowedPublishers": {
            "SigningProfileVersionArns": list(allowed_publishers["SigningProfileVersionArns"])
        },
        "CodeSigningPolicies": {
            "UntrustedArtifactOnDeployment": (code_signing_policies or {}).get(
                "UntrustedArtifactOnDeployment", "Warn"
            )
        },
        "LastModified": lambda_time(),
        "Tags": dict(tags or {}),
    }
    host.store.write(
        lambda tx: tx.put(db.CODE_SIGNING, _config_key(ctx.account_id, ctx.region, csc_id), data)
    )
    return {"CodeSigningConfig": _wire(data)}


def get_code_signing_config(
    host: LambdaBase, ctx: RequestContext, code_signing_config_arn: str
) -> Output:
    check_arn(code_signing_config_arn)
    found = host.store.read(
        lambda tx: _get(tx, ctx.account_id, ctx.region, code_signing_config_arn)
    )
    if found is None:
        raise _config_not_found(code_signing_config_arn)
    return {"CodeSigningConfig": _wire(found)}


def update_code_signing_config(
    host: LambdaBase,
    ctx: RequestContext,
    code_signing_config_arn: str,
    description: str | None = None,
    allowed_publishers: dict[str, Any] | None = None,
    code_signing_policies: dict[str, Any] | None = None,
) -> Output:
    csc_id = check_arn(code_signing_config_arn)

    def update(tx: Tx) -> dict[str, Any]:
        found = _get(tx, ctx.account_id, ctx.region, code_signing_config_arn)
        if found is None:
            raise _config_not_found(code_signing_config_arn)
        # only the members given change, as on Lambda
        if description is not None:
            found["Description"] = description
        if allowed_publishers is not None:
            found["AllowedPublishers"] = {
                "SigningProfileVersionArns": list(allowed_publishers["SigningProfileVersionArns"])
            }
        if code_signing_policies is not None and code_signing_policies.get(
            "UntrustedArtifactOnDeployment"
        ):
            found["CodeSigningPolicies"] = {
                "UntrustedArtifactOnDeployment": code_signing_policies[
                    "UntrustedArtifactOnDeployment"
                ]
            }
        found["LastModified"] = lambda_time()
        tx.put(db.CODE_SIGNING, _config_key(ctx.account_id, ctx.region, csc_id), found)
        return found

    return {"CodeSigningConfig": _wire(host.store.write(update))}


def delete_code_signing_config(
    host: LambdaBase, ctx: RequestContext, code_signing_config_arn: str
) -> Output:
    csc_id = check_arn(code_signing_config_arn)

    def delete(tx: Tx) -> None:
        if _get(tx, ctx.account_id, ctx.region, code_signing_config_arn) is None:
            raise _config_not_found(code_signing_config_arn)
        if _users(tx, ctx.account_id, ctx.region, code_signing_config_arn):
            raise conflict(
                f"The code signing configuration {code_signing_config_arn} cannot be deleted "
                "because it is used by one or more functions."
            )
        tx.delete(db.CODE_SIGNING, _config_key(ctx.account_id, ctx.region, csc_id))

    host.store.write(delete)
    return {}


def list_code_signing_configs(
    host: LambdaBase,
    ctx: RequestContext,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    every = host.store.read(
        lambda tx: [
            _wire(v) for _, v in tx.scan(db.CODE_SIGNING, prefix=key(ctx.account_id, ctx.region))
        ]
    )
    items, nxt = page(every, marker, max_items)
    out: Output = {"CodeSigningConfigs": items}
    if nxt is not None:
        out["NextMarker"] = nxt
    return out


def list_functions_by_code_signing_config(
    host: LambdaBase,
    ctx: RequestContext,
    code_signing_config_arn: str,
    marker: str | None = None,
    max_items: int | None = None,
) -> Output:
    check_arn(code_signing_config_arn)

    def collect(tx: Tx) -> list[str]:
        if _get(tx, ctx.account_id, ctx.region, code_signing_config_arn) is None:
            raise _config_not_found(code_signing_config_arn)
        return _users(tx, ctx.account_id, ctx.region, code_signing_config_arn)

    names = host.store.read(collect)
    arns = [function_arn(ctx.region, ctx.account_id, name) for name in names]
    items, nxt = page(arns, marker, max_items)
    out: Output = {"FunctionArns": items}
    if nxt is not None:
        out["NextMarker"] = nxt
    return out


# -- tags (TagResource, UntagResource and ListTags name a configuration by its ARN) ------


def is_config_arn(resource: str) -> bool:
    return ":code-signing-config:" in resource


def change_tags(
    host: LambdaBase,
    ctx: RequestContext,
    arn: str,
    add: dict[str, str] | None = None,
    remove: list[str] | None = None,
) -> dict[str, str]:
    """The configuration's tags after adding ``add`` and removing ``remove``."""
    csc_id = check_arn(arn, "resource")

    def change(tx: Tx) -> dict[str, str]:
        found = _get(tx, ctx.account_id, ctx.region, arn)
        if found is None:
            raise _config_not_found(arn)
        tags: dict[str, str] = found.setdefault("Tags", {})
        if not add and not remove:
            return tags
        tags.update(add or {})
        for name in remove or ():
            tags.pop(name, None)
        if len(tags) > 50:
            raise invalid_parameter("Number of tags exceeds resource tag limit.")
        tx.put(db.CODE_SIGNING, _config_key(ctx.account_id, ctx.region, csc_id), found)
        return tags

    return host.store.write(change) if add or remove else host.store.read(change)


# -- a function's configuration ------------------------------------------------------------


def _function_ref(host: LambdaBase, ctx: RequestContext, function_name: str) -> FunctionRef:
    ref = host._ref(ctx, function_name)
    # the configuration belongs to the function, whatever version or alias is named
    return FunctionRef(ref.account_id, ref.region, ref.name)


def put_function_code_signing_config(
    host: LambdaBase, ctx: RequestContext, code_signing_config_arn: str, function_name: str
) -> Output:
    check_arn(code_signing_config_arn)
    ref = _function_ref(host, ctx, function_name)

    def put(tx: Tx) -> None:
        # the configuration is looked up first: Lambda names a missing one before the function
        require_config(tx, ref.account_id, ref.region, code_signing_config_arn)
        if db.get_function(tx, ref) is None:
            raise function_not_found(ref.arn)
        link(tx, ref, code_signing_config_arn)

    host.store.write(put)
    return {"CodeSigningConfigArn": code_signing_config_arn, "FunctionName": ref.name}


def get_function_code_signing_config(
    host: LambdaBase, ctx: RequestContext, function_name: str
) -> Output:
    ref = _function_ref(host, ctx, function_name)

    def get(tx: Tx) -> dict[str, Any] | None:
        if db.get_function(tx, ref) is None:
            raise function_not_found(ref.arn)
        found: dict[str, Any] | None = tx.get(db.FUNCTION_SIGNING, db.fkey(ref))
        return found

    found = host.store.read(get)
    if found is None:
        # Lambda answers 200 with neither member for a function without a configuration
        return {}
    return {"CodeSigningConfigArn": found["CodeSigningConfigArn"], "FunctionName": ref.name}


def delete_function_code_signing_config(
    host: LambdaBase, ctx: RequestContext, function_name: str
) -> Output:
    ref = _function_ref(host, ctx, function_name)

    def delete(tx: Tx) -> None:
        if db.get_function(tx, ref) is None:
            raise function_not_found(ref.arn)
        tx.delete(db.FUNCTION_SIGNING, db.fkey(ref))

    host.store.write(delete)
    return {}
