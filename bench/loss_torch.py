#!/usr/bin/python3
"""Time value + gradient of the official-convention SSL losses in PyTorch (CPU).

Counterpart of `go test -bench BenchmarkLoss ./loss`: same losses
(vicreg_official, barlowtwins_official, ntxent), same conventions as
../shared/oracles/README.md, same sizes (N rows per branch in {512, 4096},
K in {128, 2048}), standard-normal inputs, float64 and float32, on
torch.set_num_threads(THREADS) threads (default 2).

Usage: /usr/bin/python3 bench/loss_torch.py [--threads 2] [--reps 3]
       [--losses vicreg_official,barlowtwins_official,ntxent]
       [--sizes 512x128,512x2048,4096x128,4096x2048] [--dtypes float64,float32]
Prints one line per case: loss, N, K, dtype, median seconds per value+gradient.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def vicreg_official(x, y, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0):
    n, k = x.shape
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    cov_x = (x.T @ x) / (n - 1)
    cov_y = (y.T @ y) / (n - 1)

    def off(c):
        return c.flatten()[:-1].view(k - 1, k + 1)[:, 1:].flatten()

    cov_loss = off(cov_x).pow_(2).sum().div(k) + off(cov_y).pow_(2).sum().div(k)
    return sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss


def barlowtwins_official(z1, z2, lambd=0.0051):
    n, k = z1.shape
    bn = torch.nn.BatchNorm1d(k, affine=False).to(z1.dtype)
    c = bn(z1).T @ bn(z2)
    c.div_(n)
    on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
    off_diag = c.flatten()[:-1].view(k - 1, k + 1)[:, 1:].flatten().pow_(2).sum()
    return on_diag + lambd * off_diag


def ntxent(z1, z2, tau=0.1):
    n = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    s = z @ z.T / tau
    s.fill_diagonal_(float("-inf"))
    pos = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(s, pos)


LOSSES = {"vicreg_official": vicreg_official,
          "barlowtwins_official": barlowtwins_official,
          "ntxent": ntxent}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--losses", default=",".join(LOSSES))
    ap.add_argument("--sizes", default="512x128,512x2048,4096x128,4096x2048")
    ap.add_argument("--dtypes", default="float64,float32")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}")
    print("loss\tN\tK\tdtype\tseconds")
    for name in a.losses.split(","):
        f = LOSSES[name]
        for size in a.sizes.split(","):
            n, k = (int(v) for v in size.split("x"))
            for dt in a.dtypes.split(","):
                dtype = getattr(torch, dt)
                g = torch.Generator().manual_seed(n * 7919 + k)
                x = torch.randn(n, k, generator=g, dtype=dtype)
                y = torch.randn(n, k, generator=g, dtype=dtype)
                times = []
                for _ in range(a.reps + 1):  # first run warms up
                    xr = x.clone().requires_grad_(True)
                    yr = y.clone().requires_grad_(True)
                    t0 = time.perf_counter()
                    v = f(xr, yr)
                    gx, gy = torch.autograd.grad(v, (xr, yr))
                    times.append(time.perf_counter() - t0)
                med = statistics.median(times[1:])
                print(f"{name}\t{n}\t{k}\t{dt}\t{med:.6f}", flush=True)


if __name__ == "__main__":
    main()
