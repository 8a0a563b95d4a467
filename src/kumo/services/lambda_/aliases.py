"""Aliases: a name for a version, with weighted routing to a second version.

Routing is checked as Lambda checks it: the weighted version must exist, differ from the
primary, and neither may be ``$LATEST``. :func:`pick` makes the split real at invoke time.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from kumo.services.lambda_ import store as db
from kumo.services.lambda_.errors import (
    conflict,
    function_not_found,
    invalid_parameter,
    precondition_failed,
    validation,
)
from kumo.services.lambda_.models import LATEST, Alias, FunctionRef, function_arn, new_revision
from kumo.storage.base import Tx

__all__ = ["create", "pick", "update"]

_NAME = re.compile(r"^(?!^[0-9]+$)([a-zA-Z0-9_-]+)$")


def _check_name(name: str) -> None:
    if not _NAME.match(name) or len(name) > 128:
        raise validation(
            "name",
            name,
            "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)",
        )


def _check_version(tx: Tx, ref: FunctionRef, version: str) -> None:
    if db.get_version(tx, ref, version) is None:
        raise function_not_found(function_arn(ref.region, ref.account_id, ref.name, version))


def _weights(
    tx: Tx, ref: FunctionRef, primary: str, routing: dict[str, Any] | None
) -> dict[str, float]:
    weights = dict((routing or {}).get("AdditionalVersionWeights") or {})
    if not weights:
        return {}
    if len(weights) > 1:
        raise invalid_parameter(
            "Number of items in AdditionalVersionWeights cannot be greater than 1"
        )
    if primary == LATEST:
        raise invalid_parameter(
            "$LATEST is not supported for an alias pointing to more than 1 version"
        )
    out: dict[str, float] = {}
    for version, weight in weights.items():
        if version == LATEST or not version.isdigit():
            raise invalid_parameter(
                "$LATEST is not supported for an alias pointing to more than 1 version"
            )
        if version == primary:
            raise invalid_parameter(
                f"Invalid function version {version}. Function version {version} is already "
                "included in routing configuration."
            )
        _check_version(tx, ref, version)
        out[version] = float(weight)
    return out


def create(
    tx: Tx,
    ref: FunctionRef,
    name: str,
    version: str,
    description: str | None,
    routing: dict[str, Any] | None,
) -> Alias:
    _check_name(name)
    db.require_function(tx, ref)
    if db.get_alias(tx, ref, name) is not None:
        arn = function_arn(ref.region, ref.account_id, ref.name, name)
        raise conflict(f"Alias already exists: {arn}")
    _check_version(tx, ref, version)
    alias = Alias(
        account_id=ref.account_id,
        region=ref.region,
        function_name=ref.name,
        name=name,
        function_version=version,
        description=description or "",
        weights=_weights(tx, ref, version, routing),
    )
    db.put_alias(tx, alias)
    return alias


def update(
    tx: Tx,
    ref: FunctionRef,
    name: str,
    version: str | None,
    description: str | None,
    routing: dict[str, Any] | None,
    revision_id: str | None,
) -> Alias:
    db.require_function(tx, ref)
    alias = db.require_alias(tx, ref, name)
    if revision_id is not None and revision_id != alias.revision_id:
        raise precondition_failed()
    updated = replace(alias, revision_id=new_revision())
    if version is not None:
        _check_version(tx, ref, version)
        updated.function_version = version
    if description is not None:
        updated.description = description
    if routing is not None:
        updated.weights = _weights(tx, ref, updated.function_version, routing)
    elif version is not None and updated.weights:
        updated.weights = _weights(
            tx, ref, updated.function_version, {"AdditionalVersionWeights": updated.weights}
        )
    db.put_alias(tx, updated)
    return updated


def pick(alias: Alias, rng: random.Random | None = None) -> str:
    """The version one invocation of ``alias`` runs, honouring the routing weights."""
    draw = (rng or random).random()
    for version, weight in alias.weights.items():
        if draw < weight:
            return version
        draw -= weight
    return alias.function_version
