"""STS: the caller's identity and temporary credentials (assumed roles, session tokens).

Issued credentials are stored with IAM's access keys, so requests signed with them are
verified and act as the session's principal.
"""
