"""Sphinx extension that makes the built book read fully offline.

Listed in ``_config.yml`` (``sphinx.extra_extensions``). It

* sets ``SCALELAB_STATIC=1`` before notebooks execute, so explorers display only their
  static figure (no ipywidgets state is saved into the pages);
* serves, to the pages that have a figure only, the smallest official plotly.js bundle
  with every trace type the book uses (npm ``plotly.js-basic-dist-min``: scatter, bar,
  pie) at the version the pinned plotly.py targets, fetched once with ``npm pack`` into a
  cache in the virtual environment and checked against its pinned integrity hash; plus
  the explorer's page script and stylesheet (``scalelab/static/``), each once per page;
* replaces the theme's ``fontawesome.js`` (1.5 MB of JavaScript that redraws icons as
  SVG) with a stub: the theme's CSS already draws the same icons from its bundled
  Font Awesome web fonts, so every page's first visit is 1.5 MB lighter;
* drops the theme's search buttons' ``aria-label`` that hides their visible shortcut
  text (an axe-core "serious" finding on every page);
* serves MathJax 3 from the ``django-static-mathjax`` package, a plain copy of
  MathJax's ``es5`` build (``mathjax_path`` in ``_config.yml`` points at it), so no page
  asks a CDN for anything.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from .explorer import STATIC_ENV

PLOTLY_JS = "scalelab/plotly-basic.min.js"
PAGE_JS = "scalelab/explorer.js"
PAGE_CSS = "scalelab/explorer.css"
PLAYER_JS = "scalelab/player.js"    # the run players' page script (scalelab.player)
PLAYER_CSS = "scalelab/player.css"
BOOK_CSS = "scalelab/book.css"   # every page: long inline code wraps on narrow screens
MATHJAX_DIR = "mathjax"
ASSETS = Path(__file__).parent / "static"

#: npm packages fetched at build or test time: (version, integrity, file in the package).
#: plotly.js-basic-dist-min must match the plotly.js that the pinned plotly.py targets
#: (``plotly.offline.get_plotlyjs_version()``); the build checks it.
NPM = {
    "plotly.js-basic-dist-min": (
        "4.1.1", "sha512-1oNF8PeQx2hv/y7tqEVWKD3JGwn/MGEMQ8mL9HUwsaqG9FGy/OU5FHUHvzqbqxN4mnwZGI9abTiE775C4kkjMQ==",
        "package/plotly-basic.min.js"),
    "axe-core": (
        "4.14.1", "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        "package/axe.min.js"),
}


def npm_cache() -> Path:
    """Where fetched npm packages live: ``$SCALELAB_NPM_CACHE``, else inside the running
    virtual environment (``.venv/scalelab-npm``), so ``make clean`` keeps them."""
    return Path(os.environ.get("SCALELAB_NPM_CACHE") or Path(sys.prefix) / "scalelab-npm")


def npm_file(package: str) -> Path:
    """The pinned file of an npm package (see :data:`NPM`), fetched once with ``npm pack``
    and checked against its integrity hash. Raises ``RuntimeError`` saying what to run
    when the registry cannot be reached."""
    version, integrity, member = NPM[package]
    cache = npm_cache()
    target = cache / f"{package}-{version}" / Path(member).name
    if target.exists():
        return target
    tarball = cache / f"{package}-{version}.tgz"
    if not tarball.exists():
        cache.mkdir(parents=True, exist_ok=True)
        command = ["npm", "pack", f"{package}@{version}", "--pack-destination", str(cache), "--silent"]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as err:
            detail = getattr(err, "stderr", "") or str(err)
            raise RuntimeError(
                f"could not fetch {package}@{version} from the npm registry ({detail.strip()[:300]}). "
                f"With the registry reachable, run:  npm pack {package}@{version} --pack-destination {cache}  "
                f"(or put that tarball in $SCALELAB_NPM_CACHE) and build again."
            ) from None
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != integrity:
        tarball.unlink()
        raise RuntimeError(f"{tarball.name} does not match its pinned integrity {integrity} (got {digest}); deleted it")
    with tarfile.open(tarball) as tar:
        data = tar.extractfile(member)
        if data is None:
            raise RuntimeError(f"{tarball.name} has no {member}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.read())
    return target


def plotly_bundle() -> Path:
    """The basic plotly.js bundle, after checking its version against plotly.py's."""
    from plotly.offline import get_plotlyjs_version

    wanted = get_plotlyjs_version()
    version = NPM["plotly.js-basic-dist-min"][0]
    if wanted.split(".")[:2] != version.split(".")[:2]:
        raise RuntimeError(f"plotly.py targets plotly.js {wanted}, but sphinxext pins plotly.js-basic-dist-min "
                           f"{version}: update NPM in src/scalelab/sphinxext.py")
    return npm_file("plotly.js-basic-dist-min")


def _add_assets(app: Any) -> None:
    if app.builder.format == "html":
        plotly_bundle()  # fail early, with what to run, if it cannot be fetched
        app.add_css_file(BOOK_CSS)


def _page_assets(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """plotly.js, the page script and its stylesheet, only on pages that have a figure;
    the run player's script and stylesheet too on pages that have a run player."""
    body = context.get("body") or ""
    players = "scalelab-player" in body
    if "scalelab-explorer" not in body and not players:
        return
    # Before MathJax (priority 500), which typesets the whole page when its deferred script
    # runs: a reader who follows a link to a figure sees it drawn without waiting for that.
    app.add_js_file(PLOTLY_JS, loading_method="defer", priority=450)
    app.add_js_file(PAGE_JS, loading_method="defer", priority=450)
    app.add_css_file(PAGE_CSS)
    if players:
        app.add_js_file(PLAYER_JS, loading_method="defer", priority=450)  # after PAGE_JS, which it uses
        app.add_css_file(PLAYER_CSS)


def _write_assets(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    (static / "scalelab").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_bundle(), static / PLOTLY_JS)
    for name in (PAGE_JS, PAGE_CSS, BOOK_CSS, PLAYER_JS, PLAYER_CSS):
        shutil.copyfile(ASSETS / Path(name).name, static / name)
    old = static / "scalelab" / "plotly.min.js"  # the full bundle an older build served
    if old.exists():
        old.unlink()
    icons = static / "scripts" / "fontawesome.js"
    if icons.exists() and icons.stat().st_size > 1000:
        icons.write_text("/* Scale Lab: icons come from the theme's Font Awesome CSS web fonts. */\n")
    mathjax = static / MATHJAX_DIR
    if not (mathjax / "tex-chtml.js").exists():
        import mathjax as mathjax_package  # installed by django-static-mathjax

        source = Path(mathjax_package.__file__).parent / "static" / "mathjax" / "es5"
        shutil.copytree(source, mathjax, dirs_exist_ok=True)
    _fix_theme_labels(Path(app.outdir))


#: The theme's search buttons show "Search Ctrl+K" but are labelled "Search": axe-core's
#: label-content-name-mismatch (serious). Without the aria-label, the button's name is its
#: visible text; its tooltip (title) still says "Search".
_THEME_FIXES = (('title="Search" aria-label="Search" data-bs-placement', 'title="Search" data-bs-placement'),)


def _fix_theme_labels(outdir: Path) -> None:
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for old, new in _THEME_FIXES:
            fixed = fixed.replace(old, new)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


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
    app.connect("html-page-context", _page_assets)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("build-finished", _write_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
