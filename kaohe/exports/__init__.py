"""Document builders every app shares (Word today): one face, one table style, one content type."""
