"""Meeting documents: storage, per-viewer stamping, presenting, notes (feature_documents: the
DOCUMENTS feature); and the documents the meeting produces — conclusions, the notice, the
minutes (the docs.conclusions package; its feature: CONCLUSIONS). Kept free of imports: the PDF
jobs' children import docs."""
