"""The core/UI boundary is enforced by import-linter; prove the contract can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(exe), str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def _copy_tree(dst: Path) -> Path:
    for name in ("app", "server"):
        shutil.copytree(REPO / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", dst / "pyproject.toml")
    return dst


def test_contract_holds_for_the_repository(tmp_path: Path) -> None:
    r = _lint_imports(_copy_tree(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr


def test_contract_fails_when_core_imports_pyside6(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    (root / "app" / "core" / "sneaky.py").write_text(
        '"""Bad."""\nfrom PySide6.QtCore import QObject  # noqa: F401\n'
    )
    r = _lint_imports(root)
    assert r.returncode != 0
    assert "app.core.sneaky" in r.stdout and "PySide6" in r.stdout


def test_contract_fails_when_server_imports_the_ui(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    (root / "server" / "bad.py").write_text('"""Bad."""\nimport app.ui.qtprobe  # noqa: F401\n')
    r = _lint_imports(root)
    assert r.returncode != 0 and "server.bad" in r.stdout


def test_every_app_package_is_under_the_contract() -> None:
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    covered = set(contract["source_modules"])
    modules = {
        f"app.{p.stem}"
        for p in (REPO / "app").iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py")
    }
    exempt = {"app.ui", "app.__main__", "app.__init__"}
    missing = sorted(modules - exempt - covered)
    assert not missing, f"add these to the import-linter contract: {missing}"
