"""Clean plugins: HTML to text (markup), then Unicode, whitespace and URLs (normalize)."""
