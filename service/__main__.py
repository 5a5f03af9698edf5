"""`python -m service` is the `shortflow` command."""

from service.cli import main

main(prog_name="shortflow")
