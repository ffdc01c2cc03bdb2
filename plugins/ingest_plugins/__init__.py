"""The built-in plugins of ``ingest``, grouped by role, each registered through the
``ingest`` entry-point group exactly like a third-party plugin, and written against the
public API only (``ingest`` and ``ingest.helpers``):

* ``sources/``: ``text.py``; ``feeds/`` (``plugin.py``, the RSS/Atom/RDF field mapping in
  ``rss_atom.py``, ``jsonfeed.py``, the feedparser fallback); ``posts/`` (``plugin.py``, one
  module per platform); ``http.py``, the settings of fetching;
* ``clean/``: ``markup.py`` (HTML to text), ``normalize.py``;
* ``tags/``: ``language.py``, ``entities.py``, ``quotes.py``, ``keywords.py``, the rules
  about people (``people.py``) and places and organizations (``gazetteer.py``);
* ``exporters/``: ``jsonl.py``, ``jsonfiles.py`` (``json:``, ``dir:``), ``sqlite.py``.
"""
