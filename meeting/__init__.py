"""The core of the paperless meeting system: identity, the action hub and the meeting's life.

Feature packages (agenda, docs, rtc) import from here and register with the hub; this package
never imports them (see design/DESIGN.md §1, "Arrows point INTO meeting/").
"""
