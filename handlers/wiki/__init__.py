"""The wiki: search and reading, the moderators' guided entry form, import and export files."""
