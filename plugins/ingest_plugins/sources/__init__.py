"""Source plugins: what reads text files, feeds, posts (and the HTTP settings they share)."""
