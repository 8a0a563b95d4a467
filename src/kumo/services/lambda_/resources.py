"""The sub-resources part of the Lambda provider: resource policies, tags and function URL
configs; whole-document resource policies (:mod:`.resource_policy`), code signing
(:mod:`.signing`) and runtime management (:mod:`.runtime_config`) are bound here from their
modules."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import string
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.base import operation
from kumo.services.lambda_ import policy, resource_policy, runtime_config, signing
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.errors import (
    conflict,
    invalid_parameter,
    not_found,
    precondition_failed,
    validation,
)
from kumo.services.lambda_.functions import page
from kumo.services.lambda_.layer_ops import LayerOps
from kumo.services.lambda_.models import FunctionRef, lambda_time, new_revision, parse_function_name
from kumo.storage.base import Tx
from kumo.storage.keys import key

__all__ = ["ResourcesProvider"]

Output = dict[str, Any]

_URL_ID = string.ascii_lowercase + string.digits
# AddPermission's members the model gives a pattern for (checked as Lambda checks them)
_PERMISSION_PATTERNS = (
    ("statementId", r"([a-zA-Z0-9-_]+)"),
    ("action", r"(lambda:[*]|lambda:[a-zA-Z]+|[*])"),
    ("principal", r"[^\s]+"),
)


class ResourcesProvider(LayerOps):
    """Permissions, tags and function URLs."""

    # -- code signing (see .signing) and runtime management (see .runtime_config) -------

    create_code_signing_config = operation("CreateCodeSigningConfig")(
        signing.create_code_signing_config
    )
    get_code_signing_config = operation("GetCodeSigningConfig")(signing.get_code_signing_config)
    update_code_signing_config = operation("UpdateCodeSigningConfig")(
        signing.update_code_signing_config
    )
    delete_code_signing_config = operation("DeleteCodeSigningConfig")(
        signing.delete_code_signing_config
    )
    list_code_signing_configs = operation("ListCodeSigningConfigs")(
        signing.list_code_signing_configs
    )
    list_functions_by_code_signing_config = operation("ListFunctionsByCodeSigningConfig")(
        signing.list_functions_by_code_signing_config
    )
    put_function_code_signing_config = operation("PutFunctionCodeSigningConfig")(
        signing.put_function_code_signing_config
    )
    get_function_code_signing_config = operation("GetFunctionCodeSigningConfig")(
        signing.get_function_code_signing_config
    )
    delete_function_code_signing_config = operation("DeleteFunctionCodeSigningConfig")(
        signing.delete_function_code_signing_config
    )
    put_runtime_management_config = operation("PutRuntimeManagementConfig")(
        runtime_config.put_runtime_management_config
    )
    get_runtime_management_config = operation("GetRuntimeManagementConfig")(
        runtime_config.get_runtime_management_config
    )

    # -- resource policies ---------------------------------------------------------------

    # the whole-document operations (see .resource_policy) share the policy with these
    put_resource_policy = operation("PutResourcePolicy")(resource_policy.put_resource_policy)
    get_resource_policy = operation("GetResourcePolicy")(resource_policy.get_resource_policy)
    delete_resource_policy = operation("DeleteResourcePolicy")(
        resource_policy.delete_resource_policy
    )

    def _policy_ref(
        self, ctx: RequestContext, function_name: str, qualifier: str | None
    ) -> tuple[FunctionRef, str]:
        ref = self._ref(ctx, function_name, qualifier)
        self.store.read(lambda tx: db.resolve(tx, ref))
        return ref, ref.qualifier or ""

    @operation("AddPermission")
    def add_permission(
        self,
        ctx: RequestContext,
        function_name: str,
        statement_id: str,
        action: str,
        principal: str,
        source_arn: str | None = None,
        source_account: str | None = None,
        event_source_token: str | None = None,
        qualifier: str | None = None,
        revision_id: str | None = None,
        principal_org_id: str | None = None,
        function_url_auth_type: str | None = None,
    ) -> Output:
        for field, pattern in _PERMISSION_PATTERNS:
            given = {"statementId": statement_id, "action": action, "principal": principal}[field]
            if not re.fullmatch(pattern, given):
                raise validation(
                    field, given, f"Member must satisfy regular expression pattern: {pattern}"
                )
        ref, slot = self._policy_ref(ctx, function_name, qualifier)
        request = policy.PermissionRequest(
            statement_id=statement_id,
            action=action,
            principal=principal,
            source_arn=source_arn,
            source_account=source_account,
            event_source_token=event_source_token,
            principal_org_id=principal_org_id,
            function_url_auth_type=function_url_auth_type,
        )
        new = policy.statement(request, ref.qualified_arn)

        def add(tx: Tx) -> None:
            current = db.get_item(tx, db.POLICIES, ref, slot) or {"statements": []}
            if revision_id is not None and revision_id != current.get("revision_id"):
                raise precondition_failed("GetPolicy")
            statements = policy.add(current["statements"], new)
            db.put_item(
                tx,
                db.POLICIES,
                ref,
                slot,
                {"statements": statements, "revision_id": new_revision()},
            )

        self.store.write(add)
        return {"Statement": json.dumps(new, separators=(",", ":"))}

    @operation("RemovePermission")
    def remove_permission(
        self,
        ctx: RequestContext,
        function_name: str,
        statement_id: str,
        qualifier: str | None = None,
        revision_id: str | None = None,
    ) -> Output:
        ref, slot = self._policy_ref(ctx, function_name, qualifier)

        def remove(tx: Tx) -> None:
            current = db.get_item(tx, db.POLICIES, ref, slot)
            if current is None:
                raise not_found()
            if revision_id is not None and revision_id != current.get("revision_id"):
                raise precondition_failed("GetPolicy")
            statements = policy.remove(current["statements"], statement_id)
            if statements:
                db.put_item(
                    tx,
                    db.POLICIES,
                    ref,
                    slot,
                    {"statements": statements, "revision_id": new_revision()},
                )
            else:
                db.delete_item(tx, db.POLICIES, ref, slot)

        self.store.write(remove)
        return {}

    @operation("GetPolicy")
    def get_policy(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref, slot = self._policy_ref(ctx, function_name, qualifier)
        current = self.store.read(lambda tx: db.get_item(tx, db.POLICIES, ref, slot))
        if current is None:
            raise not_found()
        return {
            "Policy": policy.render(current["statements"]),
            "RevisionId": current["revision_id"],
        }

    # -- tags ----------------------------------------------------------------------------

    def _tag_ref(self, ctx: RequestContext, resource: str) -> FunctionRef:
        if not resource.startswith("arn:"):
            raise invalid_parameter(f"Invalid ARN: {resource}")
        ref = parse_function_name(resource, ctx.account_id, ctx.region)
        if ref.qualifier is not None:
            raise invalid_parameter(
                "Tags on function aliases and versions are not supported. Please specify a "
                "function ARN."
            )
        return ref

    @operation("TagResource")
    def tag_resource(self, ctx: RequestContext, resource: str, tags: dict[str, str]) -> Output:
        if signing.is_config_arn(resource):
            signing.change_tags(self, ctx, resource, add=tags)
            return {}
        ref = self._tag_ref(ctx, resource)

        def tag(tx: Tx) -> None:
            fn = db.require_function(tx, ref)
            fn.tags.update(tags)
            if len(fn.tags) > 50:
                raise invalid_parameter("Number of tags exceeds resource tag limit.")
            db.put_function(tx, fn)

        self.store.write(tag)
        return {}

    @operation("UntagResource")
    def untag_resource(self, ctx: RequestContext, resource: str, tag_keys: list[str]) -> Output:
        if signing.is_config_arn(resource):
            signing.change_tags(self, ctx, resource, remove=tag_keys)
            return {}
        ref = self._tag_ref(ctx, resource)

        def untag(tx: Tx) -> None:
            fn = db.require_function(tx, ref)
            for name in tag_keys:
                fn.tags.pop(name, None)
            db.put_function(tx, fn)

        self.store.write(untag)
        return {}

    @operation("ListTags")
    def list_tags(self, ctx: RequestContext, resource: str) -> Output:
        if signing.is_config_arn(resource):
            return {"Tags": signing.change_tags(self, ctx, resource)}
        ref = self._tag_ref(ctx, resource)
        fn = self.store.read(lambda tx: db.require_function(tx, ref))
        return {"Tags": dict(fn.tags)}

    # -- recursion ---------------------------------------------------------------------

    @operation("PutFunctionRecursionConfig")
    def put_function_recursion_config(
        self, ctx: RequestContext, function_name: str, recursive_loop: str
    ) -> Output:
        ref = self._ref(ctx, function_name)

        def put(tx: Tx) -> None:
            fn = db.require_function(tx, ref)
            fn.recursive_loop = recursive_loop
            db.put_function(tx, fn)

        self.store.write(put)
        return {"RecursiveLoop": recursive_loop}

    @operation("GetFunctionRecursionConfig")
    def get_function_recursion_config(self, ctx: RequestContext, function_name: str) -> Output:
        ref = self._ref(ctx, function_name)
        fn = self.store.read(lambda tx: db.require_function(tx, ref))
        return {"RecursiveLoop": fn.recursive_loop}

    # -- function URLs -------------------------------------------------------------------

    def url_for(self, url_id: str, region: str) -> str:
        return f"http://{url_id}.lambda-url.{region}.localhost:{self.settings.port}/"

    def _url_out(self, ref: FunctionRef, config: dict[str, Any], *, created: bool) -> Output:
        out: Output = {
            "FunctionUrl": self.url_for(config["UrlId"], ref.region),
            "FunctionArn": ref.qualified_arn,
            "AuthType": config["AuthType"],
            "CreationTime": config["CreationTime"],
            "InvokeMode": config.get("InvokeMode", "BUFFERED"),
        }
        if config.get("Cors"):
            out["Cors"] = config["Cors"]
        if not created:
            out["LastModifiedTime"] = config["LastModifiedTime"]
        return out

    def _url_ref(
        self, ctx: RequestContext, function_name: str, qualifier: str | None
    ) -> FunctionRef:
        ref = self._ref(ctx, function_name, qualifier)
        if ref.qualifier is not None and ref.qualifier.isdigit():
            raise invalid_parameter(
                "Function URLs can only be configured on $LATEST or on an alias."
            )
        self.store.read(lambda tx: db.resolve(tx, ref))
        return ref

    @operation("CreateFunctionUrlConfig")
    def create_function_url_config(
        self,
        ctx: RequestContext,
        function_name: str,
        auth_type: str,
        qualifier: str | None = None,
        cors: dict[str, Any] | None = None,
        invoke_mode: str | None = None,
    ) -> Output:
        ref = self._url_ref(ctx, function_name, qualifier)
        now = lambda_time(dt.datetime.now(dt.UTC))
        url_id = "".join(secrets.choice(_URL_ID) for _ in range(32))
        config: dict[str, Any] = {
            "UrlId": url_id,
            "AuthType": auth_type,
            "Cors": cors,
            "InvokeMode": invoke_mode or "BUFFERED",
            "CreationTime": now,
            "LastModifiedTime": now,
            "Qualifier": ref.qualifier,
        }

        def create(tx: Tx) -> None:
            if db.get_item(tx, db.URLS, ref, ref.qualifier or "") is not None:
                raise conflict(
                    f"Failed to create function url config for [functionArn = "
                    f"{ref.qualified_arn}]. Error message:  FunctionUrlConfig exists for this "
                    "Lambda function"
                )
            db.put_item(tx, db.URLS, ref, ref.qualifier or "", config)
            tx.put(
                db.URL_IDS,
                key(url_id),
                {
                    "account_id": ref.account_id,
                    "region": ref.region,
                    "name": ref.name,
                    "qualifier": ref.qualifier,
                },
            )

        self.store.write(create)
        return self._url_out(ref, config, created=True)

    @operation("GetFunctionUrlConfig")
    def get_function_url_config(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._url_ref(ctx, function_name, qualifier)
        config = self.store.read(lambda tx: db.get_item(tx, db.URLS, ref, ref.qualifier or ""))
        if config is None:
            raise not_found()
        return self._url_out(ref, config, created=False)

    @operation("UpdateFunctionUrlConfig")
    def update_function_url_config(
        self,
        ctx: RequestContext,
        function_name: str,
        qualifier: str | None = None,
        auth_type: str | None = None,
        cors: dict[str, Any] | None = None,
        invoke_mode: str | None = None,
    ) -> Output:
        ref = self._url_ref(ctx, function_name, qualifier)

        def update(tx: Tx) -> dict[str, Any]:
            config = db.get_item(tx, db.URLS, ref, ref.qualifier or "")
            if config is None:
                raise not_found()
            if auth_type is not None:
                config["AuthType"] = auth_type
            if cors is not None:
                config["Cors"] = cors
            if invoke_mode is not None:
                config["InvokeMode"] = invoke_mode
            config["LastModifiedTime"] = lambda_time()
            db.put_item(tx, db.URLS, ref, ref.qualifier or "", config)
            return config  # type: ignore[no-any-return]

        return self._url_out(ref, self.store.write(update), created=False)

    @operation("DeleteFunctionUrlConfig")
    def delete_function_url_config(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._url_ref(ctx, function_name, qualifier)

        def delete(tx: Tx) -> None:
            config = db.get_item(tx, db.URLS, ref, ref.qualifier or "")
            if config is None:
                raise not_found()
            db.delete_item(tx, db.URLS, ref, ref.qualifier or "")
            tx.delete(db.URL_IDS, key(config["UrlId"]))

        self.store.write(delete)
        return {}

    @operation("ListFunctionUrlConfigs")
    def list_function_url_configs(
        self,
        ctx: RequestContext,
        function_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)

        def collect(tx: Tx) -> list[tuple[str, Any]]:
            db.require_function(tx, ref)
            return list(db.list_items(tx, db.URLS, ref))

        chunk, nxt = page(self.store.read(collect), marker, max_items)
        out: Output = {
            "FunctionUrlConfigs": [
                self._url_out(
                    FunctionRef(ref.account_id, ref.region, ref.name, q or None), c, created=False
                )
                for q, c in chunk
            ]
        }
        if nxt is not None:
            out["NextMarker"] = nxt
        return out
