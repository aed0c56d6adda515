"""Each chapter has one source, its MyST Markdown file, and the executed notebook beside it
was made from that source (``make outputs``), so nbval and Binder see what the book shows."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("*.md"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]


def test_every_chapter_has_a_source_and_an_executed_notebook():
    assert SOURCES, "no chapter sources in notebooks/"
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_executed_notebook_matches_its_source(source):
    text = jupytext.read(source)
    executed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert text.metadata["jupytext"]["formats"] == "ipynb,md:myst"
    assert _cells(text) == _cells(executed), (
        f"{source.name} and its .ipynb differ: run `make outputs SRC=notebooks/{source.name}`")
    executed_code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in executed_code), f"{source.stem}.ipynb has unexecuted cells"


def test_a_changed_source_is_detected(tmp_path):
    source = SOURCES[0]
    changed = jupytext.read(source)
    changed.cells[0].source += "\nOne more sentence."
    executed = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    assert _cells(changed) != _cells(executed)
