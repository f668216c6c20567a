"""The opinions feature: opinion:submit and opinion:list. A feature that holds documents
offers a DocumentCheck (meeting/opinions/actions.py) so that an opinion names only a document
of its own meeting."""

from __future__ import annotations

from meeting.feature import Feature
from meeting.opinions import actions

OPINIONS = Feature("opinions", modules=[actions])
