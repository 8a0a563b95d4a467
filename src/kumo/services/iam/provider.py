"""The IAM provider: binds each IAM operation to the function implementing it.

The operations live in modules by sub-resource; each is a plain function whose first
parameter is this provider (see :mod:`kumo.services.iam.host`), so its signature is the
operation's input members and ``tests/services/test_providers.py`` checks it against the
model. Each checks its input as AWS does and runs the rules of :mod:`entities`,
:mod:`policies` or :mod:`access_keys` in one store transaction. IAM state is stored, not
yet enforced on other services' requests.
"""

from __future__ import annotations

from kumo.services.base import Provider, operation
from kumo.services.iam import keys, managed_policies, principals, roles, users

__all__ = ["IamProvider"]


class IamProvider(Provider):
    """AWS Identity and Access Management: roles, users, policies and access keys."""

    service = "iam"

    # -- roles -------------------------------------------------------------------------------------
    create_role = operation("CreateRole")(roles.create_role)
    get_role = operation("GetRole")(roles.get_role)
    list_roles = operation("ListRoles")(roles.list_roles)
    delete_role = operation("DeleteRole")(roles.delete_role)
    update_role = operation("UpdateRole")(roles.update_role)
    update_role_description = operation("UpdateRoleDescription")(roles.update_role_description)
    update_assume_role_policy = operation("UpdateAssumeRolePolicy")(roles.update_assume_role_policy)
    put_role_permissions_boundary = operation("PutRolePermissionsBoundary")(
        roles.put_role_permissions_boundary
    )
    delete_role_permissions_boundary = operation("DeleteRolePermissionsBoundary")(
        roles.delete_role_permissions_boundary
    )

    # -- users -------------------------------------------------------------------------------------
    create_user = operation("CreateUser")(users.create_user)
    get_user = operation("GetUser")(users.get_user)
    list_users = operation("ListUsers")(users.list_users)
    delete_user = operation("DeleteUser")(users.delete_user)

    # -- tags of roles and users -------------------------------------------------------------------
    tag_role = operation("TagRole")(principals.tag_role)
    untag_role = operation("UntagRole")(principals.untag_role)
    list_role_tags = operation("ListRoleTags")(principals.list_role_tags)
    tag_user = operation("TagUser")(principals.tag_user)
    untag_user = operation("UntagUser")(principals.untag_user)
    list_user_tags = operation("ListUserTags")(principals.list_user_tags)

    # -- inline policies of roles and users --------------------------------------------------------
    put_role_policy = operation("PutRolePolicy")(principals.put_role_policy)
    get_role_policy = operation("GetRolePolicy")(principals.get_role_policy)
    delete_role_policy = operation("DeleteRolePolicy")(principals.delete_role_policy)
    list_role_policies = operation("ListRolePolicies")(principals.list_role_policies)
    put_user_policy = operation("PutUserPolicy")(principals.put_user_policy)
    get_user_policy = operation("GetUserPolicy")(principals.get_user_policy)
    delete_user_policy = operation("DeleteUserPolicy")(principals.delete_user_policy)
    list_user_policies = operation("ListUserPolicies")(principals.list_user_policies)

    # -- attached managed policies -----------------------------------------------------------------
    attach_role_policy = operation("AttachRolePolicy")(principals.attach_role_policy)
    detach_role_policy = operation("DetachRolePolicy")(principals.detach_role_policy)
    list_attached_role_policies = operation("ListAttachedRolePolicies")(
        principals.list_attached_role_policies
    )
    attach_user_policy = operation("AttachUserPolicy")(principals.attach_user_policy)
    detach_user_policy = operation("DetachUserPolicy")(principals.detach_user_policy)
    list_attached_user_policies = operation("ListAttachedUserPolicies")(
        principals.list_attached_user_policies
    )

    # -- managed policies --------------------------------------------------------------------------
    create_policy = operation("CreatePolicy")(managed_policies.create_policy)
    get_policy = operation("GetPolicy")(managed_policies.get_policy)
    delete_policy = operation("DeletePolicy")(managed_policies.delete_policy)
    list_policies = operation("ListPolicies")(managed_policies.list_policies)
    list_entities_for_policy = operation("ListEntitiesForPolicy")(
        managed_policies.list_entities_for_policy
    )
    get_policy_version = operation("GetPolicyVersion")(managed_policies.get_policy_version)
    create_policy_version = operation("CreatePolicyVersion")(managed_policies.create_policy_version)
    list_policy_versions = operation("ListPolicyVersions")(managed_policies.list_policy_versions)
    delete_policy_version = operation("DeletePolicyVersion")(managed_policies.delete_policy_version)
    set_default_policy_version = operation("SetDefaultPolicyVersion")(
        managed_policies.set_default_policy_version
    )
    tag_policy = operation("TagPolicy")(managed_policies.tag_policy)
    untag_policy = operation("UntagPolicy")(managed_policies.untag_policy)
    list_policy_tags = operation("ListPolicyTags")(managed_policies.list_policy_tags)

    # -- access keys -------------------------------------------------------------------------------
    create_access_key = operation("CreateAccessKey")(keys.create_access_key)
    list_access_keys = operation("ListAccessKeys")(keys.list_access_keys)
    delete_access_key = operation("DeleteAccessKey")(keys.delete_access_key)
    update_access_key = operation("UpdateAccessKey")(keys.update_access_key)
    get_access_key_last_used = operation("GetAccessKeyLastUsed")(keys.get_access_key_last_used)
