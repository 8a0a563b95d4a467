"""Signatures (SigV4, SigV2, presigned URLs), aws-chunked bodies and checksums."""
