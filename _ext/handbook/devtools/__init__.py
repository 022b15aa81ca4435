"""Developer tools that are not part of a build: the benchmark (``benchmark``,
with ``synthetic`` handbooks of any size), the warm preview server
(``preview``) and the source articles' fingerprints (``fingerprints``).
"""

from __future__ import annotations
