"""Shared bits of the fleet unit tests: the package on sys.path."""

import os
import sys

FLEET_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if FLEET_DIR not in sys.path:
    sys.path.insert(0, FLEET_DIR)
