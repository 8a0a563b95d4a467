"""Provider methods match botocore's models: real operation names, real input members."""

from __future__ import annotations

import inspect

import pytest
from botocore import xform_name

from kumo.aws.models import load_service
from kumo.services.registry import PROVIDERS

CASES = [
    pytest.param(name, op, id=f"{name}-{op}")
    for name, provider in PROVIDERS.items()
    for op in provider.operations
]


@pytest.mark.parametrize(("service", "op_name"), CASES)
def test_operation_exists_and_parameters_are_input_members(service: str, op_name: str) -> None:
    model = load_service(service)
    assert op_name in model.operation_names, f"{service} has no operation {op_name}"
    provider = PROVIDERS[service]
    method = getattr(provider, provider.operations[op_name])
    op = model.operation_model(op_name)
    members = set(op.input_shape.members) if op.input_shape is not None else set()
    accepted = {xform_name(m) for m in members}

    params = list(inspect.signature(method).parameters.values())[2:]  # self, ctx
    for param in params:
        if param.kind is param.VAR_KEYWORD:
            continue
        assert param.name in accepted, (
            f"{service}.{op_name}: parameter {param.name!r} is not an input member "
            f"(members: {sorted(accepted)})"
        )


@pytest.mark.parametrize("service", sorted(PROVIDERS))
def test_provider_declares_its_service(service: str) -> None:
    assert PROVIDERS[service].service == service
