"""The knowledge base: FAQ entries, their loaders and validation, and the search index."""
