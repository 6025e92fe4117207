"""The report domain: the model, its exchange format, storage and Markdown rendering.

No Flask here."""
