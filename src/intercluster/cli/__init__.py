"""The ``intercluster`` command. Thin: parses, calls the API, writes files."""
