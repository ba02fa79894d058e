"""QR detector networks for qrcascade, described as a flat graph of plain ops.

The network is not written as a tree of nn.Modules with an opaque forward():
it is a list of nodes (conv, add, up2) that name their input and output
tensors. PyTorch runs that list to train; export writes the same list as JSON
into the safetensors metadata, and the Go package internal/neural builds its
forward pass from it. One description, two executors, so the graph the Go code
runs is by construction the graph that was trained.

Ops (all tensors are N x C x H x W float32, gray input C=1, values in [0,1]):
  conv  {in, out, cin, cout, k (1|3), stride (1|2), dil (1|2), groups (1|cin),
         relu}: convolution with padding dil*(k-1)//2, bias, optional ReLU.
         During training it is followed by BatchNorm, folded into the weight
         and bias on export. groups==cin is a depthwise conv, k==1 a pointwise
         conv (a GEMM in Go), k==3 groups==1 a full conv (only the stem).
  add   {in: [a, b], out, relu}: element-wise sum.
  up2   {in, out}: nearest-neighbour upsampling by 2.

Output: tensor "head" at stride 4 with 10 channels:
  0     centre heatmap logit (centre = intersection of the quad's diagonals)
  1..8  corner offsets (dx0, dy0, ..., dx3, dy3) from the cell centre
        ((j+0.5)*4, (i+0.5)*4), in units of OFFSET_SCALE input pixels, corners
        in cyclic order (the starting corner is arbitrary, see the loss)
  9     corner keypoint heatmap logit (all four corners of every code)
"""

import json

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4
OFFSET_SCALE = 32.0
HEAD_CHANNELS = 10
FORMAT_VERSION = 1

# Width/depth configurations. Each stage: (channels, blocks, expansion, dilations)
CONFIGS = {
    # ~0.27 M params, ~0.17 G multiply-adds at 320x320.
    "nano": dict(stem=16, s4=(24, 1, 2), s8=(40, 2, 3), s16=(80, 3, 3), s32=(112, 2, 2),
                 neck=48, head=32, input=320),
    # ~2.5 M params, ~2.4 G multiply-adds at 512x512.
    "large": dict(stem=24, s4=(40, 2, 3), s8=(72, 3, 4), s16=(144, 4, 4), s32=(256, 3, 4),
                  neck=96, head=64, input=512),
    # Tiny random model used only for the Go parity fixture.
    "tiny": dict(stem=4, s4=(6, 1, 2), s8=(8, 1, 2), s16=(8, 1, 2), s32=(12, 1, 2),
                 neck=8, head=6, input=64),
}


class GraphBuilder:
    def __init__(self):
        self.nodes = []
        self.n = 0

    def _name(self, prefix):
        self.n += 1
        return "%s%d" % (prefix, self.n)

    def conv(self, x, cin, cout, k=1, stride=1, dil=1, depthwise=False, relu=True):
        out = self._name("t")
        self.nodes.append(dict(op="conv", name=self._name("c"), inp=[x], out=out, cin=cin,
                               cout=cout, k=k, stride=stride, dil=dil,
                               groups=cin if depthwise else 1, relu=relu))
        return out

    def add(self, a, b, relu=False):
        out = self._name("t")
        self.nodes.append(dict(op="add", inp=[a, b], out=out, relu=relu))
        return out

    def up2(self, x):
        out = self._name("t")
        self.nodes.append(dict(op="up2", inp=[x], out=out))
        return out

    def inverted_residual(self, x, c, e, dil=1):
        """MobileNetV2 bottleneck: 1x1 expand, depthwise 3x3, 1x1 project, residual."""
        h = self.conv(x, c, c * e, k=1)
        h = self.conv(h, c * e, c * e, k=3, dil=dil, depthwise=True)
        h = self.conv(h, c * e, c, k=1, relu=False)
        return self.add(x, h)

    def down(self, x, cin, cout):
        """Stride-2 depthwise 3x3 then 1x1 to the new width."""
        h = self.conv(x, cin, cin, k=3, stride=2, depthwise=True)
        return self.conv(h, cin, cout, k=1)


def build_graph(cfg):
    g = GraphBuilder()
    x = g.conv("input", 1, cfg["stem"], k=3, stride=2)  # stride 2
    c = cfg["stem"]
    feats = []
    for stage, dils in (("s4", None), ("s8", None), ("s16", "dil"), ("s32", None)):
        cout, nblocks, e = cfg[stage]
        x = g.down(x, c, cout)
        c = cout
        for i in range(nblocks):
            # Dilate the last stride-16 block to widen the receptive field cheaply.
            d = 2 if (dils == "dil" and i == nblocks - 1) else 1
            x = g.inverted_residual(x, c, e, dil=d)
        feats.append((x, c))
    n = cfg["neck"]
    # FPN-lite top-down neck: lateral 1x1, upsample, add, depthwise+pointwise smooth.
    top = g.conv(feats[3][0], feats[3][1], n, k=1)
    for x, c in reversed(feats[:3]):
        lat = g.conv(x, c, n, k=1, relu=False)
        top = g.add(g.up2(top), lat, relu=True)
        top = g.conv(top, n, n, k=3, depthwise=True)
        top = g.conv(top, n, n, k=1)
    h = g.conv(top, n, n, k=3, depthwise=True)
    h = g.conv(h, n, cfg["head"], k=1)
    out = g.conv(h, cfg["head"], HEAD_CHANNELS, k=1, relu=False)
    g.nodes[-1]["out"] = "head"
    g.nodes[-1]["bn"] = False  # the head's last conv has a plain bias
    return g.nodes


class Detector(nn.Module):
    def __init__(self, arch):
        super().__init__()
        self.arch = arch
        self.cfg = CONFIGS[arch]
        self.nodes = build_graph(self.cfg)
        self.convs = nn.ModuleDict()
        self.bns = nn.ModuleDict()
        for nd in self.nodes:
            if nd["op"] != "conv":
                continue
            bn = nd.get("bn", True)
            self.convs[nd["name"]] = nn.Conv2d(
                nd["cin"], nd["cout"], nd["k"], stride=nd["stride"],
                padding=nd["dil"] * (nd["k"] - 1) // 2, dilation=nd["dil"],
                groups=nd["groups"], bias=not bn)
            if bn:
                self.bns[nd["name"]] = nn.BatchNorm2d(nd["cout"])
        # Prior for the heatmaps: almost every cell is background (CenterNet's -2.19).
        last = self.convs[self.nodes[-1]["name"]]
        with torch.no_grad():
            last.bias.zero_()
            last.bias[0] = -2.19
            last.bias[9] = -2.19

    def forward(self, x):
        env = {"input": x}
        for nd in self.nodes:
            if nd["op"] == "conv":
                h = self.convs[nd["name"]](env[nd["inp"][0]])
                if nd["name"] in self.bns:
                    h = self.bns[nd["name"]](h)
                if nd["relu"]:
                    h = F.relu(h)
            elif nd["op"] == "add":
                h = env[nd["inp"][0]] + env[nd["inp"][1]]
                if nd["relu"]:
                    h = F.relu(h)
            elif nd["op"] == "up2":
                h = F.interpolate(env[nd["inp"][0]], scale_factor=2, mode="nearest")
            else:
                raise ValueError(nd["op"])
            env[nd["out"]] = h
        return env["head"]


def count_params(model):
    """Weights plus biases after batch-norm folding (what the Go side loads)."""
    return sum(c.weight.numel() + c.out_channels for c in model.convs.values())


def count_macs(nodes, h, w):
    """Multiply-adds of the conv nodes for an h x w input."""
    sizes = {"input": (h, w)}
    total = 0
    for nd in nodes:
        ih, iw = sizes[nd["inp"][0]]
        if nd["op"] == "conv":
            oh, ow = (ih + nd["stride"] - 1) // nd["stride"], (iw + nd["stride"] - 1) // nd["stride"]
            total += oh * ow * nd["cout"] * (nd["cin"] // nd["groups"]) * nd["k"] * nd["k"]
        elif nd["op"] == "up2":
            oh, ow = ih * 2, iw * 2
        else:
            oh, ow = ih, iw
        sizes[nd["out"]] = (oh, ow)
    return total


def folded_tensors(model):
    """Returns {name.weight, name.bias} float32 tensors with BatchNorm folded in."""
    out = {}
    model = model.eval()
    for nd in model.nodes:
        if nd["op"] != "conv":
            continue
        conv = model.convs[nd["name"]]
        w = conv.weight.detach().double()
        b = conv.bias.detach().double() if conv.bias is not None else torch.zeros(w.shape[0], dtype=torch.float64)
        if nd["name"] in model.bns:
            bn = model.bns[nd["name"]]
            s = bn.weight.detach().double() / torch.sqrt(bn.running_var.double() + bn.eps)
            b = (b - bn.running_mean.double()) * s + bn.bias.detach().double()
            w = w * s.view(-1, 1, 1, 1)
        out[nd["name"] + ".weight"] = w.float().contiguous()
        out[nd["name"] + ".bias"] = b.float().contiguous()
    return out


def graph_json(nodes):
    keep = ("op", "name", "inp", "out", "cin", "cout", "k", "stride", "dil", "groups", "relu")
    return json.dumps([{k: nd[k] for k in keep if k in nd} for nd in nodes], separators=(",", ":"))


def write_safetensors(path, tensors, metadata):
    """Writes tensors (name -> float32 torch tensor) in the safetensors format:
    u64 little-endian header length, JSON header, raw little-endian data."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    off = 0
    for name in sorted(tensors):
        t = tensors[name].detach().float().contiguous().cpu()
        raw = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(hb).to_bytes(8, "little"))
        f.write(hb)
        for raw in blobs:
            f.write(raw)


def export(model, path, extra=None):
    meta = {
        "format": "qrcascade-detector",
        "format_version": FORMAT_VERSION,
        "arch": model.arch,
        "graph": graph_json(model.nodes),
        "input_size": model.cfg["input"],
        "stride": STRIDE,
        "offset_scale": OFFSET_SCALE,
        "head_channels": HEAD_CHANNELS,
        "params": count_params(model),
    }
    meta.update(extra or {})
    write_safetensors(path, folded_tensors(model), meta)


if __name__ == "__main__":
    for arch in ("nano", "large", "tiny"):
        m = Detector(arch)
        s = m.cfg["input"]
        print(arch, "params", count_params(m), "GMACs@%d" % s, count_macs(m.nodes, s, s) / 1e9,
              "GMACs@320", count_macs(m.nodes, 320, 320) / 1e9)
