"""Cells are read as the TypeScript side reads them (JavaScript's trim and String(), decimal numbers only)."""

import math
import unittest

from modelops_pyfunc._cells import category_text, is_missing, js_number_string, js_trim, numeric_value, parse_number


class CellsTest(unittest.TestCase):
    def test_numbers_are_decimal_literals_as_modelops_reads_them(self):
        cases = {"12": 12.0, " 12 ": 12.0, "-0.5": -0.5, "1e3": 1000.0, ".5": 0.5, "5.": 5.0, "+3": 3.0}
        for text, want in cases.items():
            self.assertEqual(parse_number(text), want, text)
        for text in ["0x1A", "0b101", "0o17", "-0x1A", "1_000", "Infinity", "1e400", "abc", "", "\u0663", "0x"]:
            self.assertTrue(math.isnan(parse_number(text)), text)

    def test_trim_is_javascript_trim(self):
        self.assertEqual(js_trim("\ufeff a \u00a0"), "a")
        self.assertEqual(js_trim("\x1c a"), "\x1c a")  # Python's strip would remove \x1c; JavaScript's trim does not

    def test_missing_markers(self):
        for v in [None, float("nan"), "", " NA ", "n/a", "None", "?", "null"]:
            self.assertTrue(is_missing(v), repr(v))
        for v in [0, False, "0", "no"]:
            self.assertFalse(is_missing(v), repr(v))

    def test_numbers_print_as_javascript_string_does(self):
        cases = {1.0: "1", 0.1: "0.1", 1e21: "1e+21", 1e-7: "1e-7", 1e-6: "0.000001", 123.456: "123.456", -0.0: "0", 1.5e300: "1.5e+300", 2.0**60: "1152921504606847000", 123456789012345680000.0: "123456789012345680000"}
        for x, want in cases.items():
            self.assertEqual(js_number_string(x), want, repr(x))

    def test_category_text(self):
        self.assertEqual(category_text(" basic "), "basic")
        self.assertEqual(category_text(True), "true")
        self.assertEqual(category_text(2.0), "2")
        self.assertIsNone(category_text(float("nan")))
        self.assertIsNone(category_text(" NA "))

    def test_boolean_values(self):
        self.assertEqual(numeric_value("boolean", "Yes"), 1.0)
        self.assertEqual(numeric_value("boolean", 0), 0.0)
        self.assertTrue(math.isnan(numeric_value("boolean", 2)))
        self.assertEqual(numeric_value("numeric", True), 1.0)


if __name__ == "__main__":
    unittest.main()
