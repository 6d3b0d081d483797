"""The wiki's entries, their search index and the query language."""
