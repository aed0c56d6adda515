"""Build a private copy of the book with one more chapter in the table of contents.

For working on a chapter before it is listed in ``_toc.yml``:

    .venv/bin/python tools/preview_chapter.py notebooks/04-networks.ipynb

copies the repository to /tmp/preview-04-networks (without .venv, _build and .git),
adds that chapter to the copy's ``_toc.yml`` and its glossary and sources pages, and builds it with
warnings as errors. The browser tests can then run against it:

    SCALELAB_HTML=/tmp/preview-04-networks/_build/html .venv/bin/python -m pytest tests/test_browser.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(notebook: str) -> int:
    stem = Path(notebook).stem
    target = Path("/tmp") / f"preview-{stem}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__"))
    toc = target / "_toc.yml"
    entry = f"notebooks/{stem}"
    active = [line.strip() for line in toc.read_text().splitlines() if not line.strip().startswith("#")]
    if not any(line.startswith(f"- file: {entry}") for line in active):
        toc.write_text(toc.read_text().replace(
            "  - caption: Back matter",
            f"  - caption: Preview\n    chapters:\n      - file: {entry}\n  - caption: Back matter",
        ))
    number = stem.split("-", 1)[0]
    for page, folder in (("glossary.md", "glossary"), ("credits.md", "sources")):
        path = target / "book" / page
        include = f"{folder}/ch{number}.md"
        if (target / "book" / include).exists() and include not in path.read_text():
            path.write_text(path.read_text() + f"\n## Chapter {int(number)} (preview)\n\n```{{include}} {include}\n```\n")
    jb = ROOT / ".venv" / "bin" / "jupyter-book"
    result = subprocess.run([str(jb), "build", "-W", "-n", "--keep-going", str(target)], cwd=target)
    print(f"\nPreview: {target}/_build/html/{entry}.html (exit {result.returncode})")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
