"""What an instance is given: Lambda's environment variables, its paths and its limits.

Built from the :class:`~kumo.runtime.api.FunctionSpec` alone plus a few harmless host
variables (``PATH``, ``LANG``, ``LD_LIBRARY_PATH``): nothing else of kumo's environment, and
nothing of any other function's, reaches a function.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from kumo.runtime.api import FunctionSpec

_BASE_ENV_KEYS = ("PATH", "LANG", "LD_LIBRARY_PATH")


def instance_config(
    spec: FunctionSpec, stream: str, tmp_dir: Path, provisioned: bool, hide: Path | None = None
) -> dict[str, Any]:
    """What the fork server hands a new instance: its environment, paths and limits.

    ``hide`` is kumo's data directory: instances that get a mount namespace of their own see
    only their code and layers in it.
    """
    env = {k: os.environ[k] for k in _BASE_ENV_KEYS if k in os.environ}
    env.setdefault("LANG", "en_US.UTF-8")
    env.update(spec.environment)
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "LAMBDA_RUNTIME_DIR": str(Path(__file__).parent),
            "_HANDLER": spec.handler,
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group or f"/aws/lambda/{spec.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": (
                "provisioned-concurrency" if provisioned else "on-demand"
            ),
            "TZ": ":UTC",
            "TMPDIR": str(tmp_dir),
        }
    )
    if spec.endpoint_url:
        env["AWS_ENDPOINT_URL"] = spec.endpoint_url
    if spec.credentials is not None:
        env["AWS_ACCESS_KEY_ID"] = spec.credentials.access_key_id
        env["AWS_SECRET_ACCESS_KEY"] = spec.credentials.secret_access_key
        env["AWS_SESSION_TOKEN"] = spec.credentials.session_token
    layer_paths: list[str] = []
    version_dir = f"python{sys.version_info.major}.{sys.version_info.minor}"
    # later layers win, as when Lambda extracts them over each other into /opt
    for layer in reversed(spec.layer_dirs):
        layer_paths.append(str(layer / "python" / "lib" / version_dir / "site-packages"))
        layer_paths.append(str(layer / "python"))
    return {
        "env": env,
        "code_dir": str(spec.code_dir),
        "layer_paths": layer_paths,
        "tmp": str(tmp_dir),
        "handler": spec.handler,
        "ephemeral_mb": spec.ephemeral_storage_mb,
        "hide": str(hide) if hide is not None else "",
    }
