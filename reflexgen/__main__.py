from reflexgen.cli import run

run()
