"""The member directory's storage: profiles members show each other, and their search."""
