"""infoshare: the PHSO information sharing protocol as durable Temporal workflows.

The application package: settings, database, codec, shared runtime, web form, audit
tools, benchmark and the command line. The protocol's pure rules (`states`), the
workflow (`workflows`), its side effects (`activities`) and the worker (`worker`) are
installed beside it as the design's top level.
"""
