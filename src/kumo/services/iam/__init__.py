"""IAM: roles, users, managed and inline policies, access keys (stored, not yet enforced).

``provider`` binds the operations, which live by sub-resource in ``roles``, ``users``,
``principals`` (what roles and users share), ``managed_policies`` and ``keys``;
``entities``, ``policies`` and ``access_keys`` hold the rules they apply in a transaction;
``models`` the records; ``store`` the tables, including :func:`store.lookup_access_key` for
verifying signed requests.
"""
