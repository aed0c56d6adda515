"""Write a chapter notebook from a list of cells (used to draft chapters as code).

A chapter script calls ``write(path, cells)`` with cells made by ``md``, ``code`` and
``solution``; the notebook, not the script, is the source teachers edit afterwards.
Tags: ``nbval-ignore-output`` (with a reason in the cell), ``hide-input``, ``hide-cell``.
"""

from __future__ import annotations

import textwrap

import nbformat


def md(text: str, hidden: bool = False) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip())
    if hidden:  # collapsed in JupyterLab; the book shows its own dropdown
        cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def code(text: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(textwrap.dedent(text).strip())
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def solution(text: str) -> nbformat.NotebookNode:
    """A worked solution, closed until the reader opens it.

    A plain HTML ``<details>`` block: JupyterLab and the built book both render it closed,
    with the markdown (and math) inside. The blank lines around the body matter.
    """
    body = textwrap.dedent(text).strip()
    return md(f'<details class="solution">\n<summary>Worked solution</summary>\n\n{body}\n\n</details>')


def write(path: str, cells: list) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.write(nb, path)
