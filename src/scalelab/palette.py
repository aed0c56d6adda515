"""The course's colours: every curve, marker and arrow stands out from the page in light
mode and in dark mode.

WCAG 2.1's success criterion 1.4.11 (non-text contrast) asks a graphical object that a
reader needs, here a curve or a marker, for a contrast ratio of at least 3:1 with what is
beside it. A figure sits on the page's own background: white in light mode and
pydata-sphinx-theme's ``#14181e`` in dark mode. A colour meets 3:1 against both when its
relative luminance L is between 0.126 and 0.30. The course's colours keep L near 0.165
(about 4.9:1 on white, 3.6:1 on the dark background), so white text on a marker of any of
them is above 4.5:1 as well (criterion 1.4.3, small text).

The colorway is Tableau 10 (the colours of matplotlib's ``tab10`` and of plotly's
``D3`` sequence) with each colour's lightness moved, hue and saturation kept, until its
luminance is near 0.165. Blue and red already were; orange, cyan, pink and olive were
2.0-2.7:1 on white. plotly's own default colorway is not used: seven of its ten colours
are below 3:1 on white.

References: W3C, *Web Content Accessibility Guidelines 2.1*, 2018, criteria 1.4.3 and
1.4.11, and the definitions of contrast ratio and relative luminance.
"""

from __future__ import annotations

from typing import Any

BLUE = "#1f77b4"
RED = "#d62728"
GREEN = "#248224"
PURPLE = "#8c5bb8"
ORANGE = "#b65600"
TEAL = "#0f7d88"
BROWN = "#9f6155"
PINK = "#ca2999"
GREY = "#717171"
OLIVE = "#757515"

#: Curves without a colour of their own take these in turn (the page script, ``static/explorer.js``,
#: holds the same list; a test keeps the two equal).
COLORWAY = (BLUE, RED, GREEN, PURPLE, ORANGE, TEAL, BROWN, PINK, GREY, OLIVE)

#: A reference line or guide that is not one of the curves (an ideal, a bound, a lane).
GUIDE = GREY
#: Where a figure wants "black" (a highlight, a marker that must read as neutral): black
#: itself vanishes on the dark background.
INK = "#5f6b77"

#: The page backgrounds the colours are held against: light and dark mode.
BACKGROUNDS = ("#ffffff", "#14181e")


def _relative_luminance(color: str) -> float:
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


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
