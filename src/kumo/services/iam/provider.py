"""The IAM provider: one method per operation.

Each method checks its input as AWS does, runs the rule in :mod:`entities`,
:mod:`policies` or :mod:`access_keys` in one store transaction, and returns the output
shape. IAM state is stored, not yet enforced on other services' requests.
"""

from __future__ import annotations

from typing import Any

from kumo.aws.context import RequestContext
from kumo.services.base import Provider, operation
from kumo.services.iam import access_keys, entities, policies
from kumo.services.iam import store as db
from kumo.services.iam.documents import (
    url_encode,
    validate_identity_policy,
    validate_trust_policy,
)
from kumo.services.iam.errors import non_user_caller
from kumo.services.iam.models import (
    Role,
    User,
    caller_of,
    new_policy,
    new_role,
    new_user,
    parse_policy_arn,
    root_arn,
)
from kumo.services.iam.paging import attached_page, by_position, paginate, tags_page
from kumo.services.iam.rules import (
    check_description,
    check_name,
    check_path_prefix,
    check_policy_path,
    check_range,
)
from kumo.storage.base import Tx

__all__ = ["IamProvider"]

Output = dict[str, Any]
Tags = list[dict[str, str]]

ROLE = db.ROLE
USER = db.USER


class IamProvider(Provider):
    """AWS Identity and Access Management: roles, users, policies and access keys."""

    service = "iam"

    # -- roles -----------------------------------------------------------------------------

    @operation("CreateRole")
    def create_role(
        self,
        ctx: RequestContext,
        role_name: str,
        assume_role_policy_document: str,
        path: str | None = None,
        description: str | None = None,
        max_session_duration: int | None = None,
        permissions_boundary: str | None = None,
        tags: Tags | None = None,
    ) -> Output:
        role = new_role(
            ctx.account_id,
            role_name,
            assume_role_policy_document,
            path=path,
            description=description,
            max_session_duration=max_session_duration,
            permissions_boundary=permissions_boundary,
            tags=tags,
        )
        self.store.write(lambda tx: entities.create(tx, role))
        wire = role.to_wire()
        del wire["RoleLastUsed"]
        return {"Role": wire}

    @operation("GetRole")
    def get_role(self, ctx: RequestContext, role_name: str) -> Output:
        role = self.store.read(lambda tx: db.require_role(tx, ctx.account_id, role_name))
        return {"Role": role.to_wire()}

    @operation("ListRoles")
    def list_roles(
        self,
        ctx: RequestContext,
        path_prefix: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        prefix = path_prefix or "/"
        check_path_prefix(prefix)
        roles = self.store.read(lambda tx: db.list_roles(tx, ctx.account_id))
        page, more = paginate(
            (r for r in roles if r.path.startswith(prefix)),
            lambda r: r.name.lower(),
            marker,
            max_items,
        )
        return {"Roles": [r.to_wire(detail=False) for r in page], **more}

    @operation("DeleteRole")
    def delete_role(self, ctx: RequestContext, role_name: str) -> Output:
        self.store.write(lambda tx: entities.delete(tx, ctx.account_id, ROLE, role_name))
        return {}

    @operation("UpdateRole")
    def update_role(
        self,
        ctx: RequestContext,
        role_name: str,
        description: str | None = None,
        max_session_duration: int | None = None,
    ) -> Output:
        if description is not None:
            check_description(description)
        if max_session_duration is not None:
            check_range(max_session_duration, "maxSessionDuration", 3600, 43200)
        self.store.write(
            lambda tx: entities.update_role(
                tx, ctx.account_id, role_name, description, max_session_duration
            )
        )
        return {}

    @operation("UpdateRoleDescription")
    def update_role_description(
        self, ctx: RequestContext, role_name: str, description: str
    ) -> Output:
        check_description(description)
        role = self.store.write(
            lambda tx: entities.update_role(tx, ctx.account_id, role_name, description)
        )
        return {"Role": role.to_wire()}

    @operation("UpdateAssumeRolePolicy")
    def update_assume_role_policy(
        self, ctx: RequestContext, role_name: str, policy_document: str
    ) -> Output:
        validate_trust_policy(policy_document)
        self.store.write(
            lambda tx: entities.update_role(
                tx, ctx.account_id, role_name, trust_policy=policy_document
            )
        )
        return {}

    @operation("PutRolePermissionsBoundary")
    def put_role_permissions_boundary(
        self, ctx: RequestContext, role_name: str, permissions_boundary: str
    ) -> Output:
        parse_policy_arn(permissions_boundary)
        self.store.write(
            lambda tx: entities.set_boundary(
                tx, ctx.account_id, ROLE, role_name, permissions_boundary
            )
        )
        return {}

    @operation("DeleteRolePermissionsBoundary")
    def delete_role_permissions_boundary(self, ctx: RequestContext, role_name: str) -> Output:
        self.store.write(
            lambda tx: entities.set_boundary(tx, ctx.account_id, ROLE, role_name, None)
        )
        return {}

    # -- tags of roles, users and policies ----------------------------------------------------

    @operation("TagRole")
    def tag_role(self, ctx: RequestContext, role_name: str, tags: Tags) -> Output:
        self.store.write(lambda tx: entities.tag(tx, ctx.account_id, ROLE, role_name, tags))
        return {}

    @operation("UntagRole")
    def untag_role(self, ctx: RequestContext, role_name: str, tag_keys: list[str]) -> Output:
        self.store.write(lambda tx: entities.untag(tx, ctx.account_id, ROLE, role_name, tag_keys))
        return {}

    @operation("ListRoleTags")
    def list_role_tags(
        self,
        ctx: RequestContext,
        role_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        role = self.store.read(lambda tx: db.require_role(tx, ctx.account_id, role_name))
        return tags_page(role.tags, marker, max_items)

    @operation("TagUser")
    def tag_user(self, ctx: RequestContext, user_name: str, tags: Tags) -> Output:
        self.store.write(lambda tx: entities.tag(tx, ctx.account_id, USER, user_name, tags))
        return {}

    @operation("UntagUser")
    def untag_user(self, ctx: RequestContext, user_name: str, tag_keys: list[str]) -> Output:
        self.store.write(lambda tx: entities.untag(tx, ctx.account_id, USER, user_name, tag_keys))
        return {}

    @operation("ListUserTags")
    def list_user_tags(
        self,
        ctx: RequestContext,
        user_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        user = self.store.read(lambda tx: db.require_user(tx, ctx.account_id, user_name))
        return tags_page(user.tags, marker, max_items)

    @operation("TagPolicy")
    def tag_policy(self, ctx: RequestContext, policy_arn: str, tags: Tags) -> Output:
        caller = caller_of(ctx).arn
        self.store.write(lambda tx: policies.tag(tx, ctx.account_id, policy_arn, tags, caller))
        return {}

    @operation("UntagPolicy")
    def untag_policy(self, ctx: RequestContext, policy_arn: str, tag_keys: list[str]) -> Output:
        caller = caller_of(ctx).arn
        self.store.write(
            lambda tx: policies.untag(tx, ctx.account_id, policy_arn, tag_keys, caller)
        )
        return {}

    @operation("ListPolicyTags")
    def list_policy_tags(
        self,
        ctx: RequestContext,
        policy_arn: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        policy = self.store.read(lambda tx: db.require_policy(tx, ctx.account_id, policy_arn))
        return tags_page(policy.tags, marker, max_items)

    # -- inline policies of roles and users ---------------------------------------------------

    @operation("PutRolePolicy")
    def put_role_policy(
        self, ctx: RequestContext, role_name: str, policy_name: str, policy_document: str
    ) -> Output:
        return self._put_inline(ctx, ROLE, role_name, policy_name, policy_document)

    @operation("GetRolePolicy")
    def get_role_policy(self, ctx: RequestContext, role_name: str, policy_name: str) -> Output:
        role, document = self._get_inline(ctx, ROLE, role_name, policy_name)
        return {"RoleName": role.name, "PolicyName": policy_name, "PolicyDocument": document}

    @operation("DeleteRolePolicy")
    def delete_role_policy(self, ctx: RequestContext, role_name: str, policy_name: str) -> Output:
        return self._delete_inline(ctx, ROLE, role_name, policy_name)

    @operation("ListRolePolicies")
    def list_role_policies(
        self,
        ctx: RequestContext,
        role_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        return self._list_inline(ctx, ROLE, role_name, marker, max_items)

    @operation("PutUserPolicy")
    def put_user_policy(
        self, ctx: RequestContext, user_name: str, policy_name: str, policy_document: str
    ) -> Output:
        return self._put_inline(ctx, USER, user_name, policy_name, policy_document)

    @operation("GetUserPolicy")
    def get_user_policy(self, ctx: RequestContext, user_name: str, policy_name: str) -> Output:
        user, document = self._get_inline(ctx, USER, user_name, policy_name)
        return {"UserName": user.name, "PolicyName": policy_name, "PolicyDocument": document}

    @operation("DeleteUserPolicy")
    def delete_user_policy(self, ctx: RequestContext, user_name: str, policy_name: str) -> Output:
        return self._delete_inline(ctx, USER, user_name, policy_name)

    @operation("ListUserPolicies")
    def list_user_policies(
        self,
        ctx: RequestContext,
        user_name: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        return self._list_inline(ctx, USER, user_name, marker, max_items)

    def _put_inline(
        self, ctx: RequestContext, kind: str, name: str, policy_name: str, document: str
    ) -> Output:
        check_name(policy_name, "policyName", 128)
        validate_identity_policy(document)
        self.store.write(
            lambda tx: entities.put_inline(tx, ctx.account_id, kind, name, policy_name, document)
        )
        return {}

    def _get_inline(
        self, ctx: RequestContext, kind: str, name: str, policy_name: str
    ) -> tuple[Role | User, str]:
        entity, document = self.store.read(
            lambda tx: entities.get_inline(tx, ctx.account_id, kind, name, policy_name)
        )
        return entity, url_encode(document)

    def _delete_inline(self, ctx: RequestContext, kind: str, name: str, policy_name: str) -> Output:
        self.store.write(
            lambda tx: entities.delete_inline(tx, ctx.account_id, kind, name, policy_name)
        )
        return {}

    def _list_inline(
        self,
        ctx: RequestContext,
        kind: str,
        name: str,
        marker: str | None,
        max_items: int | None,
    ) -> Output:
        names = self.store.read(lambda tx: entities.inline_names(tx, ctx.account_id, kind, name))
        page, more = paginate(names, lambda n: n, marker, max_items)
        return {"PolicyNames": page, **more}

    # -- attached managed policies ------------------------------------------------------------

    @operation("AttachRolePolicy")
    def attach_role_policy(self, ctx: RequestContext, role_name: str, policy_arn: str) -> Output:
        parse_policy_arn(policy_arn)
        self.store.write(
            lambda tx: entities.attach(tx, ctx.account_id, ROLE, role_name, policy_arn)
        )
        return {}

    @operation("DetachRolePolicy")
    def detach_role_policy(self, ctx: RequestContext, role_name: str, policy_arn: str) -> Output:
        parse_policy_arn(policy_arn)
        self.store.write(
            lambda tx: entities.detach(tx, ctx.account_id, ROLE, role_name, policy_arn)
        )
        return {}

    @operation("ListAttachedRolePolicies")
    def list_attached_role_policies(
        self,
        ctx: RequestContext,
        role_name: str,
        path_prefix: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        role = self.store.read(lambda tx: db.require_role(tx, ctx.account_id, role_name))
        return attached_page(role.attached, path_prefix, marker, max_items)

    @operation("AttachUserPolicy")
    def attach_user_policy(self, ctx: RequestContext, user_name: str, policy_arn: str) -> Output:
        parse_policy_arn(policy_arn)
        self.store.write(
            lambda tx: entities.attach(tx, ctx.account_id, USER, user_name, policy_arn)
        )
        return {}

    @operation("DetachUserPolicy")
    def detach_user_policy(self, ctx: RequestContext, user_name: str, policy_arn: str) -> Output:
        parse_policy_arn(policy_arn)
        self.store.write(
            lambda tx: entities.detach(tx, ctx.account_id, USER, user_name, policy_arn)
        )
        return {}

    @operation("ListAttachedUserPolicies")
    def list_attached_user_policies(
        self,
        ctx: RequestContext,
        user_name: str,
        path_prefix: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        user = self.store.read(lambda tx: db.require_user(tx, ctx.account_id, user_name))
        return attached_page(user.attached, path_prefix, marker, max_items)

    # -- managed policies ---------------------------------------------------------------------

    @operation("CreatePolicy")
    def create_policy(
        self,
        ctx: RequestContext,
        policy_name: str,
        policy_document: str,
        path: str | None = None,
        description: str | None = None,
        tags: Tags | None = None,
    ) -> Output:
        policy = new_policy(
            ctx.account_id,
            policy_name,
            policy_document,
            path=path,
            description=description,
            tags=tags,
        )
        self.store.write(lambda tx: policies.create(tx, policy))
        return {"Policy": policy.to_wire()}

    @operation("GetPolicy")
    def get_policy(self, ctx: RequestContext, policy_arn: str) -> Output:
        def read(tx: Tx) -> Output:
            policy = db.require_policy(tx, ctx.account_id, policy_arn)
            return policies.describe(tx, ctx.account_id, policy)

        return {"Policy": self.store.read(read)}

    @operation("DeletePolicy")
    def delete_policy(self, ctx: RequestContext, policy_arn: str) -> Output:
        caller = caller_of(ctx).arn
        self.store.write(lambda tx: policies.delete(tx, ctx.account_id, policy_arn, caller))
        return {}

    @operation("ListPolicies")
    def list_policies(
        self,
        ctx: RequestContext,
        scope: str | None = None,
        only_attached: bool | None = None,
        path_prefix: str | None = None,
        policy_usage_filter: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        prefix = path_prefix or "/"
        check_policy_path(prefix, "pathPrefix")
        found = self.store.read(
            lambda tx: policies.list_policies(
                tx,
                ctx.account_id,
                scope=scope or "All",
                only_attached=bool(only_attached),
                path_prefix=prefix,
                usage=policy_usage_filter,
            )
        )
        page, more = paginate(
            found, lambda p: f"{p['PolicyName'].lower()}\x00{p['Arn']}", marker, max_items
        )
        return {"Policies": page, **more}

    @operation("ListEntitiesForPolicy")
    def list_entities_for_policy(
        self,
        ctx: RequestContext,
        policy_arn: str,
        entity_filter: str | None = None,
        path_prefix: str | None = None,
        policy_usage_filter: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        found = self.store.read(
            lambda tx: policies.entities_for(
                tx,
                ctx.account_id,
                policy_arn,
                entity_filter=entity_filter,
                path_prefix=path_prefix or "/",
                usage=policy_usage_filter,
            )
        )
        # one page holds everything: an account has few entities per policy
        return {**found, "IsTruncated": False}

    @operation("GetPolicyVersion")
    def get_policy_version(self, ctx: RequestContext, policy_arn: str, version_id: str) -> Output:
        policies.check_version_id(version_id)
        version = self.store.read(
            lambda tx: policies.get_version(tx, ctx.account_id, policy_arn, version_id)
        )
        return {"PolicyVersion": version}

    @operation("CreatePolicyVersion")
    def create_policy_version(
        self,
        ctx: RequestContext,
        policy_arn: str,
        policy_document: str,
        set_as_default: bool | None = None,
    ) -> Output:
        validate_identity_policy(policy_document, managed=True)
        caller = caller_of(ctx).arn
        version = self.store.write(
            lambda tx: policies.create_version(
                tx, ctx.account_id, policy_arn, policy_document, bool(set_as_default), caller
            )
        )
        return {"PolicyVersion": version}

    @operation("ListPolicyVersions")
    def list_policy_versions(
        self,
        ctx: RequestContext,
        policy_arn: str,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        versions = self.store.read(
            lambda tx: policies.list_versions(tx, ctx.account_id, policy_arn)
        )
        page, more = paginate(by_position(versions), lambda p: p[0], marker, max_items)
        return {"Versions": [version for _, version in page], **more}

    @operation("DeletePolicyVersion")
    def delete_policy_version(
        self, ctx: RequestContext, policy_arn: str, version_id: str
    ) -> Output:
        policies.check_version_id(version_id)
        caller = caller_of(ctx).arn
        self.store.write(
            lambda tx: policies.delete_version(tx, ctx.account_id, policy_arn, version_id, caller)
        )
        return {}

    @operation("SetDefaultPolicyVersion")
    def set_default_policy_version(
        self, ctx: RequestContext, policy_arn: str, version_id: str
    ) -> Output:
        policies.check_version_id(version_id)
        caller = caller_of(ctx).arn
        self.store.write(
            lambda tx: policies.set_default_version(
                tx, ctx.account_id, policy_arn, version_id, caller
            )
        )
        return {}

    # -- users --------------------------------------------------------------------------------

    @operation("CreateUser")
    def create_user(
        self,
        ctx: RequestContext,
        user_name: str,
        path: str | None = None,
        permissions_boundary: str | None = None,
        tags: Tags | None = None,
    ) -> Output:
        user = new_user(
            ctx.account_id,
            user_name,
            path=path,
            permissions_boundary=permissions_boundary,
            tags=tags,
        )
        self.store.write(lambda tx: entities.create(tx, user))
        return {"User": user.to_wire()}

    @operation("GetUser")
    def get_user(self, ctx: RequestContext, user_name: str | None = None) -> Output:
        caller = caller_of(ctx)
        name = user_name if user_name is not None else caller.user_name
        if name is None:
            if caller.is_root:
                # the root user has no name, path or creation record of its own in kumo
                return {"User": {"UserId": caller.account_id, "Arn": root_arn(caller.account_id)}}
            raise non_user_caller()
        user = self.store.read(lambda tx: db.require_user(tx, ctx.account_id, name))
        return {"User": user.to_wire()}

    @operation("ListUsers")
    def list_users(
        self,
        ctx: RequestContext,
        path_prefix: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        prefix = path_prefix or "/"
        check_path_prefix(prefix)
        users = self.store.read(lambda tx: db.list_users(tx, ctx.account_id))
        page, more = paginate(
            (u for u in users if u.path.startswith(prefix)),
            lambda u: u.name.lower(),
            marker,
            max_items,
        )
        return {"Users": [u.to_wire(detail=False) for u in page], **more}

    @operation("DeleteUser")
    def delete_user(self, ctx: RequestContext, user_name: str) -> Output:
        self.store.write(lambda tx: entities.delete(tx, ctx.account_id, USER, user_name))
        return {}

    # -- access keys --------------------------------------------------------------------------

    @operation("CreateAccessKey")
    def create_access_key(self, ctx: RequestContext, user_name: str | None = None) -> Output:
        caller = caller_of(ctx)
        key = self.store.write(lambda tx: access_keys.create(tx, caller, user_name))
        return {"AccessKey": key.to_wire()}

    @operation("ListAccessKeys")
    def list_access_keys(
        self,
        ctx: RequestContext,
        user_name: str | None = None,
        marker: str | None = None,
        max_items: int | None = None,
    ) -> Output:
        caller = caller_of(ctx)
        keys = self.store.read(lambda tx: access_keys.list_keys(tx, caller, user_name))
        page, more = paginate(by_position(keys), lambda p: p[0], marker, max_items)
        return {"AccessKeyMetadata": [key.metadata() for _, key in page], **more}

    @operation("DeleteAccessKey")
    def delete_access_key(
        self, ctx: RequestContext, access_key_id: str, user_name: str | None = None
    ) -> Output:
        caller = caller_of(ctx)
        self.store.write(lambda tx: access_keys.delete(tx, caller, user_name, access_key_id))
        return {}

    @operation("UpdateAccessKey")
    def update_access_key(
        self,
        ctx: RequestContext,
        access_key_id: str,
        status: str,
        user_name: str | None = None,
    ) -> Output:
        caller = caller_of(ctx)
        self.store.write(
            lambda tx: access_keys.update(tx, caller, user_name, access_key_id, status)
        )
        return {}

    @operation("GetAccessKeyLastUsed")
    def get_access_key_last_used(self, ctx: RequestContext, access_key_id: str) -> Output:
        caller = caller_of(ctx)
        return self.store.read(lambda tx: access_keys.last_used(tx, caller, access_key_id))
