"""Trains a qrcascade QR detector on synthetic scenes, resumably.

    nice -n 10 /usr/bin/python3 training/train.py --arch nano --run training/runs/nano \
        --threads 1 --batch 16 --images 400000

Scenes are generated on the fly by DataLoader workers (synth.py), seeded from
--seed and the step, so a run is reproducible given seed, batch size and
worker count. Every --ckpt-every steps the model, optimiser and step go to
RUN/ckpt.pt (and RUN/ckpt_prev.pt); starting again with the same --run resumes
from there. Progress is logged to RUN/train.log.

Losses (CenterNet-style, one output at stride 4):
  - centre heatmap: penalty-reduced focal loss (alpha 2, beta 4) against a
    Gaussian at each code's centre (the diagonals' intersection), sigma
    proportional to the code side;
  - corner heatmap: the same focal loss against Gaussians at the 4 corners;
  - corner offsets: L1 between predicted and true corners, divided by the code
    side, taken as the minimum over the 4 cyclic corner orders (so a code
    rotated by 45 degrees has no ordering discontinuity), on the 3x3 cells
    around each centre.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402
from model import OFFSET_SCALE, STRIDE, Detector, count_params  # noqa: E402


def quad_centre(q):
    """Intersection of the diagonals q0-q2 and q1-q3."""
    p, r = q[0], q[2] - q[0]
    s, d = q[1], q[3] - q[1]
    den = r[0] * d[1] - r[1] * d[0]
    if abs(den) < 1e-6:
        return q.mean(0)
    t = ((s[0] - p[0]) * d[1] - (s[1] - p[1]) * d[0]) / den
    return p + t * r


def quad_side(q):
    x, y = q[:, 0], q[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    return math.sqrt(max(area, 1.0))


def _splat(hm, cx, cy, sigma):
    """Max-splats a Gaussian centred at (cx, cy) (cell units) into hm; the
    nearest cell is set to exactly 1 (the positive of the focal loss)."""
    h, w = hm.shape
    r = int(math.ceil(3 * sigma))
    ix, iy = int(math.floor(cx)), int(math.floor(cy))
    x0, x1 = max(0, ix - r), min(w, ix + r + 1)
    y0, y1 = max(0, iy - r), min(h, iy + r + 1)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    g = np.exp(-((xx + 0.5 - cx) ** 2 + (yy + 0.5 - cy) ** 2) / (2 * sigma * sigma))
    hm[y0:y1, x0:x1] = np.maximum(hm[y0:y1, x0:x1], g)
    if 0 <= ix < w and 0 <= iy < h:
        hm[iy, ix] = 1.0


def make_targets(quads, size):
    n = size // STRIDE
    hm = np.zeros((2, n, n), np.float32)
    off = np.zeros((8, n, n), np.float32)
    wgt = np.zeros((n, n), np.float32)  # offset loss weight, 1/side folded in
    for q in quads:
        c = quad_centre(q) / STRIDE
        side = quad_side(q)
        sc = side / STRIDE
        _splat(hm[0], c[0], c[1], max(0.6, 0.08 * sc))
        for k in range(4):
            _splat(hm[1], q[k, 0] / STRIDE, q[k, 1] / STRIDE, max(0.6, 0.03 * sc))
        ix, iy = int(math.floor(c[0])), int(math.floor(c[1]))
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                x, y = ix + dx, iy + dy
                if not (0 <= x < n and 0 <= y < n):
                    continue
                w = (1.0 if dx == 0 and dy == 0 else 0.5) * OFFSET_SCALE / side
                if w * side / OFFSET_SCALE <= wgt[y, x] * side / OFFSET_SCALE and wgt[y, x] > 0:
                    continue
                ctr = np.float32([(x + 0.5) * STRIDE, (y + 0.5) * STRIDE])
                off[:, y, x] = ((q - ctr) / OFFSET_SCALE).reshape(-1)
                wgt[y, x] = w
    return hm, off, wgt


def dihedral(img, quads, k):
    """Applies one of the 8 symmetries of the square (k in 0..7) to a square
    image and its quads, keeping the corners clockwise."""
    n = img.shape[0]
    q = quads.copy()
    if k & 4:  # transpose (a reflection: reverse the corner order)
        img = img.T
        q = q[:, ::-1, ::-1].copy()
    for _ in range(k & 3):  # rotate 90 degrees: (x, y) -> (y, n - x)
        img = np.rot90(img)
        q = np.stack([q[..., 1], n - q[..., 0]], axis=-1)
    return img, q.astype(np.float32)


class SynthStream(torch.utils.data.IterableDataset):
    def __init__(self, seed, size, start, reuse=2):
        self.seed, self.size, self.start, self.reuse = seed, size, start, reuse

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        wid = info.id if info else 0
        rng = np.random.default_rng([self.seed, self.start, wid])
        pool = synth.QRPool(rng)
        buf = []
        while True:
            img, quads = synth.scene(rng, pool, self.size)
            # Each scene is used `reuse` times under a different dihedral
            # transform: generation costs as much CPU as training on it.
            for k in rng.permutation(8)[:self.reuse]:
                buf.append(self._sample(*dihedral(img, quads, int(k))))
            while len(buf) > 32:
                yield buf.pop(int(rng.integers(len(buf))))

    def _sample(self, img, quads):
        hm, off, wgt = make_targets(quads, self.size)
        return (torch.from_numpy(np.ascontiguousarray(img)).float().unsqueeze(0) / 255.0,
                torch.from_numpy(hm), torch.from_numpy(off), torch.from_numpy(wgt))


def focal(logits, gt):
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pl = -torch.log(p) * (1 - p) ** 2 * pos
    nl = -torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * neg
    npos = pos.sum().clamp(min=1)
    return (pl.sum() + nl.sum()) / npos


def offset_loss(pred, tgt, wgt):
    """Min over the 4 cyclic corner orders of the side-normalised L1."""
    B, _, H, W = pred.shape
    p = pred.view(B, 4, 2, H, W)
    t = tgt.view(B, 4, 2, H, W)
    losses = torch.stack([(p - t.roll(k, dims=1)).abs().sum(dim=(1, 2)) for k in range(4)])
    best = losses.min(dim=0).values
    m = (wgt > 0).float()
    return (best * wgt).sum() / m.sum().clamp(min=1)


def losses(out, hm, off, wgt):
    lc = focal(out[:, 0], hm[:, 0])
    lk = focal(out[:, 9], hm[:, 1])
    lo = offset_loss(out[:, 1:9], off, wgt)
    return lc, lk, lo


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="nano")
    ap.add_argument("--run", required=True)
    ap.add_argument("--size", type=int, default=0, help="training crop size (default: the arch input)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--images", type=int, default=400000, help="total images to train on")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuse", type=int, default=2, help="dihedral copies trained per generated scene")
    ap.add_argument("--ckpt-every", type=int, default=200)
    ap.add_argument("--init", default="", help="checkpoint to start from (weights only)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    os.makedirs(args.run, exist_ok=True)
    log = open(os.path.join(args.run, "train.log"), "a")

    model = Detector(args.arch)
    size = args.size or model.cfg["input"]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    total_steps = args.images // args.batch
    step = 0
    ck = os.path.join(args.run, "ckpt.pt")
    if os.path.exists(ck):
        st = torch.load(ck)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step = st["step"]
        print("resumed at step", step, file=log, flush=True)
    elif args.init:
        model.load_state_dict(torch.load(args.init)["model"])
    print("arch %s params %d size %d batch %d" % (args.arch, count_params(model), size, args.batch),
          file=log, flush=True)

    ds = SynthStream(args.seed, size, step, args.reuse)
    dl = torch.utils.data.DataLoader(ds, batch_size=args.batch, num_workers=args.workers,
                                     persistent_workers=args.workers > 0)
    model.train()
    t0 = time.time()
    acc = np.zeros(3)
    nacc = 0
    for img, hm, off, wgt in dl:
        if step >= total_steps:
            break
        # warm-up then cosine decay to 5 % of the peak rate
        frac = step / max(1, total_steps)
        lr = args.lr * min(1.0, (step + 1) / 300) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        out = model(img)
        lc, lk, lo = losses(out, hm, off, wgt)
        loss = lc + lk + 2.0 * lo
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        step += 1
        acc += [lc.item(), lk.item(), lo.item()]
        nacc += 1
        if step % 50 == 0:
            dt = time.time() - t0
            print("step %d images %d lr %.2e centre %.3f corner %.3f offset %.3f  %.1f img/s" % (
                step, step * args.batch, lr, *(acc / nacc), 50 * args.batch / dt), file=log, flush=True)
            acc[:] = 0
            nacc = 0
            t0 = time.time()
        if step % args.ckpt_every == 0 or step >= total_steps:
            if os.path.exists(ck):
                os.replace(ck, os.path.join(args.run, "ckpt_prev.pt"))
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                        "arch": args.arch, "batch": args.batch, "seed": args.seed}, ck + ".tmp")
            os.replace(ck + ".tmp", ck)
    print("done at step", step, file=log, flush=True)


if __name__ == "__main__":
    main()
