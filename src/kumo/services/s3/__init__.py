"""S3: buckets and objects, streamed to blob files and listed by index range scans.

``provider`` binds each operation to the function implementing it, in modules by
sub-resource: ``buckets``, ``objects`` (and ``wire``, ``bodies``, ``conditions`` for their
headers, bytes and preconditions), ``listing``, ``version_listing``, ``versions``
(versioning rules), ``multipart`` (and ``uploads`` for its records), ``attributes``,
``acl``, ``cors``, ``lifecycle`` (and its sweep), ``notifications`` (outbox records, topic
``s3.notification``), ``configs`` (policy, encryption, ownership, public access block),
``bucket_settings`` (acceleration, request payment, logging) and ``website``. ``front``
(with ``post`` and ``forms``) answers the HTTP requests that are not API operations: CORS
preflight, the website endpoint and browser form uploads. ``models`` holds the records and
S3's naming and tagging rules, ``store`` the tables, ``errors`` S3's error shapes.
"""
