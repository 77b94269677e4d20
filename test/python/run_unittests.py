"""Runs the pyfunc loader's own tests (python/tests), as `cd python && python3 -m unittest` does."""

import os
import sys
import unittest

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
sys.path.insert(0, root)
result = unittest.TextTestRunner(verbosity=1).run(unittest.defaultTestLoader.discover(os.path.join(root, "tests"), top_level_dir=root))
sys.exit(0 if result.wasSuccessful() else 1)
