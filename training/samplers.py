"""Batch samplers. Each returns, for an epoch number, the full list of batches (index lists),
deterministically from (seed, epoch), so an interrupted epoch resumes at the same batch.

``pk``: P identities x K images. Every identity's images are shuffled and cut into chunks of K
(the last chunk topped up with other images of the same identity, an identity with fewer than K
images repeats some); the chunks are shuffled and P of them make a batch. So an epoch still sees
(about) every image once, and every batch holds K images of each of its identities, which the
pair/triplet losses need. The same sampler is used for every loss so that the loss is the only
thing that differs between experiments.

``random``: plain shuffled batches of ``P * K`` images (classification losses only).
"""
import random


def pk_batches(labels, P, K, seed, epoch):
    rng = random.Random("pk:%s:%d" % (seed, epoch))
    by_id = {}
    for idx, lab in enumerate(labels):
        by_id.setdefault(int(lab), []).append(idx)
    chunks = []
    for lab in sorted(by_id):
        idx = by_id[lab][:]
        rng.shuffle(idx)
        for start in range(0, len(idx), K):
            chunk = idx[start:start + K]
            while len(chunk) < K:
                chunk.append(rng.choice(idx))
            chunks.append(chunk)
    rng.shuffle(chunks)
    return [sum(chunks[b:b + P], []) for b in range(0, len(chunks) - P + 1, P)]


def random_batches(labels, batch_size, seed, epoch):
    rng = random.Random("random:%s:%d" % (seed, epoch))
    order = list(range(len(labels)))
    rng.shuffle(order)
    return [order[b:b + batch_size] for b in range(0, len(order) - batch_size + 1, batch_size)]


def epoch_batches(batch_cfg, labels, seed, epoch):
    kind = batch_cfg.get("sampler", "pk")
    if kind == "pk":
        return pk_batches(labels, int(batch_cfg["P"]), int(batch_cfg["K"]), seed, epoch)
    if kind == "random":
        return random_batches(labels, int(batch_cfg["P"]) * int(batch_cfg["K"]), seed, epoch)
    raise ValueError("unknown sampler %r (pk or random)" % kind)
