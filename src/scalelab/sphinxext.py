"""Sphinx extension that makes the built book read fully offline.

Listed in ``_config.yml`` (``sphinx.extra_extensions``). It

* sets ``SCALELAB_STATIC=1`` before notebooks execute, so explorers display only their
  static figure (no ipywidgets state is saved into the pages);
* serves plotly.js once, from the installed ``plotly`` package, to every page;
* replaces the theme's ``fontawesome.js`` (1.5 MB of JavaScript that redraws icons as
  SVG) with a stub: the theme's CSS already draws the same icons from its bundled
  Font Awesome web fonts, so every page's first visit is 1.5 MB lighter;
* serves MathJax 3 from the ``django-static-mathjax`` package, a plain copy of
  MathJax's ``es5`` build (``mathjax_path`` in ``_config.yml`` points at it), so no page
  asks a CDN for anything.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .explorer import STATIC_ENV

PLOTLY_JS = "scalelab/plotly.min.js"
MATHJAX_DIR = "mathjax"


def _add_assets(app: Any) -> None:
    app.add_js_file(PLOTLY_JS)


def _write_assets(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    target = static / PLOTLY_JS
    if not target.exists():
        from plotly.offline import get_plotlyjs

        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(get_plotlyjs(), encoding="utf-8")
    icons = static / "scripts" / "fontawesome.js"
    if icons.exists() and icons.stat().st_size > 1000:
        icons.write_text("/* Scale Lab: icons come from the theme's Font Awesome CSS web fonts. */\n")
    mathjax = static / MATHJAX_DIR
    if not (mathjax / "tex-chtml.js").exists():
        import mathjax as mathjax_package  # installed by django-static-mathjax

        source = Path(mathjax_package.__file__).parent / "static" / "mathjax" / "es5"
        shutil.copytree(source, mathjax, dirs_exist_ok=True)


def _dedupe_scripts(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Drop repeated script tags. sphinx-thebe registers its inline configuration on every
    ``env-before-read-docs``; a second copy redeclares a ``const`` and raises in the page."""
    scripts = context.get("script_files", [])
    seen, unique = set(), []
    for script in scripts:
        name = getattr(script, "filename", script) or ""  # None and "" both mean an inline script
        key = (str(name), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: later handlers append to this same list


def setup(app: Any) -> dict[str, Any]:
    os.environ[STATIC_ENV] = "1"
    app.connect("builder-inited", _add_assets)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("build-finished", _write_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
