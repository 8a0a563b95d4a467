"""Wiring: builds the store, the service providers and the AWS endpoint; starts and stops them."""

from __future__ import annotations

import json
import logging
import os
import secrets
import string
from pathlib import Path

from kumo.admin import PREFIX, handle_admin
from kumo.aws.app import AwsApp
from kumo.aws.authn import Authenticator, Credential
from kumo.aws.dispatch import Dispatcher
from kumo.aws.http import HttpRequest, HttpResponse
from kumo.config import Settings
from kumo.observe.logs import StoreLogSink
from kumo.runtime import create_runtime
from kumo.server import AsgiAdapter
from kumo.services.base import Front, Provider, ServiceDeps
from kumo.services.iam.store import lookup_access_key
from kumo.services.registry import PROVIDERS
from kumo.storage import Store, open_store

log = logging.getLogger("kumo")

ROOT_CREDENTIALS_FILE = "root-credentials.json"
# how many made-up access key ids are remembered as not kumo's
UNKNOWN_KEYS_REMEMBERED = 1024


class Platform:
    """One kumo node: its state, its services and its HTTP app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store: Store = open_store(settings.data_dir, fsync=settings.fsync)
        self.runtime = create_runtime(settings, StoreLogSink(self.store))
        deps = ServiceDeps(store=self.store, settings=settings, runtime=self.runtime)
        self.providers: dict[str, Provider] = {name: cls(deps) for name, cls in PROVIDERS.items()}
        self.root = load_root_credential(settings)
        self._unknown_keys: set[str] = set()
        self.authenticator = Authenticator(
            self.lookup_credential,
            default_account=settings.account_id,
            default_region=settings.region,
            verify_all=settings.verify_all_signatures,
            skew_seconds=settings.clock_skew_seconds,
        )
        self.dispatcher = Dispatcher(self.providers, inline=not settings.fsync)
        self.aws = AwsApp(self.dispatcher, self.authenticator, settings.region)
        self.front = Front(authenticator=self.authenticator, call_api=self.aws.handle)
        # providers answering plain HTTP; S3 last, as it claims every request no other does
        self.http_providers = sorted(
            (p for p in self.providers.values() if type(p).handle_http is not Provider.handle_http),
            key=lambda p: p.service == "s3",
        )
        self.screening = [
            p for p in self.providers.values() if type(p).screen is not Provider.screen
        ]
        self.app = AsgiAdapter(
            self.handle,
            screen=self.screen,
            on_startup=self._on_startup,
            on_shutdown=self._on_shutdown,
        )

    def lookup_credential(self, access_key_id: str) -> Credential | None:
        if access_key_id == self.root.access_key_id:
            return self.root
        # Most local requests are signed with a made-up key ("test"). Remembering that such a
        # key is not kumo's saves a store read a request; it is safe because the keys kumo
        # issues (IAM, STS, function roles) are random, so a key found absent never appears.
        if access_key_id in self._unknown_keys:
            return None
        record = lookup_access_key(self.store, access_key_id)
        if record is None:
            if len(self._unknown_keys) >= UNKNOWN_KEYS_REMEMBERED:
                self._unknown_keys.clear()
            self._unknown_keys.add(access_key_id)
            return None
        return Credential(
            access_key_id=access_key_id,
            secret_access_key=record["secret_access_key"],
            account_id=record["account_id"],
            arn=record["arn"],
            user_id=record["user_id"],
            session_token=record.get("session_token"),
            expiration=record.get("expiration"),
            active=record.get("status", "Active") == "Active",
        )

    def screen(self, request: HttpRequest) -> HttpResponse | None:
        """A refusal of ``request`` before its body is read, or None."""
        if request.path.startswith(PREFIX):
            return None
        for provider in self.screening:
            refused = provider.screen(request)
            if refused is not None:
                return refused
        return None

    async def handle(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX):
            return await handle_admin(self, request)
        for provider in self.http_providers:
            served = await provider.handle_http(request, self.front)
            if served is not None:
                return served
        return await self.aws.handle(request)

    def reset(self) -> None:
        self.store.reset()
        self._unknown_keys.clear()
        for provider in self.providers.values():
            provider.reset()

    async def _on_startup(self) -> None:
        for provider in self.providers.values():
            await provider.start()

    async def _on_shutdown(self) -> None:
        for provider in self.providers.values():
            await provider.stop()
        await self.runtime.close()
        self.close()

    def close(self) -> None:
        # stops instances left running when the server did not shut down in order
        self.runtime.kill_now()
        self.dispatcher.close()
        self.store.close()


def load_root_credential(settings: Settings) -> Credential:
    """The account root's access key: from the environment, else made once per data dir."""
    key_id = os.environ.get("KUMO_ACCESS_KEY_ID")
    secret = os.environ.get("KUMO_SECRET_ACCESS_KEY")
    path = Path(settings.data_dir) / ROOT_CREDENTIALS_FILE
    if not (key_id and secret):
        if path.exists():
            saved = json.loads(path.read_text())
            key_id, secret = saved["access_key_id"], saved["secret_access_key"]
        else:
            alphabet = string.ascii_uppercase + string.digits
            key_id = "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))
            secret = secrets.token_urlsafe(30)[:40]
            path.write_text(json.dumps({"access_key_id": key_id, "secret_access_key": secret}))
            path.chmod(0o600)
    account = settings.account_id
    return Credential(
        access_key_id=key_id,
        secret_access_key=secret,
        account_id=account,
        arn=f"arn:aws:iam::{account}:root",
        user_id=account,
    )
