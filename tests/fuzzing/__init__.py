"""A mutation fuzzer over the samples and the shared corpora that drives every reader through
the command-line contract of issue 10 (see :mod:`tests.fuzzing.contract`).

``tests/test_fuzz.py`` runs a brief, fixed-seed pass with the test suite;
``python -m tests.fuzzing --cases 5000`` runs at length and keeps failing inputs.
"""
