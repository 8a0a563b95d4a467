"""Lambda's records (function versions, functions, aliases) and its naming rules.

A function is one :class:`Function` record holding its ``$LATEST`` configuration; each
published version is a frozen copy of that configuration (:class:`FunctionVersion`) under
its own number. Records are dataclasses stored as JSON; the code itself lives in a blob and
an unpacked directory named by the zip's SHA-256 (see :mod:`kumo.services.lambda_.code`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kumo.services.lambda_.errors import invalid_parameter

__all__ = [
    "LATEST",
    "Alias",
    "Function",
    "FunctionRef",
    "FunctionVersion",
    "lambda_time",
    "new_revision",
    "parse_function_name",
]

LATEST = "$LATEST"

# runtimes Lambda no longer accepts for new or updated functions (past their deprecation
# schedule's "block function create" date)
DEPRECATED_RUNTIMES = frozenset(
    {
        "python2.7",
        "python3.6",
        "python3.7",
        "python3.8",
        "python3.9",
        "nodejs",
        "nodejs4.3",
        "nodejs4.3-edge",
        "nodejs6.10",
        "nodejs8.10",
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "nodejs16.x",
        "nodejs18.x",
        "dotnetcore1.0",
        "dotnetcore2.0",
        "dotnetcore2.1",
        "dotnetcore3.1",
        "dotnet6",
        "ruby2.5",
        "ruby2.7",
        "go1.x",
        "java8",
        "provided",
    }
)

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# the model's pattern for a Qualifier (a version, an alias or $LATEST)
_QUALIFIER = re.compile(r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+")
_ARN = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?"
    r"(?:function:)?(?P<name>[a-zA-Z0-9_.-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$"
)


def lambda_time(when: dt.datetime | None = None) -> str:
    """Lambda's LastModified format: ``2024-01-01T00:00:00.000+0000``."""
    moment = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def new_revision() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class FunctionRef:
    """A function as a request names it: account, region, name and maybe a qualifier."""

    account_id: str
    region: str
    name: str
    qualifier: str | None = None

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account_id, self.name)

    @property
    def qualified_arn(self) -> str:
        if self.qualifier is None:
            return self.arn
        return f"{self.arn}:{self.qualifier}"


def function_arn(region: str, account_id: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def parse_function_name(
    value: str, account_id: str, region: str, qualifier: str | None = None
) -> FunctionRef:
    """A FunctionName (name, partial or full ARN, maybe qualified) with ``Qualifier``."""
    match = _ARN.match(value)
    if match is None or not _NAME.match(match["name"]):
        raise _bad_name(value)
    if match["region"] and match["region"] != region:
        raise invalid_parameter(
            f"Functions from '{match['region']}' are not reachable in this region ('{region}')"
        )
    if qualifier is not None and not _QUALIFIER.fullmatch(qualifier):
        from kumo.services.lambda_.errors import validation

        raise validation(
            "qualifier",
            qualifier,
            "Member must satisfy regular expression pattern: " + _QUALIFIER.pattern,
        )
    derived = match["qualifier"]
    if derived is not None and qualifier is not None and derived != qualifier:
        raise invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return FunctionRef(
        account_id=match["account"] or account_id,
        region=region,
        name=match["name"],
        qualifier=qualifier if qualifier is not None else derived,
    )


def _bad_name(value: str) -> Exception:
    from kumo.services.lambda_.errors import validation

    return validation(
        "functionName",
        value,
        "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
        r"([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
        r"(:(\$LATEST|[a-zA-Z0-9-_]+))?",
    )


@dataclass
class FunctionVersion:
    """One version's configuration (``$LATEST`` or a published number)."""

    account_id: str
    region: str
    name: str
    version: str
    runtime: str
    role: str
    handler: str
    code_blob: str
    code_sha256: str
    code_size: int
    # hex SHA-256 of the zip: names its unpacked directory
    code_digest: str
    description: str = ""
    timeout: int = 3
    memory_size: int = 128
    ephemeral_storage: int = 512
    environment: dict[str, str] | None = None
    layers: list[dict[str, Any]] = field(default_factory=list)
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    tracing_mode: str = "PassThrough"
    dead_letter_target: str | None = None
    kms_key_arn: str | None = None
    logging_config: dict[str, Any] | None = None
    last_modified: str = field(default_factory=lambda: lambda_time())
    revision_id: str = field(default_factory=new_revision)

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account_id, self.name)

    @property
    def qualified_arn(self) -> str:
        return function_arn(self.region, self.account_id, self.name, self.version)

    def config_digest(self) -> str:
        """What makes two versions the same: code and every setting, not the timestamps."""
        record = self.to_record()
        for name in ("version", "last_modified", "revision_id", "code_blob", "description"):
            record.pop(name, None)
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()

    def to_wire(self, *, qualify_latest: bool = False) -> dict[str, Any]:
        """The ``FunctionConfiguration`` shape; ``$LATEST`` has an unqualified ARN except
        where Lambda lists it among versions (``qualify_latest``)."""
        qualify = self.version != LATEST or qualify_latest
        arn = self.qualified_arn if qualify else self.arn
        out: dict[str, Any] = {
            "FunctionName": self.name,
            "FunctionArn": arn,
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory_size,
            "LastModified": self.last_modified,
            "CodeSha256": self.code_sha256,
            "Version": self.version,
            "TracingConfig": {"Mode": self.tracing_mode},
            "RevisionId": self.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": list(self.architectures),
            "EphemeralStorage": {"Size": self.ephemeral_storage},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": self.logging_config
            or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.name}"},
        }
        if self.environment is not None:
            out["Environment"] = {"Variables": dict(self.environment)}
        if self.layers:
            out["Layers"] = [
                {"Arn": layer["Arn"], "CodeSize": layer["CodeSize"]} for layer in self.layers
            ]
        if self.dead_letter_target:
            out["DeadLetterConfig"] = {"TargetArn": self.dead_letter_target}
        if self.kms_key_arn:
            out["KMSKeyArn"] = self.kms_key_arn
        return out

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> FunctionVersion:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Function:
    """A function: its ``$LATEST`` configuration and what belongs to the function as a whole."""

    latest: FunctionVersion
    tags: dict[str, str] = field(default_factory=dict)
    # the number the next published version gets
    next_version: int = 1
    # the config digest of the newest published version (PublishVersion is idempotent)
    published_digest: str | None = None
    reserved_concurrency: int | None = None
    # PutFunctionRecursionConfig: "Terminate" (Lambda's default) or "Allow"
    recursive_loop: str = "Terminate"

    @property
    def name(self) -> str:
        return self.latest.name

    @property
    def arn(self) -> str:
        return self.latest.arn

    def to_record(self) -> dict[str, Any]:
        out = asdict(self)
        out["latest"] = self.latest.to_record()
        return out

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Function:
        data = dict(data)
        latest = FunctionVersion.from_record(data.pop("latest"))
        return cls(latest=latest, **data)


@dataclass
class Alias:
    """A name for a version, optionally splitting traffic with a second version."""

    account_id: str
    region: str
    function_name: str
    name: str
    function_version: str
    description: str = ""
    # version -> weight (0.0-1.0) of traffic sent to that additional version
    weights: dict[str, float] = field(default_factory=dict)
    revision_id: str = field(default_factory=new_revision)

    @property
    def arn(self) -> str:
        return function_arn(self.region, self.account_id, self.function_name, self.name)

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AliasArn": self.arn,
            "Name": self.name,
            "FunctionVersion": self.function_version,
            "Description": self.description,
            "RevisionId": self.revision_id,
        }
        if self.weights:
            out["RoutingConfig"] = {"AdditionalVersionWeights": dict(self.weights)}
        return out

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Alias:
        return cls(**data)
