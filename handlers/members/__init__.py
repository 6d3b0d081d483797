"""Members: roles and profiles, bans, announcements and the audit log, privacy, figures."""
