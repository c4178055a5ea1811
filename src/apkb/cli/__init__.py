"""The ``apkb`` command line: the click group (``main``), and one module per command or group of commands, each
imported only when its command runs.

May import: every room.
"""
