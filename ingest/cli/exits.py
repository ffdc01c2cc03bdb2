"""The exit codes of every ``ingest`` command, defined once.

====  =================================================================================
0     everything read and exported
1     some sources, items or targets failed; the rest was exported
2     interrupted; targets left as they were (runs on state: what was committed stays)
3     internal error, or a plugin that fails to load
4     usage error: a bad option, target or setting
5     the state is in use by another run (after ``--lock-timeout``)
141   stdout's reader went away (``| head``): 128 + SIGPIPE, as a tool killed by it
====  =================================================================================
"""

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 2
EXIT_INTERNAL = 3
EXIT_USAGE = 4
EXIT_LOCKED = 5
EXIT_PIPE = 141
