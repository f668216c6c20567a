"""Per-viewer stamping of a stored PDF, drawn into every page's own content stream.

Every page of a downloaded document carries one line: who the copy was given to (full name,
unit) and when. The line is part of the page's (single, compressed) content stream, so it cannot
be cut off the file, and no copy holds the original bytes: the copy is a rewrite (pypdf) of the
stored file in which every page's content is ONE new FlateDecode stream

    zlib header | deflate("q\n" + the page's own content) ending in a sync flush | HOLE

where HOLE (a fixed size) is, per viewer, one final STORED deflate block holding
"Q" + the stamp (padded with spaces) and the stream's Adler-32. Deflate blocks after a sync
flush start on a byte boundary, so the hole is just bytes; Adler-32 continues from the value of
the page's content (zlib.adler32(stamp, page_adler)). Every viewer's copy therefore has the same
length and layout: the rewrite ("the copy skeleton") is made once per stored file, in a bounded
job at upload (`build_copy`), and a download streams the skeleton from disk, filling each hole as
it passes (`CopyPlan.hole`) — memory per download is a few KB whatever the file's size, and
HTTP Range works over the copy like over any file.

A signed PDF is never stamped (a rewrite would break its signature): it is served as stored.
"""

from docs.stamp.font import FONT_PATH, stamp_font
from docs.stamp.plan import HOLE, CopyPlan, load_plan
from docs.stamp.skeleton import StampError, build_copy, stamp_bytes

__all__ = [
    "FONT_PATH",
    "HOLE",
    "CopyPlan",
    "StampError",
    "build_copy",
    "load_plan",
    "stamp_bytes",
    "stamp_font",
]
