"""PyTorch twins of Vessel Studio's two reference networks, timed like bench/compute.bench.ts.

Run by /usr/bin/python3 with Debian's python3-torch (1.13, CPU), or any python3 whose torch
has CUDA (--device cuda|auto). Prints one JSON object: training patches per second (batches of
patches 48x48x1, Adam; one entry per --batch size, the first also as trainPatchesPerSec),
milliseconds to infer one whole image padded to the network's multiple (median of
--infer-runs after --infer-warmup), peak RSS and the parameter count, which must equal the
tfjs model's (487,009 for bench-unet). --probe prints what torch sees (version, CUDA) and exits.

On CUDA the figures are fp32 with TF32 off (as tfjs computes), and every timed span starts and
ends with torch.cuda.synchronize(), so they are GPU time, not launch time.
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


def batch_sizes(text):
    """--batch 32 or --batch 32,128: the training batch sizes, each timed on its own."""
    try:
        sizes = [int(b) for b in text.split(',') if b.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f'batch sizes are integers, got {text!r}')
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f'batch sizes are positive integers, got {text!r}')
    return sizes


def torch_facts():
    """What this torch is and sees: printed by --probe, and part of every result."""
    cuda = torch.cuda.is_available()
    return {
        'torch': torch.__version__,
        'cudaAvailable': cuda,
        'cudaVersion': torch.version.cuda,
        'gpuName': torch.cuda.get_device_name(0) if cuda else None,
    }


def resolve_device(requested):
    if requested == 'auto':
        return 'cuda' if torch.cuda.is_available() else 'cpu'
    if requested == 'cuda' and not torch.cuda.is_available():
        raise SystemExit(
            f'--device cuda: torch {torch.__version__} sees no CUDA GPU '
            '(torch.cuda.is_available() is false)')
    return requested


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--net', choices=['bench-unet', 'laddernet'])
    parser.add_argument('--probe', action='store_true',
                        help='print the torch version and whether it sees CUDA, then exit')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'auto'], default='cpu',
                        help='auto: cuda when torch.cuda.is_available(), else cpu')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', '--batches', dest='batches', type=batch_sizes, default=[32],
                        help='batch size, or comma-separated sizes (32,128)')
    parser.add_argument('--patch', type=int, default=48)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--infer-warmup', type=int, default=1)
    parser.add_argument('--infer-runs', type=int, default=3)
    parser.add_argument('--height', type=int, default=584)
    parser.add_argument('--width', type=int, default=565)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps({**torch_facts(), 'device': resolve_device(args.device)}))
        return
    if args.net is None:
        parser.error('--net is required (or --probe)')

    device = torch.device(resolve_device(args.device))
    cuda = device.type == 'cuda'
    if cuda:
        # fp32 as tfjs computes it: TF32 would round matmul and conv inputs to 10-bit mantissas.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    def synchronize():
        if cuda:
            torch.cuda.synchronize()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.net == 'bench-unet':
        model, multiple = BenchUnet(), 8
    else:
        model, multiple = LadderNet(), 16
    model = model.to(device)
    params = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step(x, y):
        optimiser.zero_grad()
        out = model(x)
        if args.net == 'bench-unet':
            loss = F.binary_cross_entropy(out, y)
        else:
            loss = F.nll_loss(out, y[:, 0].long())
        loss.backward()
        optimiser.step()
        # Reading the loss back every step, as the app's training loop (and tfjs'
        # trainOnBatch) does.
        return loss.item()

    model.train()
    train = []
    for batch in args.batches:
        x = torch.rand(batch, 1, args.patch, args.patch).to(device)
        y = (torch.rand(batch, 1, args.patch, args.patch) > 0.8).float().to(device)
        for _ in range(args.warmup):
            train_step(x, y)
        synchronize()
        start = time.perf_counter()
        cpu_start = time.process_time()
        for _ in range(args.steps):
            train_step(x, y)
        synchronize()
        train_seconds = time.perf_counter() - start
        train_cpu = time.process_time() - cpu_start
        train.append({
            'batch': batch,
            'patchesPerSec': batch * args.steps / train_seconds,
            'stepMs': train_seconds * 1000 / args.steps,
            'cpuSecondsPerStep': train_cpu / args.steps,
        })
        del x, y

    model.eval()
    height, width = padded(args.height, multiple), padded(args.width, multiple)
    image = torch.rand(1, 1, args.height, args.width).to(device)
    times = []
    with torch.no_grad():
        for run in range(args.infer_warmup + args.infer_runs):
            synchronize()
            start = time.perf_counter()
            pad = (0, width - args.width, 0, height - args.height)
            out = model(F.pad(image, pad, mode='reflect'))[..., :args.height, :args.width]
            out.sum().item()
            synchronize()
            if run >= args.infer_warmup:
                times.append((time.perf_counter() - start) * 1000)

    result = {
        'name': args.net,
        'params': params,
        'device': device.type,
        'threads': torch.get_num_threads(),
        **torch_facts(),
        'trainPatchesPerSec': train[0]['patchesPerSec'],
        'trainCpuSecondsPerStep': train[0]['cpuSecondsPerStep'],
        'train': train,
        'inferMsPerImage': sorted(times)[len(times) // 2],
        'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if cuda:
        result['tf32'] = False
        result['cudnnBenchmark'] = torch.backends.cudnn.benchmark
        result['peakGpuMemoryMb'] = torch.cuda.max_memory_allocated() / 2**20
    print(json.dumps(result))


if __name__ == '__main__':
    main()
