"""The SNS operations beside topics, subscriptions and publishing, bound for the provider:
topic permissions and data protection (:mod:`kumo.services.sns.permissions`), account SMS
settings and opted-out numbers (:mod:`kumo.services.sns.sms`), and mobile push applications
and endpoints (:mod:`kumo.services.sns.platform`).

:class:`AccountOperations` is a mixin of :class:`kumo.services.sns.provider.SnsProvider`;
each function takes the provider as its first argument.
"""

from __future__ import annotations

from kumo.services.base import operation
from kumo.services.sns import permissions, platform, sms

__all__ = ["AccountOperations"]


class AccountOperations:
    """Operation bindings the SNS provider inherits."""

    add_permission = operation("AddPermission")(permissions.add_permission)
    remove_permission = operation("RemovePermission")(permissions.remove_permission)
    get_data_protection_policy = operation("GetDataProtectionPolicy")(
        permissions.get_data_protection_policy
    )
    put_data_protection_policy = operation("PutDataProtectionPolicy")(
        permissions.put_data_protection_policy
    )
    get_sms_attributes = operation("GetSMSAttributes")(sms.get_sms_attributes)
    set_sms_attributes = operation("SetSMSAttributes")(sms.set_sms_attributes)
    check_if_phone_number_is_opted_out = operation("CheckIfPhoneNumberIsOptedOut")(
        sms.check_if_phone_number_is_opted_out
    )
    list_phone_numbers_opted_out = operation("ListPhoneNumbersOptedOut")(
        sms.list_phone_numbers_opted_out
    )
    opt_in_phone_number = operation("OptInPhoneNumber")(sms.opt_in_phone_number)
    create_platform_application = operation("CreatePlatformApplication")(
        platform.create_platform_application
    )
    get_platform_application_attributes = operation("GetPlatformApplicationAttributes")(
        platform.get_platform_application_attributes
    )
    set_platform_application_attributes = operation("SetPlatformApplicationAttributes")(
        platform.set_platform_application_attributes
    )
    list_platform_applications = operation("ListPlatformApplications")(
        platform.list_platform_applications
    )
    delete_platform_application = operation("DeletePlatformApplication")(
        platform.delete_platform_application
    )
    create_platform_endpoint = operation("CreatePlatformEndpoint")(
        platform.create_platform_endpoint
    )
    get_endpoint_attributes = operation("GetEndpointAttributes")(platform.get_endpoint_attributes)
    set_endpoint_attributes = operation("SetEndpointAttributes")(platform.set_endpoint_attributes)
    list_endpoints_by_platform_application = operation("ListEndpointsByPlatformApplication")(
        platform.list_endpoints_by_platform_application
    )
    delete_endpoint = operation("DeleteEndpoint")(platform.delete_endpoint)
