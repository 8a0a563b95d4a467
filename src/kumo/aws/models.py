"""botocore's service models, loaded once and shared."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import ServiceModel


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def load_service(name: str) -> ServiceModel:
    """The botocore service model for ``name`` (e.g. ``"sts"``)."""
    return _session().get_service_model(name)


def available_services() -> list[str]:
    return list(_session().get_available_services())
