"""The Lambda provider: one thin method per operation over the modules of this package.

Functions, versions and aliases are here, with the plain HTTP Lambda serves (function URLs,
code downloads; see :mod:`.web`). The provider's other operations come from the classes it
extends: :mod:`.resources` (layers, permissions, tags, URL configs), :mod:`.invoke_ops`
(Invoke, concurrency) and :mod:`.async_ops` (the async queue and its settings).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from kumo.aws.authn import Authenticator
from kumo.aws.context import RequestContext
from kumo.aws.errors import ServiceError
from kumo.aws.http import HttpRequest, HttpResponse
from kumo.runtime.api import Invocation
from kumo.services.base import Front, operation
from kumo.services.lambda_ import aliases, functions, policy, signing, web
from kumo.services.lambda_ import store as db
from kumo.services.lambda_.base import CODE_PATH
from kumo.services.lambda_.code import package_bytes, store_package
from kumo.services.lambda_.config import Settings
from kumo.services.lambda_.errors import invalid_parameter
from kumo.services.lambda_.functions import page
from kumo.services.lambda_.invoking import trace_header
from kumo.services.lambda_.models import FunctionRef, FunctionVersion
from kumo.services.lambda_.resources import ResourcesProvider
from kumo.storage.keys import key

__all__ = ["LambdaProvider"]

Output = dict[str, Any]


class LambdaProvider(ResourcesProvider):
    """AWS Lambda."""

    service = "lambda"

    def reset(self) -> None:
        # issued credentials were wiped with the store
        self.invoker.forget_all()

    # -- plain HTTP: code downloads and function URLs -----------------------------------

    async def handle_http(self, request: HttpRequest, front: Front) -> HttpResponse | None:
        """Serve a request that is not an API call, or None when it is not Lambda's."""
        if request.path.startswith(CODE_PATH):
            return await self._download(request)
        found = web.url_id_of(request.host)
        if found is None:
            return None
        return await self._serve_url(request, found[0], front.authenticator)

    async def _download(self, request: HttpRequest) -> HttpResponse:
        blob = request.path[len(CODE_PATH) :]
        query = request.query()
        if request.method not in ("GET", "HEAD") or not self.verify_download(
            blob, query.get("expires", ""), query.get("signature", "")
        ):
            return web.forbidden()
        try:
            data = await asyncio.to_thread(self.store.blobs.read, blob)
        except (ValueError, OSError):
            return web.json_response(404, {"Message": "Not Found"})
        return web.zip_response(data)

    async def _serve_url(
        self, request: HttpRequest, url_id: str, authenticator: Authenticator | None
    ) -> HttpResponse:
        def lookup(tx: Any) -> tuple[Any, Any, Any] | None:
            target = tx.get(db.URL_IDS, key(url_id))
            if target is None:
                return None
            ref = FunctionRef(
                target["account_id"], target["region"], target["name"], target["qualifier"]
            )
            config = db.get_item(tx, db.URLS, ref, ref.qualifier or "")
            statements = (db.get_item(tx, db.POLICIES, ref, ref.qualifier or "") or {}).get(
                "statements", []
            )
            if ref.qualifier is not None:
                unqualified = FunctionRef(ref.account_id, ref.region, ref.name)
                statements = statements + (db.get_item(tx, db.POLICIES, unqualified, "") or {}).get(
                    "statements", []
                )
            return ref, config, statements

        found = self.store.read(lookup)
        if found is None or found[1] is None:
            return web.json_response(404, {"Message": None})
        ref, config, statements = found
        answered = web.preflight(config.get("Cors"), request)
        if answered is not None:
            return answered
        cors = web.cors_headers(config.get("Cors"), request)
        iam: dict[str, Any] | None = None
        if config["AuthType"] == "AWS_IAM":
            iam = self._authenticate_url(request, ref, authenticator)
            if iam is None:
                return web.forbidden()
        elif not policy.allows_public_url(statements):
            return web.forbidden()
        request_id = web.new_request_id()
        event = web.event_for(request, url_id, ref.account_id, request_id, iam)

        def resolve(tx: Any) -> tuple[FunctionVersion, int | None]:
            fn, version, alias = db.resolve(tx, ref)
            if alias is not None and alias.weights:
                version = db.get_version(tx, ref, aliases.pick(alias)) or version
            return version, fn.reserved_concurrency

        try:
            version, reserved = self.store.read(resolve)
            result = await self.invoker.invoke(
                version,
                reserved,
                Invocation(
                    request_id=request_id,
                    payload=json.dumps(event).encode(),
                    invoked_function_arn=ref.qualified_arn,
                    trace_id=trace_header(request.headers.get("x-amzn-trace-id")),
                ),
            )
        except ServiceError as exc:
            if exc.code == "TooManyRequestsException":
                return web.json_response(429, {"Message": "Rate Exceeded."})
            return web.json_response(502, {"Message": "Internal Server Error"})
        return web.with_cors(web.response_for(result.payload, result.function_error), cors)

    def _authenticate_url(
        self, request: HttpRequest, ref: FunctionRef, authenticator: Authenticator | None
    ) -> dict[str, Any] | None:
        """The caller of an AWS_IAM function URL, when its SigV4 signature verifies."""
        from kumo.aws.auth import read_signing_info

        if authenticator is None or read_signing_info(request) is None:
            return None
        ctx = RequestContext(request=request, service_name="lambda")
        try:
            authenticator.authenticate(ctx)
        except ServiceError:
            return None
        principal = ctx.principal
        if principal is None or not principal.verified:
            return None
        return {
            "accessKey": principal.access_key_id,
            "accountId": principal.account_id,
            "callerId": principal.user_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": principal.arn,
            "userId": principal.user_id,
        }

    # -- functions -----------------------------------------------------------------------

    def _package(
        self,
        operation_name: str,
        zip_file: bytes | None,
        s3_bucket: str | None,
        s3_key: str | None,
        s3_object_version: str | None,
    ) -> Any:
        data = package_bytes(
            self.store, operation_name, zip_file, s3_bucket, s3_key, s3_object_version
        )
        return store_package(self.store, self.settings.data_dir, data)

    def _wire(self, version: FunctionVersion) -> Output:
        return version.to_wire()

    def _as_answered(self, version: FunctionVersion, creating: bool) -> Output:
        """The configuration as Lambda answers a create or an update: the function is still
        Pending (create) or its update InProgress. kumo finishes the work within the call,
        so by the time a client asks again (GetFunction, the ``function_active`` and
        ``function_updated`` waiters) it is Active and Successful, as on Lambda afterwards."""
        out = self._wire(version)
        if creating:
            out.update(
                State="Pending",
                StateReason="The function is being created.",
                StateReasonCode="Creating",
            )
        else:
            out.update(
                LastUpdateStatus="InProgress",
                LastUpdateStatusReason="The function is being created.",
                LastUpdateStatusReasonCode="Creating",
            )
        return out

    @operation("CreateFunction", blocking=True)
    def create_function(
        self,
        ctx: RequestContext,
        function_name: str,
        role: str,
        code: dict[str, Any],
        runtime: str | None = None,
        handler: str | None = None,
        description: str | None = None,
        timeout: int | None = None,
        memory_size: int | None = None,
        publish: bool | None = None,
        package_type: str | None = None,
        dead_letter_config: dict[str, Any] | None = None,
        environment: dict[str, Any] | None = None,
        kms_key_arn: str | None = None,
        tracing_config: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        layers: list[str] | None = None,
        architectures: list[str] | None = None,
        ephemeral_storage: dict[str, Any] | None = None,
        logging_config: dict[str, Any] | None = None,
        code_signing_config_arn: str | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        if package_type == "Image" or code.get("ImageUri"):
            raise invalid_parameter(
                "PackageType Image is not supported by kumo: container image functions cannot "
                "run here. Use PackageType Zip with a deployment package."
            )
        if not runtime or not handler:
            raise invalid_parameter(
                "Runtime and Handler are mandatory parameters for functions created with "
                "deployment packages."
            )
        settings = Settings(
            runtime=runtime,
            role=role,
            handler=handler,
            description=description,
            timeout=timeout,
            memory_size=memory_size,
            ephemeral_storage=ephemeral_storage,
            environment=environment,
            layers=layers,
            tracing_config=tracing_config,
            dead_letter_config=dead_letter_config,
            kms_key_arn=kms_key_arn,
            logging_config=logging_config,
        )
        # settings are checked before the (slow) package work, and again in the write
        self.store.read(lambda tx: functions.check_new(tx, ref, settings))
        if code_signing_config_arn is not None:
            signing.check_arn(code_signing_config_arn)
            self.store.read(
                lambda tx: signing.require_config(
                    tx, ref.account_id, ref.region, code_signing_config_arn
                )
            )
        package = self._package(
            "CreateFunction",
            code.get("ZipFile"),
            code.get("S3Bucket"),
            code.get("S3Key"),
            code.get("S3ObjectVersion"),
        )

        def create(tx: Any) -> FunctionVersion:
            version = functions.create(
                tx,
                ref,
                package,
                settings,
                architectures=architectures,
                tags=tags or {},
                publish=bool(publish),
            )
            if code_signing_config_arn is not None:
                signing.link(tx, ref, code_signing_config_arn)
            return version

        try:
            version = self.store.write(create)
        except BaseException:
            self.store.blobs.delete(package.blob)
            raise
        return self._as_answered(version, creating=True)

    @operation("GetFunction")
    def get_function(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._ref(ctx, function_name, qualifier)
        fn, version, _ = self.store.read(lambda tx: db.resolve(tx, ref))
        out: Output = {
            "Configuration": self._wire(version),
            "Code": {"RepositoryType": "S3", "Location": self.code_location(ctx, version)},
        }
        if fn.tags:
            out["Tags"] = dict(fn.tags)
        if fn.reserved_concurrency is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved_concurrency}
        return out

    @operation("GetFunctionConfiguration")
    def get_function_configuration(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._ref(ctx, function_name, qualifier)
        _, version, _ = self.store.read(lambda tx: db.resolve(tx, ref))
        return self._wire(version)

    @operation("ListFunctions")
    def list_functions(
        self,
        ctx: RequestContext,
        master_region: str | None = None,
        function_version: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        def collect(tx: Any) -> list[FunctionVersion]:
            out: list[FunctionVersion] = []
            for fn in db.list_functions(tx, ctx.account_id, ctx.region, None):
                out.append(fn.latest)
                if function_version == "ALL":
                    ref = FunctionRef(ctx.account_id, ctx.region, fn.name)
                    out.extend(db.list_versions(tx, ref))
            return out

        items, nxt = page(self.store.read(collect), marker, max_items)
        out: Output = {"Functions": [self._wire(v) for v in items]}
        if nxt is not None:
            out["NextMarker"] = nxt
        return out

    @operation("DeleteFunction", blocking=True)
    def delete_function(
        self, ctx: RequestContext, function_name: str, qualifier: str | None = None
    ) -> Output:
        ref = self._ref(ctx, function_name, qualifier)
        blobs = self.store.write(lambda tx: functions.delete(tx, ref))
        for blob in blobs:
            self.store.blobs.delete(blob)
        self.invoker.forget(ref.arn, ref.qualifier)
        return {"StatusCode": 204}

    @operation("UpdateFunctionCode", blocking=True)
    def update_function_code(
        self,
        ctx: RequestContext,
        function_name: str,
        zip_file: bytes | None = None,
        s3_bucket: str | None = None,
        s3_key: str | None = None,
        s3_object_version: str | None = None,
        image_uri: str | None = None,
        publish: bool | None = None,
        dry_run: bool | None = None,
        revision_id: str | None = None,
        architectures: list[str] | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        if image_uri is not None:
            raise invalid_parameter(
                "Please don't provide ImageUri when updating a function with packageType Zip."
            )
        self.store.read(lambda tx: db.require_function(tx, ref))
        package = self._package(
            "UpdateFunctionCode", zip_file, s3_bucket, s3_key, s3_object_version
        )
        try:
            version, unused = self.store.write(
                lambda tx: functions.update_code(
                    tx,
                    ref,
                    package,
                    architectures=architectures,
                    revision_id=revision_id,
                    publish=bool(publish),
                    dry_run=bool(dry_run),
                )
            )
        except BaseException:
            self.store.blobs.delete(package.blob)
            raise
        if dry_run:
            self.store.blobs.delete(package.blob)
        if unused is not None:
            self.store.blobs.delete(unused)
        return self._wire(version) if dry_run else self._as_answered(version, creating=False)

    @operation("UpdateFunctionConfiguration")
    def update_function_configuration(
        self,
        ctx: RequestContext,
        function_name: str,
        role: str | None = None,
        handler: str | None = None,
        description: str | None = None,
        timeout: int | None = None,
        memory_size: int | None = None,
        environment: dict[str, Any] | None = None,
        runtime: str | None = None,
        dead_letter_config: dict[str, Any] | None = None,
        kms_key_arn: str | None = None,
        tracing_config: dict[str, Any] | None = None,
        revision_id: str | None = None,
        layers: list[str] | None = None,
        ephemeral_storage: dict[str, Any] | None = None,
        logging_config: dict[str, Any] | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        settings = Settings(
            runtime=runtime,
            role=role,
            handler=handler,
            description=description,
            timeout=timeout,
            memory_size=memory_size,
            ephemeral_storage=ephemeral_storage,
            environment=environment,
            layers=layers,
            tracing_config=tracing_config,
            dead_letter_config=dead_letter_config,
            kms_key_arn=kms_key_arn,
            logging_config=logging_config,
        )
        version = self.store.write(
            lambda tx: functions.update_configuration(tx, ref, settings, revision_id)
        )
        return self._as_answered(version, creating=False)

    # -- versions ------------------------------------------------------------------------

    @operation("PublishVersion")
    def publish_version(
        self,
        ctx: RequestContext,
        function_name: str,
        code_sha256: str | None = None,
        description: str | None = None,
        revision_id: str | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        version = self.store.write(
            lambda tx: functions.publish(tx, ref, code_sha256, description, revision_id)
        )
        return self._wire(version)

    @operation("ListVersionsByFunction")
    def list_versions_by_function(
        self,
        ctx: RequestContext,
        function_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)

        def collect(tx: Any) -> list[FunctionVersion]:
            fn = db.require_function(tx, ref)
            return [fn.latest, *db.list_versions(tx, ref)]

        items, nxt = page(self.store.read(collect), marker, max_items)
        out: Output = {"Versions": [v.to_wire(qualify_latest=True) for v in items]}
        if nxt is not None:
            out["NextMarker"] = nxt
        return out

    # -- aliases -------------------------------------------------------------------------

    @operation("CreateAlias")
    def create_alias(
        self,
        ctx: RequestContext,
        function_name: str,
        name: str,
        function_version: str,
        description: str | None = None,
        routing_config: dict[str, Any] | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        alias = self.store.write(
            lambda tx: aliases.create(tx, ref, name, function_version, description, routing_config)
        )
        return alias.to_wire()

    @operation("GetAlias")
    def get_alias(self, ctx: RequestContext, function_name: str, name: str) -> Output:
        ref = self._ref(ctx, function_name)

        def get(tx: Any) -> Any:
            db.require_function(tx, ref)
            return db.require_alias(tx, ref, name)

        return self.store.read(get).to_wire()  # type: ignore[no-any-return]

    @operation("UpdateAlias")
    def update_alias(
        self,
        ctx: RequestContext,
        function_name: str,
        name: str,
        function_version: str | None = None,
        description: str | None = None,
        routing_config: dict[str, Any] | None = None,
        revision_id: str | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)
        alias = self.store.write(
            lambda tx: aliases.update(
                tx, ref, name, function_version, description, routing_config, revision_id
            )
        )
        return alias.to_wire()

    @operation("DeleteAlias")
    def delete_alias(self, ctx: RequestContext, function_name: str, name: str) -> Output:
        ref = self._ref(ctx, function_name)

        def delete(tx: Any) -> None:
            db.require_function(tx, ref)
            tx.delete(db.ALIASES, db.fkey(ref, name))
            url = db.get_item(tx, db.URLS, ref, name)
            if url is not None:
                tx.delete(db.URL_IDS, key(url["UrlId"]))
            for table in (db.POLICIES, db.EVENT_CONFIGS, db.URLS, db.PROVISIONED):
                tx.delete(table, db.fkey(ref, name))

        self.store.write(delete)
        return {}

    @operation("ListAliases")
    def list_aliases(
        self,
        ctx: RequestContext,
        function_name: str,
        function_version: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        ref = self._ref(ctx, function_name)

        def collect(tx: Any) -> list[Any]:
            db.require_function(tx, ref)
            found = list(db.list_aliases(tx, ref))
            if function_version is not None:
                found = [
                    a
                    for a in found
                    if a.function_version == function_version or function_version in a.weights
                ]
            return found

        items, nxt = page(self.store.read(collect), marker, max_items)
        out: Output = {"Aliases": [a.to_wire() for a in items]}
        if nxt is not None:
            out["NextMarker"] = nxt
        return out
