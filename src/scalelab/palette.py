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
kept. Orange, cyan, pink and olive were 2.0-2.7:1 on white, and brown 3.01:1 on the dark
page, at the limit; each is moved in lightness, hue and saturation kept: orange only as far
as L = 0.26, so that it stays lighter than red (they stay apart under deuteranopia, a
colour difference ΔE2000 of 10 in Machado et al.'s simulation, where an orange as dark as
red is about 3 apart), brown to L = 0.14, and the others to L near 0.18. plotly's own default colorway is not used: seven
of its ten colours are below 3:1 on white.

Colour alone does not tell every pair apart for colour-blind readers. Measured as the
colour difference ΔE2000 after Machado et al.'s simulation (:func:`_colour_difference`;
the simulated colour is clipped to what a screen can show), these pairs are under 10 apart:

- under deuteranopia: red and olive 2.5, red and green 4.6, teal and pink 6.0, blue and
  purple 6.2, green and olive 6.7, orange and green 8.0, pink and purple 9.4, teal and
  purple 9.5;
- under protanopia: blue and purple 1.9, orange and olive 3.0, orange and green 7.9, blue
  and pink 8.2, pink and purple 8.3, teal and grey 8.9, red and brown 9.6.

The colorway's order puts first the four colours that are pairwise 10 or more apart under
normal vision, deuteranopia and protanopia: blue, red, teal, orange (the closest pairs are
blue and teal, and red and orange, both 10.2 under deuteranopia). No five of the ten are
pairwise 10 apart, so a figure draws at most four curves alike, told apart by colour
alone, each pair 10 or more apart; a fifth curve gets its own dash or symbol (chapter 4's
links: wired solid, WiFi dashed, cellular dotted). Where more than four must look alike,
something besides colour names each: the ring diagrams' nodes carry their letters, and
the layers of a stacked bar keep their place in the stack. Curves are named in the legend
or on the figure, and in the text alternative, and the chapters name the curves they
discuss.

A letter written on a marker (the ring diagrams' node letters) is white or black,
whichever has 4.5:1 or more against the marker (criterion 1.4.3, small text).

References: W3C, *Web Content Accessibility Guidelines 2.1*, 2018, criteria 1.4.3 and
1.4.11, and the definitions of contrast ratio and relative luminance. G. M. Machado,
M. M. Oliveira and L. A. F. Fernandes, "A physiologically-based model for simulation of
color vision deficiency", *IEEE TVCG* 15(6), 2009 (the matrices at severity 1.0).
G. Sharma, W. Wu and E. N. Dalal, "The CIEDE2000 color-difference formula: implementation
notes, supplementary test data, and mathematical observations", *Color Research and
Application* 30(1), 2005.
"""

from __future__ import annotations

import math
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


def _linear_rgb(color: str) -> tuple[float, float, float]:
    """The linear (not gamma-encoded) red, green and blue of a ``#rrggbb`` colour, each 0 to 1
    (sRGB's transfer function); anything but a ``#rrggbb`` string is refused."""
    if not (isinstance(color, str) and len(color) == 7 and color[0] == "#"
            and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
        raise ValueError(f"color must be a '#rrggbb' string, got {color!r}")
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return r, g, b


def _relative_luminance(color: str) -> float:
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour."""
    r, g, b = _linear_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1's contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: Machado et al. (2009)'s matrices at severity 1.0, applied to linear RGB: what a reader
#: with no working M cones (deuteranopia) or L cones (protanopia) sees.
_VISION = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
}


def _lab(color: str, vision: str = "normal") -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a ``#rrggbb`` colour as a reader with ``vision`` sees it."""
    if vision not in _VISION:
        raise ValueError(f"vision must be one of {', '.join(map(repr, _VISION))}, got {vision!r}")
    rgb = _linear_rgb(color)
    r, g, b = (min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in _VISION[vision])
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """The CIEDE2000 colour difference of two L*a*b* colours (Sharma et al. 2005's equations)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else h2 - h1
    dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    d_hue = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_bar, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_bar = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_bar = (h1 + h2) / 2
    else:
        h_bar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    rotation = -2 * math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7)) * math.sin(
        math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2))))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, d_hue / s_h
    return math.sqrt(dl ** 2 + dc ** 2 + dhh ** 2 + rotation * dc * dhh)


def _colour_difference(a: str, b: str, vision: str = "normal") -> float:
    """ΔE2000 between two ``#rrggbb`` colours as a reader with ``vision`` ("normal",
    "deuteranopia" or "protanopia") sees them: about 2 is a just-noticeable difference, and
    the palette keeps curves told apart by colour alone 10 or more apart."""
    return _delta_e2000(_lab(a, vision), _lab(b, vision))


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
