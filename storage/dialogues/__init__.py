"""Dialogues, their prompts, where each was posted, and the replies."""
