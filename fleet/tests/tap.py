"""Runs the fleet unit tests (fleet/tests/test_*.py) and prints TAP: one
"ok N - name" or "not ok N - name" per test, "# SKIP reason" for a skipped
one, the failure's traceback as "# " lines, the plan last.  Exit 1 when a
test failed."""

import os
import sys
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


class Tap(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, test, status, detail=None):
        self.n += 1
        name = "%s.%s" % (type(test).__name__, test._testMethodName)
        print("%s %d - %s%s" % (status, self.n, name, detail or ""), flush=True)

    def addSuccess(self, test):
        self._line(test, "ok")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(test, "ok", " # SKIP %s" % (reason or "skipped"))

    def _bad(self, test, err, what):
        self._line(test, "not ok", " (%s)" % what)
        for line in self._exc_info_to_string(err, test).rstrip().splitlines():
            print("#   " + line)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._bad(test, err, "failed")

    def addError(self, test, err):
        super().addError(test, err)
        self._bad(test, err, "error")


def main():
    warnings.simplefilter("ignore", DeprecationWarning)
    os.chdir(os.path.dirname(HERE))
    suite = unittest.defaultTestLoader.discover("tests", pattern="test_*.py",
                                                top_level_dir=".")
    res = Tap()
    suite.run(res)
    print("1..%d" % res.n)
    return 0 if res.wasSuccessful() and res.n else 1


if __name__ == "__main__":
    sys.exit(main())
