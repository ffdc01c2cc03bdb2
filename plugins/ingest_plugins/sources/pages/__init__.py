"""Web article pages (kind ``html``): :mod:`.plugin` reads one page into one article, with
:mod:`.decode` (bytes to text), :mod:`.metadata`, :mod:`.body` and :mod:`.embeds`."""
