"""The core's actions, one module per subject; meeting/core.py names them in its Feature."""
