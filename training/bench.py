"""Training-throughput benchmark on random crops (no data needed).

    /usr/bin/python3 -m training.bench --threads 2            # one process, 2 threads
    /usr/bin/python3 -m training.bench --threads 1 --procs 2  # two processes, 1 thread each

Runs the real training step (same model, loss, optimizer, batch assembly) at the config's batch
size and class count and prints images/second (summed over processes) after warm-up steps.
"""
import argparse
import subprocess
import sys
import time

import torch

from . import config as C
from .data import make_batch
from .losses import build_loss
from .model import build_model
from .train import parameter_groups


def measure(cfg, classes, steps, warmup):
    torch.manual_seed(0)
    batch = int(cfg["train"]["batch"]["P"]) * int(cfg["train"]["batch"]["K"])
    K = int(cfg["train"]["batch"]["K"])
    images = torch.randint(0, 256, (batch * 4, 3, 112, 112), dtype=torch.uint8)
    labels = torch.arange(batch * 4) // K % classes
    memory_format = torch.channels_last if cfg["train"].get("channels_last", True) else torch.contiguous_format
    model = build_model(cfg["model"]).to(memory_format=memory_format)
    loss_fn = build_loss(cfg["loss"], int(cfg["model"]["embedding_dim"]), classes)
    opt = torch.optim.SGD(parameter_groups(model, loss_fn, 5e-4), lr=0.01, momentum=0.9)
    for i in range(warmup + steps):
        if i == warmup:
            start = time.time()
        idx = torch.arange(batch) + (i % 4) * batch
        loss = loss_fn(model(make_batch(images, idx, True).to(memory_format=memory_format)), labels[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_fn.post_step()
    return steps * batch / (time.time() - start)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", default=C.loss_config_path("arcface"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--classes", type=int, default=1372, help="classifier width (~95%% of 1,444 ids)")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = p.parse_args(argv)
    if args.procs > 1:
        child = [sys.executable, "-m", "training.bench", "--config", args.config, "--threads", str(args.threads),
                 "--classes", str(args.classes), "--steps", str(args.steps), "--warmup", str(args.warmup)]
        for s in args.set:
            child += ["--set", s]
        procs = [subprocess.Popen(child, stdout=subprocess.PIPE, text=True, cwd=C.REPO_ROOT) for _ in range(args.procs)]
        rates = [float(proc.communicate()[0].split()[0]) for proc in procs]
        print("%.1f img/s total over %d processes x %d thread(s) (%s)" % (
            sum(rates), args.procs, args.threads, ", ".join("%.1f" % r for r in rates)))
        return 0
    torch.set_num_threads(args.threads)
    cfg = C.load_config(args.config, args.set)
    rate = measure(cfg, args.classes, args.steps, args.warmup)
    print("%.1f img/s (1 process x %d thread(s), %s, batch %d, %dx%d)" % (
        rate, args.threads, cfg["loss"]["name"], int(cfg["train"]["batch"]["P"]) * int(cfg["train"]["batch"]["K"]),
        int(cfg["model"]["train_size"]), int(cfg["model"]["train_size"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
