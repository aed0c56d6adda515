"""Scale Lab: small, tested models of scalable distributed systems, and the explorer
that makes each one an interactive figure in the book.

>>> from scalelab import amdahl
>>> round(amdahl.speedup(0.5, 8), 2)
1.78
"""

from .exercises import check
from .explorer import choices, explore, show, slider
from .player import play

__all__ = ["explore", "show", "slider", "choices", "check", "play"]
__version__ = "0.1.0"
