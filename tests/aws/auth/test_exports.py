"""The package's public names are exactly what ``__all__`` lists."""

from __future__ import annotations

import kumo.aws.auth as auth
from kumo.aws.auth import checksums


def test_all_names_exist() -> None:
    for name in auth.__all__:
        assert hasattr(auth, name), name
    for name in checksums.__all__:
        assert hasattr(checksums, name), name


def test_public_names_are_listed() -> None:
    public = {
        name
        for name, value in vars(auth).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("kumo.aws.auth")
    }
    assert public <= set(auth.__all__)
    assert sorted(auth.__all__) == sorted(set(auth.__all__))
