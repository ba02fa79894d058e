"""Writes the Go parity fixture: a tiny randomly initialised detector (every
op the real models use: stem conv, strided and dilated depthwise, pointwise,
add, upsample) with random batch-norm statistics, a fixed input and PyTorch's
output for it.

    /usr/bin/python3 training/make_fixture.py internal/neural/testdata

Outputs tiny.safetensors (the model, exported exactly like the real ones) and
tiny_io.safetensors (tensors "input" 1x1x64x96 and "head" 1x10x16x24).
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Detector, export, write_safetensors  # noqa: E402


def main():
    out = sys.argv[1]
    torch.manual_seed(12345)
    model = Detector("tiny")
    with torch.no_grad():
        for bn in model.bns.values():
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.3, 0.3)
    model.eval()
    x = torch.rand(1, 1, 64, 96)
    with torch.no_grad():
        y = model(x)
    export(model, os.path.join(out, "tiny.safetensors"), {"version": "parity-fixture"})
    write_safetensors(os.path.join(out, "tiny_io.safetensors"), {"input": x, "head": y}, {})
    print("head", tuple(y.shape), "range", float(y.min()), float(y.max()))


if __name__ == "__main__":
    main()
