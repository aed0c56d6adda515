"""Execute chapters and store their outputs (``make outputs``).

A chapter's source is its MyST Markdown file (``notebooks/NN-name.md``, jupytext
format). This reads that source, runs it top to bottom in a fresh kernel, and writes the
executed notebook beside it (``notebooks/NN-name.ipynb``), which nbval compares and
Binder opens. It is the one step that refreshes outputs: run it after changing a chapter
or a model it uses. Either file of a pair may be named on the command line.

Outputs are made in static mode, as in the book: explorers store their static figure and
no widget state is saved.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient

from scalelab.explorer import STATIC_ENV


def run(source: Path) -> float:
    """Execute ``source`` (a ``.md`` chapter) and write its paired ``.ipynb``; return seconds."""
    nb = jupytext.read(source)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    jupytext.write(nb, source.with_suffix(".ipynb"))
    return time.perf_counter() - start


if __name__ == "__main__":
    os.environ[STATIC_ENV] = "1"
    for name in sys.argv[1:]:
        source = Path(name).with_suffix(".md")
        if not source.exists():
            sys.exit(f"{source} does not exist: a chapter's source is its .md file")
        seconds = run(source)
        print(f"{source.with_suffix('.ipynb')}: executed from {source.name} in {seconds:.1f} s")
