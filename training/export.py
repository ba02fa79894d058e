"""Exports a training checkpoint to models/*.safetensors with batch-norm folded.

    /usr/bin/python3 training/export.py training/runs/nano/ckpt.pt models/nano.safetensors \
        --version "nano-early-$(date +%Y%m%d)"

The file's metadata carries the graph (see model.py), the architecture name,
input size, stride, offset scale, parameter count, training step and images
seen, and the version string.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Detector, export  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("out")
    ap.add_argument("--version", default="")
    ap.add_argument("--input", type=int, default=0,
                    help="inference input size (long side) to record; default: the architecture's "
                         "(a network trained on smaller crops may do better nearer their size)")
    args = ap.parse_args()
    st = torch.load(args.ckpt, map_location="cpu")
    model = Detector(st["arch"])
    model.load_state_dict(st["model"])
    model.eval()
    if args.input:
        model.cfg = dict(model.cfg, input=args.input)
    export(model, args.out, {"version": args.version, "train_step": st["step"],
                             "train_images": st["step"] * st.get("batch", 16), "seed": st.get("seed", 0)})
    print("wrote", args.out, "step", st["step"])


if __name__ == "__main__":
    main()
