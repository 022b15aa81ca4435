"""Reviews: what staff must read and what is due for review.

* ``feed``: the review calendar, ``reviews.ics`` beside the HTML, one event
  per controlled document on its review-by date (iCalendar, RFC 5545);
* ``due``: ``python -m handbook due``, the documents due for review or
  overdue, read from front matter without a build (for cron and CI);
* ``recent``: the "Recently revised" list on the landing page, each document
  linked to its line-by-line comparison with the previous edition;
* ``signsheet``: the read-and-sign sheet of an edition, rendered to PDF by the
  ``handbookpdf`` builder (``handbook.pdf``);
* ``sphinx``: the Sphinx glue (settings, the ``recently-revised`` directive,
  writing the feed).

The change-summary rule publishing enforces is in
``handbook.editions.changes.summary_problems``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> None:
    """Register this capability's configuration values, directives and handlers."""
    from handbook.reviews import sphinx

    sphinx.setup(app)
