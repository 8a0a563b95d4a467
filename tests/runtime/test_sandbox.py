"""The instance's walls, piece by piece (the wire tests in tests/services/lambda_/ cover
them end to end: test_isolation.py, test_handlers.py)."""

from __future__ import annotations

from pathlib import Path

from kumo.runtime._sandbox import RuntimePackages, outermost_under, split_site_dirs


def test_host_package_dirs_are_set_apart() -> None:
    paths = [
        "/usr/lib/python3.11",
        "/venv/lib/python3.11/site-packages",
        "/usr/lib/python3/dist-packages/",
        "/work/src",
    ]
    assert split_site_dirs(paths) == (
        ["/usr/lib/python3.11", "/work/src"],
        ["/venv/lib/python3.11/site-packages", "/usr/lib/python3/dist-packages/"],
    )


def test_only_the_named_packages_are_found(tmp_path: Path) -> None:
    for name in ("boto3", "pydantic"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    finder = RuntimePackages([str(tmp_path)], ("boto3",))
    spec = finder.find_spec("boto3")
    assert spec is not None and spec.origin == str(tmp_path / "boto3" / "__init__.py")
    assert finder.find_spec("pydantic") is None
    # submodules are left to the package's own __path__
    assert finder.find_spec("boto3.session", [str(tmp_path / "boto3")]) is None


def test_outermost_directories_under_a_root(tmp_path: Path) -> None:
    code = tmp_path / "data" / "lambda" / "code" / "abc"
    layer = tmp_path / "data" / "lambda" / "code" / "def"
    inner = code / "pkg"
    for d in (code, layer, inner):
        d.mkdir(parents=True)
    root = str((tmp_path / "data").resolve())
    kept = outermost_under(root, [str(inner), str(code), str(layer), "/usr/lib", str(tmp_path)])
    assert kept == sorted([str(code.resolve()), str(layer.resolve())])
