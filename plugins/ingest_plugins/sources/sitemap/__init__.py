"""Sitemaps as a source (kind ``sitemap``)."""
