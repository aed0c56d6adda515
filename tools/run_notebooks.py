"""Execute notebooks in place and store their outputs (``make outputs``).

The notebook tests (nbval) compare a fresh run with these stored outputs, so run this
after changing a chapter or a model it uses. Outputs are made in static mode, as in the
book: explorers store their static figure and no widget state is saved.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from scalelab.explorer import STATIC_ENV


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    os.environ[STATIC_ENV] = "1"
    for name in sys.argv[1:]:
        seconds = run(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
