"""kumo's settings: where it listens, where it keeps state, who the default account is."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 4566
DEFAULT_ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def default_data_dir() -> Path:
    env = os.environ.get("KUMO_DATA_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME")
    root = Path(base).expanduser() if base else Path.home() / ".local" / "share"
    return root / "kumo"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    account_id: str = field(
        default_factory=lambda: os.environ.get("KUMO_ACCOUNT_ID", DEFAULT_ACCOUNT_ID)
    )
    region: str = field(default_factory=lambda: os.environ.get("KUMO_REGION", DEFAULT_REGION))
    # verify every request's signature (always on when bound beyond loopback)
    require_auth: bool = False
    # fsync every commit so acknowledged writes also survive power loss
    fsync: bool = False
    # how far a request's signing time may be from the server's clock
    clock_skew_seconds: int = 15 * 60

    @property
    def verify_all_signatures(self) -> bool:
        return self.require_auth or self.host not in LOOPBACK_HOSTS

    @property
    def endpoint(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"
