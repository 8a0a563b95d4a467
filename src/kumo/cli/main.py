"""The ``kumo`` command: ``up`` runs kumo in the foreground; ``status`` and ``reset`` talk to it."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from kumo import __version__
from kumo.config import DEFAULT_PORT, Settings, default_data_dir

console = Console()


def _endpoint(endpoint: str | None) -> str:
    return (
        endpoint
        or os.environ.get("KUMO_ENDPOINT")
        or os.environ.get("AWS_ENDPOINT_URL")
        or f"http://localhost:{DEFAULT_PORT}"
    ).rstrip("/")


def _call(method: str, url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="kumo")
def main() -> None:
    """kumo: a serverless cloud on your own machine."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port", default=DEFAULT_PORT, show_default=True, type=int, envvar="KUMO_PORT", help="Port."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where state is kept [env KUMO_DATA_DIR; default ~/.local/share/kumo].",
)
@click.option(
    "--require-auth/--no-require-auth",
    default=False,
    envvar="KUMO_REQUIRE_AUTH",
    help="Verify every request's signature (always on beyond loopback).",
)
@click.option(
    "--fsync/--no-fsync",
    default=None,
    envvar="KUMO_FSYNC",
    help="fsync every commit (survives power loss). Default: on when bound beyond loopback.",
)
def up(host: str, port: int, data_dir: Path | None, require_auth: bool, fsync: bool | None) -> None:
    """Start kumo in the foreground (Ctrl-C stops it gracefully)."""
    import uvicorn

    from kumo.platform import Platform
    from kumo.server import uvicorn_config

    settings = Settings(
        host=host,
        port=port,
        data_dir=data_dir or default_data_dir(),
        require_auth=require_auth,
    )
    settings.fsync = fsync if fsync is not None else settings.verify_all_signatures
    platform = Platform(settings)
    _banner(settings, platform.root.access_key_id)
    server = uvicorn.Server(uvicorn_config(platform.app, host=host, port=port))
    try:
        server.run()
    finally:
        platform.close()
    if not server.started:
        sys.exit(1)


def _banner(settings: Settings, root_key: str) -> None:
    endpoint = settings.endpoint
    auth = (
        f"every request verified; root key {root_key} "
        f"(secret in {settings.data_dir / 'root-credentials.json'})"
        if settings.verify_all_signatures
        else "local mode: any access key works"
    )
    lines = [
        f"[bold]kumo {__version__}[/bold] — AWS endpoint [cyan]{endpoint}[/cyan]",
        f"data dir   {settings.data_dir}",
        f"account    {settings.account_id}   region {settings.region}",
        f"auth       {auth}",
        "",
        "Point AWS tools at it:",
        f"  export AWS_ENDPOINT_URL={endpoint}",
        "  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test",
        f"  export AWS_DEFAULT_REGION={settings.region}",
        "  aws sts get-caller-identity",
        "",
        "Ctrl-C stops kumo; state stays in the data dir.",
    ]
    console.print(Panel("\n".join(lines), title="kumo is up", expand=False))


@main.command()
@click.option("--endpoint", default=None, help="kumo endpoint [env KUMO_ENDPOINT].")
def status(endpoint: str | None) -> None:
    """Show whether kumo is running and what it holds."""
    base = _endpoint(endpoint)
    try:
        health = _call("GET", f"{base}/_kumo/health")
        state = _call("GET", f"{base}/_kumo/state")
    except (urllib.error.URLError, OSError) as exc:
        console.print(f"[red]kumo is not reachable at {base}[/red]: {exc}")
        sys.exit(1)
    console.print(
        f"[green]kumo {health['version']} is running[/green] at {base} "
        f"(account {health['account_id']}, region {health['region']})"
    )
    table = Table("service", "status")
    for name, state_name in sorted(health["services"].items()):
        table.add_row(name, state_name)
    console.print(table)
    tables = state.get("tables", {})
    if tables:
        counts = Table("table", "records")
        for name, count in sorted(tables.items()):
            counts.add_row(name, str(count))
        console.print(counts)
    else:
        console.print("no state yet")


@main.command()
@click.option("--endpoint", default=None, help="kumo endpoint [env KUMO_ENDPOINT].")
@click.confirmation_option(prompt="Wipe all kumo state?")
def reset(endpoint: str | None) -> None:
    """Wipe all state without restarting kumo."""
    base = _endpoint(endpoint)
    try:
        _call("POST", f"{base}/_kumo/state/reset")
    except (urllib.error.URLError, OSError) as exc:
        console.print(f"[red]kumo is not reachable at {base}[/red]: {exc}")
        sys.exit(1)
    console.print("all state wiped")


if __name__ == "__main__":
    main()
