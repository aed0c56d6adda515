"""Shared fixtures: the built book served on 127.0.0.1, and headless Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: on a busy 2-core machine an example can take longer than
# hypothesis's default 200 ms with nothing wrong. Tests assert invariants, never speed.
settings.register_profile("scalelab", deadline=None)
settings.load_profile("scalelab")

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("SCALELAB_HTML", ROOT / "_build" / "html"))  # a preview build may stand in
#: A figure's or run player's page JSON, in a built page or a stored cell output.
FIGURE_DATA = re.compile(r'<script type="application/json" id="scalelab-[0-9a-f]{12}-data">(.*?)</script>', re.S)


def stored_figure_specs():
    """(notebook path, page JSON) of every figure and run player the chapters store."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                page = "".join(out.get("data", {}).get("text/html", ""))
                for data in FIGURE_DATA.findall(page):
                    yield path, json.loads(data.replace("<\\/", "</"))


@pytest.fixture(scope="session")
def built_book() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail("the book is not built: run `make book` (make test does it first)")
    return HTML


@pytest.fixture(scope="session")
def site(built_book: Path):
    """Base URL of the built book, served by a local HTTP server on 127.0.0.1."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep test output readable
            pass

    handler = functools.partial(Quiet, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: `apt-get install -y chromium` (.ci/run does it)")
    return path


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, fetched once with npm pack (pinned, integrity-checked)."""
    from scalelab.sphinxext import npm_file

    try:
        return npm_file("axe-core").read_text(encoding="utf-8")
    except RuntimeError as err:
        pytest.fail(str(err))
