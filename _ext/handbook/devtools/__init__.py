"""Developer tools that are not part of a build: the benchmark (``benchmark``,
with ``synthetic`` handbooks of any size) and the warm preview server
(``preview``).
"""

from __future__ import annotations
