"""The walls around one instance: what of the host it may import, see and reach.

Called by :mod:`kumo.runtime._instance` right after the fork, before any function code
runs. Of the host's installed packages only the AWS SDK stays importable (as on Lambda,
where the runtime ships boto3 and its dependencies and nothing else); the instance gets a
mount namespace and a user namespace of its own, with a private /tmp and kumo's data
directory covered, so no function reads another's files or kumo's store.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.machinery
import os
from typing import Any

__all__ = [
    "RuntimePackages",
    "hide_dir",
    "isolate_tmp",
    "make_undumpable",
    "outermost_under",
    "split_site_dirs",
]

# host directories of third-party packages: a function sees only the SDK from them (what
# Lambda's Python runtime ships beside the standard library); anything else it imports must
# come from its deployment package or layers, as on Lambda
_SITE_DIR_NAMES = ("site-packages", "dist-packages")


class RuntimePackages(importlib.abc.MetaPathFinder):
    """Finds the SDK packages (and nothing else) in the host's package directories."""

    def __init__(self, dirs: list[str], names: tuple[str, ...]) -> None:
        self.dirs = dirs
        self.names = frozenset(names)

    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        # submodules are found through their package's __path__ by the normal finder
        if path is not None or fullname not in self.names:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, self.dirs)


def split_site_dirs(paths: list[str]) -> tuple[list[str], list[str]]:
    """``paths`` without the host's package directories, and those directories."""
    kept: list[str] = []
    site: list[str] = []
    for path in paths:
        name = os.path.basename(os.path.normpath(path))
        (site if name in _SITE_DIR_NAMES else kept).append(path)
    return kept, site


CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_NOSUID = 2
MS_NODEV = 4
PR_SET_DUMPABLE = 4


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def isolate_tmp(private_tmp: str, keep: list[str]) -> bool:
    """Give this instance a /tmp of its own: its private dir bind-mounted over /tmp.

    The mount lives in a mount namespace of the instance's own, inside a user namespace of
    its own (mapping only kumo's user) so that it holds no privilege over other processes
    even when kumo runs as root: another instance cannot reach this /tmp through
    ``/proc/<pid>/root``. Directories under the host's /tmp that the function needs (its
    code, layers) are bound back in. Returns False when the kernel refuses; the function
    then keeps TMPDIR pointing at the private dir.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            return False
    elif libc.unshare(CLONE_NEWNS) != 0:
        # no user namespaces here (a container's seccomp profile, a sysctl): root can still
        # have a mount namespace
        return False
    # mounts made here must not propagate back to the host
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    host_tmp = os.open("/tmp", os.O_PATH)
    try:
        if libc.mount(private_tmp.encode(), b"/tmp", None, MS_BIND, None) != 0:
            return False
        for path in keep:
            rel = os.path.relpath(path, "/tmp")
            try:
                os.makedirs(path, exist_ok=True)
            except OSError:
                continue
            source = f"/proc/self/fd/{host_tmp}/{rel}".encode()
            libc.mount(source, path.encode(), None, MS_BIND | MS_REC, None)
    finally:
        os.close(host_tmp)
    return True


def hide_dir(path: str, keep: list[str]) -> bool:
    """Cover ``path`` (kumo's data: its store holds every function's configuration) with an
    empty tmpfs in this instance's mount namespace, binding back the directories the function
    needs (its code, its layers). Only call after :func:`isolate_tmp` succeeded."""
    if path in ("/", "/tmp") or "/tmp".startswith(path + "/") or not os.path.isdir(path):
        # nothing to hide, or hiding it would hide the instance's own /tmp (or everything)
        return True
    libc = ctypes.CDLL(None, use_errno=True)
    below = os.open(path, os.O_PATH)
    try:
        flags = MS_NOSUID | MS_NODEV
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=64k,mode=755") != 0:
            return False
        for kept in keep:
            rel = os.path.relpath(kept, path)
            os.makedirs(kept, exist_ok=True)
            source = f"/proc/self/fd/{below}/{rel}".encode()
            if libc.mount(source, kept.encode(), None, MS_BIND | MS_REC, None) != 0:
                return False
    finally:
        os.close(below)
    return True


def outermost_under(root: str, paths: list[str]) -> list[str]:
    """The existing directories of ``paths`` inside ``root``, none inside another."""
    inside = sorted(
        {
            real
            for real in (os.path.realpath(p) for p in paths)
            if real.startswith(root + "/") and os.path.isdir(real)
        }
    )
    keep: list[str] = []
    for path in inside:
        if not any(path.startswith(k + "/") for k in keep):
            keep.append(path)
    return keep


def make_undumpable() -> None:
    """Other processes of kumo's user (other functions' instances) may not read this one's
    memory, environment or file system view through /proc."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
