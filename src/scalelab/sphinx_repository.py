"""Sphinx extension: the book's repository, Binder, JupyterHub, issues and edit buttons
point at the copy of the course being built, so a fork's published book launches the fork.

Listed in ``_config.yml`` (``sphinx.extra_extensions``). Where the repository comes from,
first match wins:

1. GitHub Actions: ``GITHUB_SERVER_URL`` and ``GITHUB_REPOSITORY`` (set in every workflow
   run, forks included); the branch is ``GITHUB_REF_NAME`` when the run is on a branch.
2. A local clone: the ``origin`` remote, when it is a GitHub repository
   (``git@github.com:owner/name.git`` or ``https://github.com/owner/name``).
3. ``repository.url`` and ``repository.branch`` in ``_config.yml`` (the documented default).

``JUPYTERHUB_URL`` (e.g. ``https://hub.example.edu``), when set, adds a JupyterHub launch
button: sphinx-book-theme writes it as an nbgitpuller link, which clones (or updates) the
repository into the reader's home on that hub and opens the chapter.

>>> repository_from({"GITHUB_REPOSITORY": "teacher/course", "GITHUB_SERVER_URL": "https://github.com",
...                  "GITHUB_REF_TYPE": "branch", "GITHUB_REF_NAME": "main"}, origin=None)
('https://github.com/teacher/course', 'main')
>>> repository_from({}, origin="git@github.com:teacher/course.git")
('https://github.com/teacher/course', None)
>>> repository_from({}, origin="/tmp/elsewhere") is None
True
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any, Mapping

__all__ = ["repository_from", "git_origin"]

_GITHUB_REMOTE = re.compile(r"^(?:git@github\.com:|https://github\.com/|ssh://git@github\.com/)"
                            r"(?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def git_origin(srcdir: str) -> str | None:
    """The URL of the ``origin`` remote of the clone at ``srcdir``, if there is one."""
    try:
        out = subprocess.run(["git", "-C", srcdir, "remote", "get-url", "origin"], capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def repository_from(env: Mapping[str, str], origin: str | None) -> tuple[str, str | None] | None:
    """``(repository URL, branch or None)`` from the environment or a git remote, or None."""
    repo = env.get("GITHUB_REPOSITORY", "").strip()
    if repo:
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        branch = env.get("GITHUB_REF_NAME") if env.get("GITHUB_REF_TYPE") == "branch" else None
        return f"{server}/{repo}", branch or None
    match = _GITHUB_REMOTE.match(origin or "")
    if match:
        return f"https://github.com/{match['repo']}", None
    return None


def _point_buttons_at_this_copy(app: Any, config: Any) -> None:
    options = config.html_theme_options
    found = repository_from(os.environ, git_origin(app.srcdir))
    if found is not None:
        url, branch = found
        options["repository_url"] = url
        if branch:
            options["repository_branch"] = branch
    hub = os.environ.get("JUPYTERHUB_URL", "").strip().rstrip("/")
    if hub:
        if not hub.startswith(("https://", "http://")):
            raise ValueError(f"JUPYTERHUB_URL must start with https:// or http://, got {hub!r}")
        launch = dict(options.get("launch_buttons", {}))
        launch["jupyterhub_url"] = hub
        options["launch_buttons"] = launch


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _point_buttons_at_this_copy)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
