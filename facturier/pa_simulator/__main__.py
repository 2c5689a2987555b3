"""`python -m facturier.pa_simulator [--port 8091]`: the PA simulator in the foreground."""

import argparse
import logging

from .server import PASimulator

parser = argparse.ArgumentParser(description="AFNOR XP Z12-013 Flow Service simulator")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8091)
args = parser.parse_args()
logging.basicConfig(level=logging.INFO)
simulator = PASimulator(args.host, args.port)
print(f"PA simulator on {simulator.base_url} (client facturier-demo / demo-secret)")  # noqa: T201
simulator.serve_forever()
