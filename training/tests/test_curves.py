import json
import os
import tempfile
import unittest
import xml.dom.minidom

from training import curves


def write_card(root, name, curve):
    os.makedirs(os.path.join(root, name))
    with open(os.path.join(root, name, "model.json"), "w") as f:
        json.dump({"name": name, "loss": name.split("-")[0], "training": {"curve": curve}}, f)


def point(epoch, acc):
    return {"epoch": epoch, "loss": 1.0, "valAcc": acc, "lr": 0.1, "marginFactor": 1.0, "seconds": 1.0}


class CurvesTest(unittest.TestCase):

    def test_table_and_chart_from_model_cards(self):
        with tempfile.TemporaryDirectory() as root:
            write_card(root, "arcface-x", [point(1, 0.61), point(2, 0.72), point(3, 0.80)])
            write_card(root, "softmax-x", [point(1, 0.65), point(2, 0.70), point(3, 0.75)])
            os.makedirs(os.path.join(root, "pretrained"))
            with open(os.path.join(root, "pretrained", "model.json"), "w") as f:
                json.dump({"name": "pretrained", "loss": "arcface"}, f)  # no curve: left out
            loaded = curves.load_curves(root)
            self.assertEqual([n for n, _, _ in loaded], ["arcface-x", "softmax-x"])
            table = curves.markdown(loaded, every=2).splitlines()
            self.assertEqual(table[0], "| model | ep 2 | ep 3 |")
            self.assertEqual(table[2], "| arcface-x | 0.720 | 0.800 |")
            self.assertEqual(table[3], "| softmax-x | 0.700 | 0.750 |")
            doc = xml.dom.minidom.parseString(curves.svg(loaded))
            lines = doc.getElementsByTagName("polyline")
            self.assertEqual(len(lines), 2)
            self.assertEqual(len(lines[0].getAttribute("points").split()), 3)

    def test_no_curves_is_an_error(self):
        with tempfile.TemporaryDirectory() as root:
            self.assertEqual(curves.main(["--models", root]), 1)


if __name__ == "__main__":
    unittest.main()
