"""Binder installs the same pinned set as `make book`, and a chapter runs with it.

repo2docker reads only `binder/` when it exists, so `binder/requirements.txt` must be a
copy of the root lock and `binder/postBuild` must install the package. Docker is not
available here, so this test does what repo2docker would: a fresh virtual environment,
`pip install -r binder/requirements.txt`, `binder/postBuild` from the repository root,
then one chapter executed with that environment's kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import ROOT


def test_binder_requirements_are_the_root_lock():
    assert (ROOT / "binder" / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()


def test_binder_pins_python_3_11_and_installs_the_package():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps" in post and os.access(ROOT / "binder" / "postBuild", os.X_OK)


def test_every_requirement_is_pinned_exactly():
    lines = [l for l in (ROOT / "requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    assert lines and all("==" in l for l in lines), [l for l in lines if "==" not in l]


@pytest.mark.slow
def test_a_chapter_runs_in_a_fresh_binder_environment(tmp_path):
    venv = tmp_path / "binder-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "-r", str(ROOT / "binder" / "requirements.txt")], check=True, timeout=900)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    # postBuild runs from a copy of the repository, as in a Binder image (not editable).
    repo = tmp_path / "repo"
    repo.mkdir()
    for part in ("src", "pyproject.toml", "README.md", "binder", "notebooks"):
        subprocess.run(["cp", "-r", str(ROOT / part), str(repo)], check=True)
    subprocess.run(["bash", "binder/postBuild"], cwd=repo, env=env, check=True, timeout=300)
    run = textwrap.dedent(
        """
        import nbformat, scalelab, sys
        from nbclient import NotebookClient
        assert "binder-venv" in scalelab.__file__, scalelab.__file__
        nb = nbformat.read("notebooks/03-scaling-up.ipynb", as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": "notebooks"}}).execute()
        print("executed", len(nb.cells), "cells with", sys.executable)
        """
    )
    result = subprocess.run([str(venv / "bin" / "python"), "-c", run], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "executed" in result.stdout
