"""Exporters: JSON Lines (and stdout), a JSON array, a folder of files, SQLite."""
