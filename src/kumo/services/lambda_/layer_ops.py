"""The layers part of the Lambda provider: publishing, reading, listing and deleting layer
versions, and the layer version permissions that share them."""

from __future__ import annotations

import json
from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.base import operation
from kumo.services.lambda_ import layers as layer_db
from kumo.services.lambda_ import policy
from kumo.services.lambda_.code import package_bytes, store_package
from kumo.services.lambda_.errors import not_found, precondition_failed
from kumo.services.lambda_.functions import page
from kumo.services.lambda_.invoke_ops import InvokeOps
from kumo.services.lambda_.layers import LayerVersion, parse_layer_name, parse_version_arn
from kumo.services.lambda_.models import lambda_time, new_revision
from kumo.storage.base import Tx

__all__ = ["LayerOps"]

Output = dict[str, Any]


class LayerOps(InvokeOps):
    """Layer versions and their permissions."""

    # -- layers --------------------------------------------------------------------------

    @operation("PublishLayerVersion", blocking=True)
    def publish_layer_version(
        self,
        ctx: RequestContext,
        layer_name: str,
        content: dict[str, Any],
        description: str | None = None,
        compatible_runtimes: list[str] | None = None,
        license_info: str | None = None,
        compatible_architectures: list[str] | None = None,
    ) -> Output:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)
        data = package_bytes(
            self.store,
            "PublishLayerVersion",
            content.get("ZipFile"),
            content.get("S3Bucket"),
            content.get("S3Key"),
            content.get("S3ObjectVersion"),
        )
        package = store_package(self.store, self.settings.data_dir, data)

        def publish(tx: Tx) -> LayerVersion:
            layer = LayerVersion(
                account_id=account,
                region=region,
                name=name,
                version=layer_db.next_number(tx, account, region, name),
                blob=package.blob,
                code_sha256=package.sha256,
                code_size=package.size,
                digest=package.digest,
                created=lambda_time(),
                description=description or "",
                compatible_runtimes=list(compatible_runtimes or []),
                compatible_architectures=list(compatible_architectures or []),
                license_info=license_info,
            )
            layer_db.put(tx, layer)
            return layer

        layer = self.store.write(publish)
        return layer.to_wire(self.blob_location(ctx, layer.blob))

    def _layer_out(self, ctx: RequestContext, layer: LayerVersion) -> Output:
        return layer.to_wire(self.blob_location(ctx, layer.blob))

    @operation("GetLayerVersion")
    def get_layer_version(
        self, ctx: RequestContext, layer_name: str, version_number: int
    ) -> Output:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)
        layer = self.store.read(
            lambda tx: layer_db.require(tx, account, region, name, version_number)
        )
        return self._layer_out(ctx, layer)

    @operation("GetLayerVersionByArn")
    def get_layer_version_by_arn(self, ctx: RequestContext, arn: str) -> Output:
        account, region, name, number = parse_version_arn(arn)
        layer = self.store.read(lambda tx: layer_db.require(tx, account, region, name, number))
        return self._layer_out(ctx, layer)

    @operation("DeleteLayerVersion")
    def delete_layer_version(
        self, ctx: RequestContext, layer_name: str, version_number: int
    ) -> Output:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)
        # functions using this version keep running it, as on Lambda: they run the unpacked
        # directory (named by content), not the blob
        blob = self.store.write(
            lambda tx: layer_db.delete(tx, account, region, name, version_number)
        )
        if blob is not None:
            self.store.blobs.delete(blob)
        return {}

    @operation("ListLayerVersions")
    def list_layer_versions(
        self,
        ctx: RequestContext,
        layer_name: str,
        compatible_runtime: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
        compatible_architecture: str | None = None,
    ) -> Output:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)
        found = self.store.read(lambda tx: layer_db.versions(tx, account, region, name))
        found = [
            v for v in found if layer_db.matches(v, compatible_runtime, compatible_architecture)
        ]
        chunk, nxt = page(found, marker, max_items)
        out: Output = {"LayerVersions": [v.summary() for v in chunk]}
        if nxt is not None:
            out["NextMarker"] = nxt
        return out

    @operation("ListLayers")
    def list_layers(
        self,
        ctx: RequestContext,
        compatible_runtime: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
        compatible_architecture: str | None = None,
    ) -> Output:
        def collect(tx: Tx) -> list[Output]:
            out: list[Output] = []
            for name in layer_db.names(tx, ctx.account_id, ctx.region):
                for layer in layer_db.versions(tx, ctx.account_id, ctx.region, name):
                    if layer_db.matches(layer, compatible_runtime, compatible_architecture):
                        out.append(
                            {
                                "LayerName": name,
                                "LayerArn": layer.layer_arn,
                                "LatestMatchingVersion": layer.summary(),
                            }
                        )
                        break
            return out

        chunk, nxt = page(self.store.read(collect), marker, max_items)
        out: Output = {"Layers": chunk}
        if nxt is not None:
            out["NextMarker"] = nxt
        return out

    # -- layer version permissions -------------------------------------------------------

    def _layer_change(
        self,
        ctx: RequestContext,
        layer_name: str,
        version_number: int,
        revision_id: str | None,
        change: Any,
    ) -> LayerVersion:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)

        def apply(tx: Tx) -> LayerVersion:
            layer = layer_db.require(tx, account, region, name, version_number)
            if revision_id is not None and revision_id != layer.policy_revision:
                raise precondition_failed("GetLayerVersionPolicy")
            layer.policy = change(layer.policy)
            layer.policy_revision = new_revision() if layer.policy else None
            layer_db.put(tx, layer)
            return layer

        return self.store.write(apply)

    @operation("AddLayerVersionPermission")
    def add_layer_version_permission(
        self,
        ctx: RequestContext,
        layer_name: str,
        version_number: int,
        statement_id: str,
        action: str,
        principal: str,
        organization_id: str | None = None,
        revision_id: str | None = None,
    ) -> Output:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)
        resource = f"arn:aws:lambda:{region}:{account}:layer:{name}:{version_number}"
        request = policy.PermissionRequest(
            statement_id=statement_id,
            action=action,
            principal=principal,
            principal_org_id=organization_id,
        )
        new = policy.statement(request, resource)
        layer = self._layer_change(
            ctx,
            layer_name,
            version_number,
            revision_id,
            lambda statements: policy.add(statements, new),
        )
        return {
            "Statement": json.dumps(new, separators=(",", ":")),
            "RevisionId": layer.policy_revision,
        }

    @operation("RemoveLayerVersionPermission")
    def remove_layer_version_permission(
        self,
        ctx: RequestContext,
        layer_name: str,
        version_number: int,
        statement_id: str,
        revision_id: str | None = None,
    ) -> Output:
        self._layer_change(
            ctx,
            layer_name,
            version_number,
            revision_id,
            lambda statements: policy.remove(statements, statement_id),
        )
        return {}

    @operation("GetLayerVersionPolicy")
    def get_layer_version_policy(
        self, ctx: RequestContext, layer_name: str, version_number: int
    ) -> Output:
        account, region, name = parse_layer_name(layer_name, ctx.account_id, ctx.region)
        layer = self.store.read(
            lambda tx: layer_db.require(tx, account, region, name, version_number)
        )
        if not layer.policy:
            raise not_found()
        return {"Policy": policy.render(layer.policy), "RevisionId": layer.policy_revision}
