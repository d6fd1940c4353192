"""`python -m infoshare.cli ...`: the same as the `infoshare` script."""

from infoshare.cli.main import app

app(prog_name="infoshare")
