"""IAM: roles, users, managed and inline policies, access keys (stored, not yet enforced).

``provider`` holds the operations; ``entities``, ``policies`` and ``access_keys`` the rules
they apply in a transaction; ``models`` the records; ``store`` the tables, including
:func:`store.lookup_access_key` for verifying signed requests.
"""
