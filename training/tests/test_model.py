import unittest

import torch
import torch.nn.functional as F

from training import onnx_check
from training.model import MobileFaceNet, backbone_name, count_parameters


class ModelTest(unittest.TestCase):
    def test_takes_112_crops_and_embeds_at_128(self):
        torch.manual_seed(0)
        m = MobileFaceNet(embedding_dim=128, input_size=112, train_size=64).eval()
        with torch.no_grad():
            out = m(torch.randn(3, 3, 112, 112))
        self.assertEqual(tuple(out.shape), (3, 128))
        self.assertEqual(m.final_spatial, 4)
        self.assertTrue(0.8e6 < count_parameters(m) < 1.3e6)
        self.assertEqual(backbone_name({"train_size": 64}), "mobilefacenet-64")

    def test_downsampling_is_bilinear_inside_the_network(self):
        m = MobileFaceNet(train_size=64)
        x = torch.randn(2, 3, 112, 112)
        self.assertTrue(torch.equal(m.downsample(x), F.interpolate(x, size=(64, 64), mode="bilinear",
                                                                    align_corners=False)))
        full = MobileFaceNet(train_size=112)
        self.assertIs(full.downsample(x), x)
        self.assertEqual(full.final_spatial, 7)

    def test_onnx_check_resize_follows_the_onnx_spec_like_pytorch(self):
        x = torch.randn(2, 3, 112, 112)
        ours = onnx_check._resize(x, sizes=torch.tensor([2, 3, 64, 64]), mode=b"linear")
        self.assertLess(float((ours - F.interpolate(x, size=(64, 64), mode="bilinear", align_corners=False)).abs().max()), 1e-5)
        with self.assertRaises(NotImplementedError):
            onnx_check._resize(x, sizes=torch.tensor([2, 3, 64, 64]), mode=b"nearest")


if __name__ == "__main__":
    unittest.main()
