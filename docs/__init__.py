"""Meeting documents: storage, per-viewer stamping, presenting, notes (docs.feature: DOCUMENTS);
and the documents the meeting produces — conclusions, the notice, the minutes (docs.conclusions,
its feature CONCLUSIONS). Kept free of imports: the PDF jobs' children import docs."""
