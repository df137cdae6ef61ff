#!/usr/bin/env python3
"""PyTorch CPU anchor for nn's BenchmarkMLPStep (issue 6): steps/s of one VICReg training step
of the 784-512-128 MLP (Linear, ReLU, Linear) on a batch of 256 pairs.

Usage: /usr/bin/python3 bench/mlp_torch.py [--threads 2] [--seconds 5] [--omp-passive] [--json out.json]

Same work as the Go benchmark: both views stacked (512 x 784, uniform [0,1) inputs, view 2 =
clip(view 1 + 0.1 N(0,1))), one forward, the official VICReg loss (facebookresearch/vicreg
main_vicreg.py, one process: sim 25, std 25, cov 1), backward, Adam(lr=1e-3) step, zero_grad.
Runs in float32 (PyTorch's default) and float64 (eigenssl's default), with
torch.set_num_threads(threads). --omp-passive sets OMP_WAIT_POLICY=PASSIVE before torch loads:
on a loaded machine the default spinning OpenMP threads (plus OpenBLAS's own) make torch several
times slower. Reports steps/s (wall clock) and cpu-ms/step (process CPU time of all threads, as
the Go benchmark's cpu-ms/step metric), the steadier figure on a loaded machine.
Optional benchmark script only: never part of the Go tests.
"""
import argparse, json, os, sys, time

if "--omp-passive" in sys.argv:  # must precede the first import of torch (libgomp reads it once)
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

import torch
import torch.nn.functional as F


def off_diagonal(x):
    n, m = x.shape
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def vicreg(x, y, sim=25.0, std=25.0, cov=1.0):
    # VICReg.forward of main_vicreg.py without the distributed gather.
    n, k = x.shape
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    cov_x = (x.T @ x) / (n - 1)
    cov_y = (y.T @ y) / (n - 1)
    cov_loss = off_diagonal(cov_x).pow_(2).sum().div(k) + off_diagonal(cov_y).pow_(2).sum().div(k)
    return sim * repr_loss + std * std_loss + cov * cov_loss


def run(dtype, batch, seconds):
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 128)).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x1 = torch.rand(batch, 784, dtype=dtype)
    x2 = (x1 + 0.1 * torch.randn(batch, 784, dtype=dtype)).clamp(0, 1)
    x = torch.cat([x1, x2])

    def step():
        opt.zero_grad(set_to_none=False)
        z = model(x)
        loss = vicreg(z[:batch], z[batch:])
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        step()
        n += 1
    return n / (time.perf_counter() - t0), 1e3 * (time.process_time() - c0) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--omp-passive", action="store_true", help="OMP_WAIT_POLICY=PASSIVE")
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = {"torch": torch.__version__, "threads": a.threads, "batch": a.batch,
           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "")}
    for name, dt in [("float32", torch.float32), ("float64", torch.float64)]:
        out[name + "_steps_per_s"], out[name + "_cpu_ms_per_step"] = run(dt, a.batch, a.seconds)
        print(f"mlp 784-512-128 B={a.batch} vicreg+adam {name}: {out[name + '_steps_per_s']:.2f} steps/s, "
              f"{out[name + '_cpu_ms_per_step']:.1f} cpu-ms/step (process CPU, all threads) "
              f"(torch {torch.__version__}, {a.threads} threads, OMP_WAIT_POLICY={out['omp_wait_policy'] or 'default'})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
