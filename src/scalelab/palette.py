"""The course's colours: every curve, marker and arrow stands out from the page in light
mode and in dark mode.

WCAG 2.1's success criterion 1.4.11 (non-text contrast) asks a graphical object that a
reader needs, here a curve or a marker, for a contrast ratio of at least 3:1 with what is
beside it. A figure sits on the page's own background: white in light mode, and in dark
mode pydata-sphinx-theme's ``#14181e`` or sphinx-book-theme's ``#121212`` (the book's
theme paints the latter behind cell outputs). A colour meets 3:1 against all three when
its relative luminance L is between about 0.127 and 0.30.

The colorway is Tableau 10 (the colours of matplotlib's ``tab10`` and of plotly's ``D3``
sequence). Blue, red, green, purple and grey already meet 3:1 on every background and are
kept. Orange, cyan, pink and olive were 2.0-2.7:1 on white, and brown 3.0:1 on the dark
page; each is moved in lightness, hue and saturation kept: orange only as far as L = 0.26,
so that it stays lighter than red (they stay apart under deuteranopia, a colour difference
ΔE2000 of 10 in Machado et al.'s simulation, where equal lightness gave 2), brown to
L = 0.14, and the others to L near 0.18. plotly's own default colorway is not used: seven
of its ten colours are below 3:1 on white.

Colour alone does not tell every pair apart for colour-blind readers: as in Tableau 10
itself, blue and purple are close under protanopia (ΔE2000 about 2 in the same
simulation) and red and green under deuteranopia (about 5); orange and green are about 8
apart under both. The colorway's order puts first the four that are pairwise 10 or more
apart under normal vision, deuteranopia and protanopia: blue, red, teal, orange (blue and
red, blue and orange: over 40). A figure that sets its own colours for two curves that
differ by colour alone uses such a pair. Every curve is also named in the legend and in the
text alternative. The figures name each curve in the legend
and in the text alternative, and the chapters name the curves they discuss.

A letter written on a marker (the ring diagrams' node letters) is white or black,
whichever has 4.5:1 or more against the marker (criterion 1.4.3, small text).

References: W3C, *Web Content Accessibility Guidelines 2.1*, 2018, criteria 1.4.3 and
1.4.11, and the definitions of contrast ratio and relative luminance. G. M. Machado,
M. M. Oliveira and L. A. F. Fernandes, "A physiologically-based model for simulation of
color vision deficiency", *IEEE TVCG* 15(6), 2009.
"""

from __future__ import annotations

from typing import Any

BLUE = "#1f77b4"
RED = "#d62728"
GREEN = "#2ca02c"
PURPLE = "#9467bd"
ORANGE = "#e16900"
TEAL = "#10828e"
BROWN = "#935a4e"
PINK = "#d32b9f"
GREY = "#7f7f7f"
OLIVE = "#797916"

#: Curves without a colour of their own take these in turn (the page script, ``static/explorer.js``,
#: holds the same list; a test keeps the two equal). The first four are far apart for
#: colour-blind readers too (see the module's docstring).
COLORWAY = (BLUE, RED, TEAL, ORANGE, PINK, GREEN, PURPLE, BROWN, GREY, OLIVE)

#: A reference line or guide that is not one of the curves (an ideal, a bound, a lane).
GUIDE = GREY
#: Where a figure wants "black" (a highlight, a marker that must read as neutral): black
#: itself vanishes on the dark background.
INK = "#5f6b77"

#: The page backgrounds the colours are held against: light mode, and dark mode's two
#: (pydata-sphinx-theme's page, sphinx-book-theme's behind cell outputs).
BACKGROUNDS = ("#ffffff", "#14181e", "#121212")


def _relative_luminance(color: str) -> float:
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _letter_on(color: str) -> str:
    """The colour of a letter written on a marker of ``color``: white where it has 4.5:1 or
    more against it, else black (which then has more than 4.5:1)."""
    return "white" if _contrast("#ffffff", color) >= 4.5 else "black"


def _faded(color: str, alpha: float) -> str:
    """``#rrggbb`` at opacity ``alpha`` as CSS ``rgba()``: a band's fill, drawn with an edge in
    the full colour (the edge is what stands out from the page)."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def _live_template() -> Any:
    import plotly.graph_objects as go
    import plotly.io as pio

    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.colorway = COLORWAY
    return template


#: The template of live figures (JupyterLab, Binder): plotly_white with the course's colorway.
#: The static book applies its own course template (``static/explorer.js``), with the same colorway.
TEMPLATE = _live_template()
