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
import unicodedata
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from kumo.services.iam.documents import url_encode
from kumo.services.iam.errors import (
    invalid_input,
    limit_exceeded,
    validation_error,
)

if TYPE_CHECKING:
    from kumo.aws.context import RequestContext

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


# -- input rules ---------------------------------------------------------------------------

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_NAME_PATTERN = r"[\w+=,.@-]+"
_PATH = re.compile(r"(/)|(/[\u0021-\u007E]+/)")
_PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
_PATH_PREFIX = re.compile(r"/[\u0021-\u007F]*")
_PATH_PREFIX_PATTERN = r"\u002F[\u0021-\u007F]*"
_POLICY_PATH = re.compile(r"((/[A-Za-z0-9.,+@=_-]+)*)/")
_POLICY_PATH_PATTERN = r"((/[A-Za-z0-9\.,\+@=_-]+)*)/"
_DESCRIPTION = re.compile(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*")
_DESCRIPTION_PATTERN = r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"
_TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]"
_TAG_EXTRA = set("_.:/=+-@")

MAX_TAGS = 50


def check_length(value: str, member: str, low: int, high: int) -> None:
    if len(value) < low:
        raise validation_error(
            value, member, f"Member must have length greater than or equal to {low}"
        )
    if len(value) > high:
        raise validation_error(
            value, member, f"Member must have length less than or equal to {high}"
        )


def check_range(value: int, member: str, low: int, high: int) -> None:
    if value < low:
        raise validation_error(
            value, member, f"Member must have value greater than or equal to {low}"
        )
    if value > high:
        raise validation_error(
            value, member, f"Member must have value less than or equal to {high}"
        )


def check_name(value: str, member: str, max_length: int = 64) -> None:
    """A role, user or policy name: 1..max characters of ``[\\w+=,.@-]``."""
    check_length(value, member, 1, max_length)
    if not _NAME.fullmatch(value):
        raise validation_error(
            value, member, f"Member must satisfy regular expression pattern: {_NAME_PATTERN}"
        )


def check_path(value: str, member: str = "path") -> None:
    check_length(value, member, 1, 512)
    if not _PATH.fullmatch(value):
        raise validation_error(
            value, member, f"Member must satisfy regular expression pattern: {_PATH_PATTERN}"
        )


def check_path_prefix(value: str, member: str = "pathPrefix") -> None:
    check_length(value, member, 1, 512)
    if not _PATH_PREFIX.fullmatch(value):
        raise validation_error(
            value, member, f"Member must satisfy regular expression pattern: {_PATH_PREFIX_PATTERN}"
        )


def check_policy_path(value: str, member: str = "path") -> None:
    check_length(value, member, 1, 512)
    if not _POLICY_PATH.fullmatch(value):
        raise validation_error(
            value, member, f"Member must satisfy regular expression pattern: {_POLICY_PATH_PATTERN}"
        )


def check_description(value: str, member: str = "description") -> None:
    check_length(value, member, 0, 1000)
    if not _DESCRIPTION.fullmatch(value):
        raise validation_error(
            value, member, f"Member must satisfy regular expression pattern: {_DESCRIPTION_PATTERN}"
        )


def check_max_items(value: int | None) -> int:
    """The page size: MaxItems when given (1..1000), else IAM's default of 100."""
    if value is None:
        return 100
    check_range(value, "maxItems", 1, 1000)
    return value


def _tag_text_ok(text: str) -> bool:
    return all(ch in _TAG_EXTRA or unicodedata.category(ch)[0] in ("L", "Z", "N") for ch in text)


def check_tags(tags: list[dict[str, str]], member: str = "tags") -> None:
    """Tag keys 1..128 and values 0..256 of letters, spaces, digits and ``_.:/=+-@``;
    at most 50; no key twice (keys compare case-insensitively)."""
    if len(tags) > MAX_TAGS:
        raise validation_error(
            tags, member, f"Member must have length less than or equal to {MAX_TAGS}"
        )
    seen: set[str] = set()
    for index, tag in enumerate(tags, start=1):
        key, value = tag.get("Key", ""), tag.get("Value", "")
        where = f"{member}.{index}.member"
        check_length(key, f"{where}.key", 1, 128)
        if not _tag_text_ok(key):
            raise validation_error(
                key,
                f"{where}.key",
                f"Member must satisfy regular expression pattern: {_TAG_PATTERN}+",
            )
        check_length(value, f"{where}.value", 0, 256)
        if not _tag_text_ok(value):
            raise validation_error(
                value,
                f"{where}.value",
                f"Member must satisfy regular expression pattern: {_TAG_PATTERN}*",
            )
        if key.lower() in seen:
            raise invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())


def merge_tags(current: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    """``current`` with ``new`` added; a new tag replaces one whose key differs only in case."""
    check_tags(new)
    merged = {t["Key"].lower(): dict(t) for t in current}
    for tag in new:
        merged[tag["Key"].lower()] = {"Key": tag["Key"], "Value": tag.get("Value", "")}
    if len(merged) > MAX_TAGS:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return list(merged.values())


def remove_tags(current: list[dict[str, str]], keys: list[str]) -> list[dict[str, str]]:
    drop = {k.lower() for k in keys}
    return [t for t in current if t["Key"].lower() not in drop]


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


def _boundary(arn: str | None) -> dict[str, str] | None:
    if arn is None:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


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
            if self.permissions_boundary:
                out["PermissionsBoundary"] = _boundary(self.permissions_boundary)
            if self.tags:
                out["Tags"] = [dict(t) for t in self.tags]
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
            if self.permissions_boundary:
                out["PermissionsBoundary"] = _boundary(self.permissions_boundary)
            if self.tags:
                out["Tags"] = [dict(t) for t in self.tags]
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
