"""IAM's records and rules: roles, users, managed policies and access keys.

Records are dataclasses that convert to a JSON record for the store (``to_record`` /
``from_record``) and to the output shape for the wire (``to_wire``). The rules here are
the ones AWS applies before touching state: name, path and tag constraints, ids in AWS's
formats (``AROA``/``AIDA``/``ANPA`` + 17 characters, ``AKIA``/``ASIA`` access keys), ARNs.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from kumo.services.iam.documents import (
    url_encode,
    validate_identity_policy,
    validate_trust_policy,
)
from kumo.services.iam.errors import invalid_input
from kumo.services.iam.rules import (
    check_description,
    check_name,
    check_path,
    check_policy_path,
    check_range,
    check_tags,
)

if TYPE_CHECKING:
    from kumo.aws.context import RequestContext

__all__ = [
    "ACCESS_KEY_PREFIX",
    "ACTIVE",
    "AWS_MANAGED_ACCOUNT",
    "ID_ALPHABET",
    "INACTIVE",
    "MAX_ACCESS_KEYS_PER_USER",
    "MAX_POLICY_VERSIONS",
    "POLICY_ID_PREFIX",
    "ROLE_ID_PREFIX",
    "SECRET_ALPHABET",
    "TEMPORARY_KEY_PREFIX",
    "USER_ID_PREFIX",
    "AccessKey",
    "Caller",
    "IamArn",
    "ManagedPolicy",
    "PolicyVersion",
    "Record",
    "Role",
    "User",
    "caller_of",
    "new_access_key_id",
    "new_policy",
    "new_role",
    "new_secret_access_key",
    "new_unique_id",
    "new_user",
    "parse_iam_arn",
    "parse_policy_arn",
    "policy_arn",
    "role_arn",
    "root_arn",
    "user_arn",
    "utcnow",
]

# -- ids -----------------------------------------------------------------------------------

ID_ALPHABET = string.ascii_uppercase + string.digits
SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

ROLE_ID_PREFIX = "AROA"
USER_ID_PREFIX = "AIDA"
POLICY_ID_PREFIX = "ANPA"
ACCESS_KEY_PREFIX = "AKIA"
TEMPORARY_KEY_PREFIX = "ASIA"


def new_unique_id(prefix: str) -> str:
    """An IAM unique id: a four-letter prefix naming the kind, then 17 characters."""
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(17))


def new_access_key_id(prefix: str = ACCESS_KEY_PREFIX) -> str:
    """A 20-character access key id (``AKIA`` long-term, ``ASIA`` temporary)."""
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(40))


def utcnow() -> dt.datetime:
    """Now, in UTC, to the second as IAM reports its dates."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# -- ARNs ----------------------------------------------------------------------------------

AWS_MANAGED_ACCOUNT = "aws"


def role_arn(account_id: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:role{path}{name}"


def user_arn(account_id: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:user{path}{name}"


def policy_arn(account_id: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:policy{path}{name}"


_IAM_ARN = re.compile(r"^arn:aws:iam::(aws|\d{12}):(role|user|policy)(/(?:[^/]+/)*)([^/]+)$")


@dataclass(frozen=True)
class IamArn:
    """The parts of an IAM resource ARN: ``arn:aws:iam::<account>:<kind><path><name>``."""

    account_id: str
    kind: str
    path: str
    name: str


def parse_iam_arn(arn: str) -> IamArn | None:
    match = _IAM_ARN.match(arn)
    if match is None:
        return None
    account, kind, path, name = match.groups()
    return IamArn(account_id=account, kind=kind, path=path, name=name)


def parse_policy_arn(arn: str) -> IamArn:
    """The parts of a managed policy ARN; ``InvalidInput`` when it is not one."""
    parsed = parse_iam_arn(arn)
    if parsed is None or parsed.kind != "policy":
        raise invalid_input(f"ARN {arn} is not valid.")
    return parsed


# -- records -------------------------------------------------------------------------------

R = TypeVar("R")


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
    return value


def _from_json(cls: type[R], data: dict[str, Any]) -> R:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        value = data[f.name]
        if "datetime" in str(f.type) and isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        kwargs[f.name] = value
    return cls(**kwargs)


class Record:
    """Conversion between a record dataclass and its JSON form in the store."""

    def to_record(self) -> dict[str, Any]:
        result: dict[str, Any] = _to_json(self)
        return result

    @classmethod
    def from_record(cls: type[R], data: dict[str, Any]) -> R:
        return _from_json(cls, data)


def _add_detail(out: dict[str, Any], boundary: str | None, tags: list[dict[str, str]]) -> None:
    """Add what a role's or user's full shape has over its list entry: boundary and tags."""
    if boundary:
        out["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        }
    if tags:
        out["Tags"] = [dict(t) for t in tags]


@dataclass
class Role(Record):
    account_id: str
    name: str
    role_id: str
    path: str
    arn: str
    create_date: dt.datetime
    assume_role_policy: str
    description: str | None = None
    max_session_duration: int = 3600
    permissions_boundary: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    # ARNs of the attached managed policies, in the order they were attached
    attached: list[str] = field(default_factory=list)
    last_used: dt.datetime | None = None
    last_used_region: str | None = None

    def to_wire(self, *, detail: bool = True) -> dict[str, Any]:
        """The ``Role`` shape; ListRoles leaves out boundary, tags and last use (``detail``)."""
        out: dict[str, Any] = {
            "Path": self.path,
            "RoleName": self.name,
            "RoleId": self.role_id,
            "Arn": self.arn,
            "CreateDate": self.create_date,
            "AssumeRolePolicyDocument": url_encode(self.assume_role_policy),
            "MaxSessionDuration": self.max_session_duration,
        }
        if self.description is not None:
            out["Description"] = self.description
        if detail:
            _add_detail(out, self.permissions_boundary, self.tags)
            last: dict[str, Any] = {}
            if self.last_used is not None:
                last["LastUsedDate"] = self.last_used
                if self.last_used_region:
                    last["Region"] = self.last_used_region
            out["RoleLastUsed"] = last
        return out


@dataclass
class User(Record):
    account_id: str
    name: str
    user_id: str
    path: str
    arn: str
    create_date: dt.datetime
    permissions_boundary: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)

    def to_wire(self, *, detail: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Path": self.path,
            "UserName": self.name,
            "UserId": self.user_id,
            "Arn": self.arn,
            "CreateDate": self.create_date,
        }
        if detail:
            _add_detail(out, self.permissions_boundary, self.tags)
        return out


MAX_POLICY_VERSIONS = 5


@dataclass
class PolicyVersion(Record):
    version_id: str
    document: str
    create_date: dt.datetime

    def to_wire(self, default_version_id: str, *, document: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "VersionId": self.version_id,
            "IsDefaultVersion": self.version_id == default_version_id,
            "CreateDate": self.create_date,
        }
        if document:
            out["Document"] = url_encode(self.document)
        return out


@dataclass
class ManagedPolicy(Record):
    """A managed policy: customer managed (``account_id`` is the account) or AWS managed
    (``account_id`` is ``aws``; such records come from the built-in catalogue)."""

    account_id: str
    name: str
    policy_id: str
    path: str
    arn: str
    create_date: dt.datetime
    update_date: dt.datetime
    default_version_id: str = "v1"
    versions: list[PolicyVersion] = field(default_factory=list)
    next_version: int = 2
    description: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)

    @property
    def is_aws_managed(self) -> bool:
        return self.account_id == AWS_MANAGED_ACCOUNT

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> ManagedPolicy:
        policy = _from_json(cls, data)
        policy.versions = [
            PolicyVersion.from_record(v) if isinstance(v, dict) else v for v in policy.versions
        ]
        return policy

    def version(self, version_id: str) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    @property
    def default_version(self) -> PolicyVersion:
        version = self.version(self.default_version_id)
        assert version is not None, "a managed policy always has its default version"
        return version

    def to_wire(
        self, attachments: int = 0, boundary_uses: int = 0, *, detail: bool = True
    ) -> dict[str, Any]:
        """The ``Policy`` shape; ListPolicies leaves out description and tags (``detail``)."""
        out: dict[str, Any] = {
            "PolicyName": self.name,
            "PolicyId": self.policy_id,
            "Arn": self.arn,
            "Path": self.path,
            "DefaultVersionId": self.default_version_id,
            "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": boundary_uses,
            "IsAttachable": True,
            "CreateDate": self.create_date,
            "UpdateDate": self.update_date,
        }
        if detail:
            if self.description:
                out["Description"] = self.description
            if self.tags:
                out["Tags"] = [dict(t) for t in self.tags]
        return out


# -- new records from request input -------------------------------------------------------


def _checked_path(name: str, member: str, path: str | None) -> str:
    """Check a new role's or user's name and path; the path (``/`` when not given)."""
    path = "/" if path is None else path
    check_name(name, member)
    check_path(path)
    return path


def _check_tags_and_boundary(tags: list[dict[str, str]] | None, boundary: str | None) -> None:
    check_tags(tags or [])
    if boundary is not None:
        parse_policy_arn(boundary)


def new_role(
    account_id: str,
    name: str,
    trust_policy: str,
    *,
    path: str | None,
    description: str | None,
    max_session_duration: int | None,
    permissions_boundary: str | None,
    tags: list[dict[str, str]] | None,
) -> Role:
    """A role from CreateRole's input, checked as IAM checks it."""
    path = _checked_path(name, "roleName", path)
    if description is not None:
        check_description(description)
    if max_session_duration is not None:
        check_range(max_session_duration, "maxSessionDuration", 3600, 43200)
    _check_tags_and_boundary(tags, permissions_boundary)
    validate_trust_policy(trust_policy)
    return Role(
        account_id=account_id,
        name=name,
        role_id=new_unique_id(ROLE_ID_PREFIX),
        path=path,
        arn=role_arn(account_id, path, name),
        create_date=utcnow(),
        assume_role_policy=trust_policy,
        description=description,
        max_session_duration=max_session_duration or 3600,
        permissions_boundary=permissions_boundary,
        tags=list(tags or []),
    )


def new_user(
    account_id: str,
    name: str,
    *,
    path: str | None,
    permissions_boundary: str | None,
    tags: list[dict[str, str]] | None,
) -> User:
    """A user from CreateUser's input, checked as IAM checks it."""
    path = _checked_path(name, "userName", path)
    _check_tags_and_boundary(tags, permissions_boundary)
    return User(
        account_id=account_id,
        name=name,
        user_id=new_unique_id(USER_ID_PREFIX),
        path=path,
        arn=user_arn(account_id, path, name),
        create_date=utcnow(),
        permissions_boundary=permissions_boundary,
        tags=list(tags or []),
    )


def new_policy(
    account_id: str,
    name: str,
    document: str,
    *,
    path: str | None,
    description: str | None,
    tags: list[dict[str, str]] | None,
) -> ManagedPolicy:
    """A customer managed policy from CreatePolicy's input, checked as IAM checks it."""
    path = "/" if path is None else path
    check_name(name, "policyName", 128)
    check_policy_path(path)
    if description is not None:
        check_description(description)
    check_tags(tags or [])
    validate_identity_policy(document, managed=True)
    now = utcnow()
    return ManagedPolicy(
        account_id=account_id,
        name=name,
        policy_id=new_unique_id(POLICY_ID_PREFIX),
        path=path,
        arn=policy_arn(account_id, path, name),
        create_date=now,
        update_date=now,
        versions=[PolicyVersion("v1", document, now)],
        description=description,
        tags=list(tags or []),
    )


# -- access keys ---------------------------------------------------------------------------

ACTIVE = "Active"
INACTIVE = "Inactive"
MAX_ACCESS_KEYS_PER_USER = 2


@dataclass
class AccessKey(Record):
    """A credential kumo issued: a user's long-term key, or temporary session credentials.

    ``arn`` and ``user_id`` name the principal that signs with it (a user, the account root,
    or an assumed-role session); ``user_name`` is set for keys that belong to an IAM user.
    """

    access_key_id: str
    secret_access_key: str
    account_id: str
    arn: str
    user_id: str
    create_date: dt.datetime
    status: str = ACTIVE
    user_name: str | None = None
    session_token: str | None = None
    expiration: dt.datetime | None = None
    # for assumed-role sessions: the role the session acts as
    role_arn: str | None = None

    def metadata(self) -> dict[str, Any]:
        """The ``AccessKeyMetadata`` shape (no secret; no user name for the root's keys)."""
        out: dict[str, Any] = {
            "AccessKeyId": self.access_key_id,
            "Status": self.status,
            "CreateDate": self.create_date,
        }
        if self.user_name is not None:
            out["UserName"] = self.user_name
        return out

    def to_wire(self) -> dict[str, Any]:
        """The ``AccessKey`` shape CreateAccessKey returns, secret included."""
        return {**self.metadata(), "SecretAccessKey": self.secret_access_key}


# -- callers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who signed a request, as IAM and STS see it."""

    account_id: str
    arn: str
    user_id: str
    session_token: str | None = None

    @property
    def is_root(self) -> bool:
        return self.arn == root_arn(self.account_id)

    @property
    def user_name(self) -> str | None:
        """The IAM user's name when the caller is one."""
        parsed = parse_iam_arn(self.arn)
        return parsed.name if parsed is not None and parsed.kind == "user" else None


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def caller_of(ctx: RequestContext) -> Caller:
    """The signing principal; the account root when the request names none kumo knows."""
    principal = ctx.principal
    if principal is None or not principal.arn:
        account = principal.account_id if principal is not None else ctx.account_id
        return Caller(account_id=account, arn=root_arn(account), user_id=account)
    return Caller(
        account_id=principal.account_id,
        arn=principal.arn,
        user_id=principal.user_id or principal.account_id,
        session_token=principal.session_token,
    )
