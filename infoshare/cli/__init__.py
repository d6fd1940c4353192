"""The `infoshare` command line (CONTRACT.md "Command line")."""
