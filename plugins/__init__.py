"""The built-in plugins of ``ingest``, each registered through the ``ingest`` entry-point group
exactly like a third-party plugin."""
