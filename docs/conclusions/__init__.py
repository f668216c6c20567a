"""The documents a meeting produces: conclusions and their notice, the minutes (the
CONCLUSIONS feature: docs.conclusions.feature). Kept free of imports, as docs is."""
