"""Written opinions (góp ý) on the meeting, an agenda item or a document (feature.py)."""
