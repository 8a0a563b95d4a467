"""Layers: numbered, immutable versions of a zip shared by functions.

A layer version is a record in ``lambda.layers`` (account, region, layer, number); the
next number is kept in ``lambda.layer_names`` so numbers are never reused after a delete,
as on Lambda. The zip is stored and unpacked like function code.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from kumo.services.lambda_.errors import not_found, validation
from kumo.services.lambda_.store import LAYERS
from kumo.storage.base import Tx
from kumo.storage.keys import decode_key, key

__all__ = ["LAYER_NAMES", "LayerVersion", "parse_layer_name"]

LAYER_NAMES = "lambda.layer_names"

_LAYER = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:)?"
    r"(?P<name>[a-zA-Z0-9_-]{1,64})$"
)
_VERSION_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):layer:"
    r"(?P<name>[a-zA-Z0-9_-]{1,64}):(?P<version>[0-9]+)$"
)


def parse_layer_name(value: str, account_id: str, region: str) -> tuple[str, str, str]:
    """(account, region, name) of a LayerName given as a name or a layer ARN."""
    match = _LAYER.match(value)
    if match is None:
        raise validation(
            "layerName",
            value,
            "Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:"
            r"[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
        )
    return (match["account"] or account_id, match["region"] or region, match["name"])


def parse_version_arn(value: str) -> tuple[str, str, str, int]:
    match = _VERSION_ARN.match(value)
    if match is None:
        raise validation(
            "arn",
            value,
            "Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:"
            r"[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
        )
    return match["account"], match["region"], match["name"], int(match["version"])


@dataclass
class LayerVersion:
    account_id: str
    region: str
    name: str
    version: int
    blob: str
    code_sha256: str
    code_size: int
    digest: str
    created: str
    description: str = ""
    compatible_runtimes: list[str] = field(default_factory=list)
    compatible_architectures: list[str] = field(default_factory=list)
    license_info: str | None = None
    # the layer version's resource policy statements (AddLayerVersionPermission)
    policy: list[dict[str, Any]] = field(default_factory=list)
    policy_revision: str | None = None

    @property
    def layer_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:layer:{self.name}"

    @property
    def arn(self) -> str:
        return f"{self.layer_arn}:{self.version}"

    def summary(self) -> dict[str, Any]:
        """The ``LayerVersionsListItem`` shape."""
        out: dict[str, Any] = {
            "LayerVersionArn": self.arn,
            "Version": self.version,
            "Description": self.description,
            "CreatedDate": self.created,
        }
        if self.compatible_runtimes:
            out["CompatibleRuntimes"] = list(self.compatible_runtimes)
        if self.compatible_architectures:
            out["CompatibleArchitectures"] = list(self.compatible_architectures)
        if self.license_info is not None:
            out["LicenseInfo"] = self.license_info
        return out

    def to_wire(self, location: str) -> dict[str, Any]:
        """The GetLayerVersion / PublishLayerVersion output."""
        out = self.summary()
        out["LayerArn"] = self.layer_arn
        out["Content"] = {
            "Location": location,
            "CodeSha256": self.code_sha256,
            "CodeSize": self.code_size,
        }
        return out

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> LayerVersion:
        return cls(**data)


def next_number(tx: Tx, account_id: str, region: str, name: str) -> int:
    k = key(account_id, region, name)
    record = tx.get(LAYER_NAMES, k) or {"next": 1}
    number = int(record["next"])
    tx.put(LAYER_NAMES, k, {"next": number + 1})
    return number


def put(tx: Tx, layer: LayerVersion) -> None:
    tx.put(
        LAYERS, key(layer.account_id, layer.region, layer.name, layer.version), layer.to_record()
    )


def get(tx: Tx, account_id: str, region: str, name: str, version: int) -> LayerVersion | None:
    data = tx.get(LAYERS, key(account_id, region, name, version))
    return LayerVersion.from_record(data) if data is not None else None


def require(tx: Tx, account_id: str, region: str, name: str, version: int) -> LayerVersion:
    layer = get(tx, account_id, region, name, version)
    if layer is None:
        raise not_found()
    return layer


def delete(tx: Tx, account_id: str, region: str, name: str, version: int) -> str | None:
    layer = get(tx, account_id, region, name, version)
    if layer is None:
        return None
    tx.delete(LAYERS, key(account_id, region, name, version))
    return layer.blob


def versions(tx: Tx, account_id: str, region: str, name: str) -> list[LayerVersion]:
    """A layer's versions, newest first."""
    rows = tx.scan(LAYERS, prefix=key(account_id, region, name), reverse=True)
    return [LayerVersion.from_record(v) for _, v in rows]


def names(tx: Tx, account_id: str, region: str) -> list[str]:
    found: list[str] = []
    for k, _ in tx.scan(LAYERS, prefix=key(account_id, region)):
        name = str(decode_key(k)[2])
        if not found or found[-1] != name:
            found.append(name)
    return found


def matches(layer: LayerVersion, runtime: str | None, architecture: str | None) -> bool:
    if runtime is not None and runtime not in layer.compatible_runtimes:
        return False
    return architecture is None or architecture in layer.compatible_architectures
