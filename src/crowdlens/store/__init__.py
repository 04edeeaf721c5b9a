"""The ground: tables, sessions, migrations, media files and keyword-only repository functions."""
