"""Votes (biểu quyết): named and secret polls, their sealed ballot box (feature.py)."""
