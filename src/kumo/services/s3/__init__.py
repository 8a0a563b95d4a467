"""S3: buckets and objects, streamed to blob files and listed by index range scans.

``provider`` holds the operations; ``models`` the bucket and object records and S3's naming
and tagging rules; ``store`` the tables; ``listing`` ListObjects(V2) paging over a range
scan; ``conditions`` conditional requests and byte ranges; ``errors`` S3's error shapes.
"""
