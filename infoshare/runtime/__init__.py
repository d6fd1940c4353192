"""Shared runtime: connecting to Temporal, logging set-up, serving on a socket.

The command line, the worker, the web form and the benchmark all import these; none of
them import the command line.
"""
