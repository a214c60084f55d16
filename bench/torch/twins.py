"""PyTorch twins of Vessel Studio's two reference networks, timed like bench/compute.bench.ts.

Run by /usr/bin/python3 with Debian's python3-torch (1.13, CPU). Prints one JSON object:
training patches per second (batches of 32 patches 48x48x1, Adam), milliseconds to infer one
whole image padded to the network's multiple, peak RSS and the parameter count, which must
equal the tfjs model's (487,009 for bench-unet).
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BenchUnet(nn.Module):
    """bench-unet: 3 poolings, widths 16/32/64/128, two 3x3 same convs + ReLU per level,
    2x2 max pooling, nearest 2x upsampling + concatenation (skip first), 1x1 sigmoid head,
    dropout 0.2 at the end of the contracting path (the model preset's)."""

    def __init__(self, base=16, depth=3, dropout=0.2):
        super().__init__()
        widths = [base * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList()
        channels = 1
        for w in widths[:-1]:
            self.down.append(self._block(channels, w))
            channels = w
        self.bottom = self._block(channels, widths[-1])
        self.dropout = nn.Dropout(dropout)
        self.up = nn.ModuleList()
        channels = widths[-1]
        for w in reversed(widths[:-1]):
            self.up.append(self._block(channels + w, w))
            channels = w
        self.head = nn.Conv2d(channels, 1, 1)

    @staticmethod
    def _block(cin, cout):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.dropout(self.bottom(x))
        for block, skip in zip(self.up, reversed(skips)):
            x = F.interpolate(x, scale_factor=2, mode='nearest')
            x = block(torch.cat([skip, x], dim=1))
        return torch.sigmoid(self.head(x))


class SharedResidualBlock(nn.Module):
    """LadderNet's block: one 3x3 conv applied twice, ReLU and Dropout2d between, plus input."""

    def __init__(self, channels, drop=0.25):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.drop = nn.Dropout2d(drop)

    def forward(self, x):
        out = self.drop(F.relu(self.conv(x)))
        return F.relu(self.conv(out) + x)


class LadderUnet(nn.Module):
    def __init__(self, filters, layers, second):
        super().__init__()
        width = [filters * 2**i for i in range(layers + 1)]
        self.second = second
        self.entry = SharedResidualBlock(width[0]) if second else None
        self.enc = nn.ModuleList([SharedResidualBlock(width[i]) for i in range(layers)])
        self.down = nn.ModuleList(
            [nn.Conv2d(width[i], width[i + 1], 3, stride=2, padding=1) for i in range(layers)])
        self.bottom = SharedResidualBlock(width[layers])
        self.up = nn.ModuleList([
            nn.ConvTranspose2d(width[i + 1], width[i], 3, stride=2, padding=1, output_padding=1)
            for i in range(layers)])
        self.dec = nn.ModuleList([SharedResidualBlock(width[i]) for i in range(layers)])

    def forward(self, x, incoming=None):
        if self.entry is not None:
            x = self.entry(x)
        skips = []
        for i, (block, down) in enumerate(zip(self.enc, self.down)):
            if incoming is not None:
                x = x + incoming[i]
            x = block(x)
            skips.append(x)
            x = F.relu(down(x))
        x = self.bottom(x)
        decoded = [None] * len(self.enc)
        for i in reversed(range(len(self.enc))):
            x = self.dec[i](self.up[i](x) + skips[i])
            decoded[i] = x
        return decoded


class LadderNet(nn.Module):
    """LadderNet (layers 4, filters 10) with the topology of the tfjs builder
    (src/main/engine/model/laddernet.ts): stem conv, two chained U-Nets, 1x1 head to 2 classes."""

    def __init__(self, filters=10, layers=4):
        super().__init__()
        self.stem = nn.Conv2d(1, filters, 3, padding=1)
        self.first = LadderUnet(filters, layers, second=False)
        self.second_unet = LadderUnet(filters, layers, second=True)
        self.head = nn.Conv2d(filters, 2, 1)

    def forward(self, x):
        first = self.first(F.relu(self.stem(x)))
        second = self.second_unet(first[0], first)
        return F.log_softmax(self.head(second[0]), dim=1)


def padded(size, multiple):
    return -(-size // multiple) * multiple


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--net', choices=['bench-unet', 'laddernet'], required=True)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--patch', type=int, default=48)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--infer-runs', type=int, default=3)
    parser.add_argument('--height', type=int, default=584)
    parser.add_argument('--width', type=int, default=565)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.net == 'bench-unet':
        model, multiple = BenchUnet(), 8
    else:
        model, multiple = LadderNet(), 16
    params = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, args.patch, args.patch)
    y = (torch.rand(args.batch, 1, args.patch, args.patch) > 0.8).float()

    def train_step():
        optimiser.zero_grad()
        out = model(x)
        if args.net == 'bench-unet':
            loss = F.binary_cross_entropy(out, y)
        else:
            loss = F.nll_loss(out, y[:, 0].long())
        loss.backward()
        optimiser.step()
        return loss.item()

    model.train()
    for _ in range(args.warmup):
        train_step()
    start = time.perf_counter()
    cpu_start = time.process_time()
    for _ in range(args.steps):
        train_step()
    train_seconds = time.perf_counter() - start
    train_cpu = time.process_time() - cpu_start

    model.eval()
    height, width = padded(args.height, multiple), padded(args.width, multiple)
    image = torch.rand(1, 1, args.height, args.width)
    times = []
    with torch.no_grad():
        for run in range(args.infer_runs + 1):
            start = time.perf_counter()
            pad = (0, width - args.width, 0, height - args.height)
            out = model(F.pad(image, pad, mode='reflect'))[..., :args.height, :args.width]
            out.sum().item()
            if run > 0:  # the first run is warm-up
                times.append((time.perf_counter() - start) * 1000)

    print(json.dumps({
        'name': args.net,
        'params': params,
        'threads': torch.get_num_threads(),
        'torch': torch.__version__,
        'trainPatchesPerSec': args.batch * args.steps / train_seconds,
        'trainCpuSecondsPerStep': train_cpu / args.steps,
        'inferMsPerImage': sorted(times)[len(times) // 2],
        'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == '__main__':
    main()
