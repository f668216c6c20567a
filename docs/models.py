"""Tables of the docs app (Tortoise label "docs"); they point into the core as "core.Meeting"."""
