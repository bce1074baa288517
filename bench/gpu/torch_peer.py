"""The PyTorch peer of issue 13: the notebook's recipe (784-128-64-10 MLP, Adam 1e-3,
reshuffled batches) in eager mode on CUDA, fed from the same IDX files, with the whole
training set on the device (as favourable to PyTorch as it gets). Prints one JSON line
per epoch with its seconds. Uses the device machine's own torch; nothing is downloaded.

    python3 bench/gpu/torch_peer.py --data DIR --epochs 2 --batch-size 64
"""
import argparse, json, os, time
import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--batch-size", type=int, default=64)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()

def idx(name, offset):
    with open(os.path.join(a.data, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

dev = torch.device("cuda")
torch.manual_seed(a.seed)
x = torch.tensor(idx("train-images-idx3-ubyte", 16).reshape(-1, 784), device=dev).float().div_(255).sub_(0.1307).div_(0.3081)
y = torch.tensor(idx("train-labels-idx1-ubyte", 8).astype(np.int64), device=dev)
xt = torch.tensor(idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784), device=dev).float().div_(255).sub_(0.1307).div_(0.3081)
yt = torch.tensor(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64), device=dev)
model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)).to(dev)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
for epoch in range(1, a.epochs + 1):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    order = torch.randperm(x.shape[0], device=dev)
    for i in range(0, x.shape[0], a.batch_size):
        b = order[i:i + a.batch_size]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x[b]), y[b]).backward()
        opt.step()
    torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean().item()
    print(json.dumps({"peer": "pytorch-eager-cuda", "torch": torch.__version__, "batch": a.batch_size, "epoch": epoch, "seconds": round(secs, 4), "testAccuracy": round(acc, 4)}), flush=True)
