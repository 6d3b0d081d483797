"""Applications: forms in progress (drafts) and the decisions on them."""
