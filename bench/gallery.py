#!/usr/bin/env python3
"""The gallery benchmark (docs/performance.md, "Gallery"): identification and enrolment at 10k, 100k and 1 M
templates of one model, embedded and postgres, over HTTP on loopback against the jar started by bench/lib.sh.

  bench/gallery.py [--sizes 10000,100000,1000000] [--stores embedded,postgres] [--probes 200] [--rounds 2]
                   [--only embed] [--skip-build]

Steps, each resumable (its results are kept under target/bench/gallery/ and reused by a rerun):
1. real embeddings: every face image of ../shared (LFW, CFP-dev, CelebA, CASIA samples) through the service's
   POST /v1/embed with the default model (real-<model>.f32, one 512-d float32 row per image that has a face,
   real-<model>.tsv: image, subject, row or the error code). --probes images (one per LFW person with two photos
   or more, that person's last) are kept out of the gallery: they are the probes;
2. the gallery: the other real embeddings, then random unit vectors (numpy, seed 33: said so in the report)
   up to each size, written straight into the store by dev.faceoff.gallery.GalleryFill (test sources): H2 for
   embedded; PostgreSQL 15 + pgvector by COPY, in a cluster kept under /tmp/faceoff-gallery-bench/ (a rerun
   reuses a filled one), the HNSW index then made by PostgresGalleryStore as the service makes it;
3. the service on that store: per probe photo, POST /v1/embed and POST /v1/identify alternately, one client,
   --rounds times (after a warm-up); identify's p50/p99 against embed's in the same run (added = difference),
   the search alone (faceoff_gallery_search_seconds), heap after a full GC and resident memory; recall@1 of
   identify's best subject against an exact search of the same gallery (numpy); enrolment: POST
   /v1/subjects/{id}/faces of the probe photos against one /v1/embed per gallery model (after 20 of warm-up),
   each enrolment's stages (timings_ms) and its possible_duplicate_of against identify's answer for the photo.
   A postgres cluster's means (and their TOAST) and their HNSW index are read into the page cache first
   (pg_prewarm), as a database that serves them keeps them in memory: a cluster just started reads them from disk at the first searches.
Results: target/bench/gallery/results.json and a markdown table on stdout. Every loop is bounded; only
127.0.0.1 is contacted; the services and clusters it starts are stopped (clusters kept on disk for reruns:
--clean deletes them).
"""
import argparse
import base64
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service  # noqa: E402  bench/service.py

OUT = os.path.join(service.ROOT, "target", "bench", "gallery")
CLUSTERS = "/tmp/faceoff-gallery-bench"
PG_BIN = "/usr/lib/postgresql/15/bin"
MODEL = "mobilefacenet-faceplugin"   # the default embedding model and the one gallery model
DIMENSION = 512
TENANT = "default"                   # API keys off: every request is the default tenant's
SEED = 33
DATASETS = ["lfw/lfw-deepfunneled", "cfp-dev/Data/Images", "celeba-299", "celeba-lowres-1131", "casia-14"]


def log(message):
    print("gallery: " + message, flush=True)


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# ---- HTTP (one connection per request: loopback, no keep-alive needed for one client)

def post_json(port, path, body, timeout=60):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as e:
        answer = json.loads(e.read() or b"{}")
        status = e.code
    return status, answer, (time.perf_counter() - started) * 1000


def put_json(port, path, body):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="PUT")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def get_text(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=60) as response:
        return response.read().decode()


def image_body(path):
    with open(path, "rb") as f:
        return {"image": base64.b64encode(f.read()).decode()}


# ---- 1. real embeddings

def images():
    """(path, subject) of every face image of the data sets, in a fixed order."""
    found = []
    for dataset in DATASETS:
        root = os.path.join(service.SHARED, "datasets", dataset)
        if not os.path.isdir(root):
            log("no %s: skipped" % root)
            continue
        prefix = dataset.split("/")[0]
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.lower().endswith((".jpg", ".jpeg", ".png")):
                    path = os.path.join(folder, name)
                    person = os.path.relpath(path, root).split(os.sep)[0]
                    found.append((path, re.sub(r"[^A-Za-z0-9._@-]", "_", "%s-%s" % (prefix, person))[:64]))
    return found


def start_service(name, extra=(), store="embedded", gallery_dir=None, url=None):
    os.environ["FACEOFF_GALLERY_STORE"] = store
    if gallery_dir:
        os.environ["FACEOFF_GALLERY_DIR"] = gallery_dir
    else:
        os.environ.pop("FACEOFF_GALLERY_DIR", None)
    args = list(extra)
    if url:
        args += ["--faceoff.gallery.postgres.url=" + url, "--faceoff.gallery.postgres.user=postgres"]
    port = free_port()
    return service.start(JAR, port, os.path.join(OUT, name + ".log"), args, name="gallery")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embed_all(threads, seconds):
    """real-<model>.f32 / .tsv: resumable, appended as answers come."""
    tsv = os.path.join(OUT, "real-%s.tsv" % MODEL)
    f32 = os.path.join(OUT, "real-%s.f32" % MODEL)
    done = {}
    rows = 0
    if os.path.exists(tsv):
        # an interrupted run may have written more of one file than of the other: keep the rows both have
        stored = os.path.getsize(f32) // (DIMENSION * 4) if os.path.exists(f32) else 0
        kept = []
        with open(tsv) as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if len(fields) == 3 and (not fields[2].isdigit() or int(fields[2]) == rows < stored):
                    kept.append(line if line.endswith("\n") else line + "\n")
                    done[fields[0]] = fields[2]
                    rows += fields[2].isdigit()
        with open(tsv, "w") as f:
            f.writelines(kept)
        with open(f32, "ab") as f:
            f.truncate(rows * DIMENSION * 4)
    todo = [(p, s) for p, s in images() if p not in done]
    log("real embeddings: %d images, %d done, %d to embed with %s" % (len(done) + len(todo), len(done), len(todo), MODEL))
    if not todo or seconds <= 0:
        return
    started = time.perf_counter()
    svc = start_service("embed")
    try:
        with open(tsv, "a") as t, open(f32, "ab") as v, \
                concurrent.futures.ThreadPoolExecutor(threads) as pool:
            futures = {pool.submit(post_json, svc.port, "/v1/embed", image_body(p)): (p, s) for p, s in todo[:threads * 4]}
            queue = iter(todo[threads * 4:])
            count = 0
            while futures:
                finished, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in finished:
                    path, subject = futures.pop(future)
                    status, answer, _ = future.result()
                    if status == 200 and answer.get("model", {}).get("name") == MODEL:
                        np.asarray(answer["embedding"], dtype="<f4").tofile(v)
                        t.write("%s\t%s\t%d\n" % (path, subject, rows))
                        rows += 1
                    else:
                        t.write("%s\t%s\t%s\n" % (path, subject, answer.get("code", "status-%d" % status)))
                    count += 1
                    if count % 1000 == 0:
                        v.flush()
                        t.flush()
                        rate = count / (time.perf_counter() - started)
                        log("embedded %d / %d (%.1f/s, load %.1f)" % (count, len(todo), rate, load_average()))
                    nxt = next(queue, None) if time.perf_counter() - started < seconds else None
                    if nxt:
                        futures[pool.submit(post_json, svc.port, "/v1/embed", image_body(nxt[0]))] = nxt
    finally:
        svc.stop()


def real_set(probes):
    """The real embeddings (matrix), their subjects, and the probes (paths, kept out of the gallery)."""
    vectors = np.fromfile(os.path.join(OUT, "real-%s.f32" % MODEL), dtype="<f4").reshape(-1, DIMENSION)
    entries = []
    with open(os.path.join(OUT, "real-%s.tsv" % MODEL)) as f:
        for line in f:
            path, subject, result = line.rstrip("\n").split("\t")
            if result.isdigit():
                entries.append((path, subject, int(result)))
    entries.sort()
    by_subject = {}
    for path, subject, row in entries:
        if subject.startswith("lfw-"):
            by_subject.setdefault(subject, []).append((path, row))
    chosen = [faces[-1] for subject, faces in sorted(by_subject.items()) if len(faces) >= 2]
    step = max(1, len(chosen) // probes)
    chosen = chosen[::step][:probes]
    probe_rows = {row for _, row in chosen}
    # LFW first: the probes' own people are in the gallery at every size
    gallery = [(subject, row) for path, subject, row in sorted(entries, key=lambda e: (not e[1].startswith("lfw-"), e[0]))
               if row not in probe_rows]
    return vectors, gallery, [path for path, _ in chosen], np.stack([vectors[row] for _, row in chosen])


def gallery_file(vectors, gallery, rows):
    """gallery-<model>.f32 / .subjects: the real embeddings, then random unit vectors (seed SEED) up to `rows`;
    every smaller size is a prefix. Rewritten only when it is short or its real part changed."""
    f32 = os.path.join(OUT, "gallery-%s.f32" % MODEL)
    subjects = os.path.join(OUT, "gallery-%s.subjects" % MODEL)
    meta = os.path.join(OUT, "gallery-%s.json" % MODEL)
    wanted = {"real": len(gallery), "seed": SEED}
    if os.path.exists(meta):
        with open(meta) as f:
            have = json.load(f)
        if have.get("real") == wanted["real"] and have.get("seed") == SEED and have.get("rows", 0) >= rows:
            return f32, subjects
    log("writing %d gallery rows: %d real, %d random unit vectors" % (rows, len(gallery), max(0, rows - len(gallery))))
    real = gallery[:rows]
    with open(f32, "wb") as v, open(subjects, "w") as t:
        vectors[[row for _, row in real]].astype("<f4").tofile(v)
        t.writelines(subject + "\n" for subject, _ in real)
        rng = np.random.default_rng(SEED)
        for start in range(len(real), rows, 50_000):
            n = min(50_000, rows - start)
            block = rng.standard_normal((n, DIMENSION), dtype=np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            block.astype("<f4").tofile(v)
            t.writelines("random-%07d\n" % (start + i) for i in range(n))
    with open(meta, "w") as f:
        json.dump(dict(wanted, rows=rows), f)
    return f32, subjects


def subject_rows(subjects, rows):
    """The subject of each of the gallery's first `rows` rows, as integers, and how many subjects there are."""
    with open(subjects) as f:
        names = [next(f).rstrip("\n") for _ in range(rows)]
    _, inverse = np.unique(np.asarray(names), return_inverse=True)
    return inverse, int(inverse.max()) + 1


def exact_best(f32, subjects, rows, queries):
    """The best similarity of each query over the subjects of the gallery's first `rows` rows, each subject by its
    mean template as the store searches it (the normalised sum of its rows, in double precision; one row: itself)."""
    gallery = np.memmap(f32, dtype="<f4", mode="r", shape=(rows, DIMENSION))
    owner, count = subject_rows(subjects, rows)
    faces = np.bincount(owner, minlength=count)
    shared = faces[owner] > 1                      # rows of subjects with several faces: their means
    best = np.full(len(queries), -np.inf, dtype=np.float32)
    if shared.any():
        index = np.flatnonzero(shared)
        sums = np.zeros((count, DIMENSION))
        np.add.at(sums, owner[index], np.asarray(gallery[index], dtype=np.float64))
        means = sums[np.unique(owner[index])]
        means = (means / np.linalg.norm(means, axis=1, keepdims=True)).astype(np.float32)
        best = np.maximum(best, (queries @ means.T).max(axis=1))
    for start in range(0, rows, 100_000):
        block = np.flatnonzero(~shared[start:start + 100_000]) + start
        if len(block):
            best = np.maximum(best, (queries @ np.asarray(gallery[block]).T).max(axis=1))
    return best


def java(*args):
    with open(os.path.join(service.ROOT, "target", "bench.classpath")) as f:
        classpath = "target/test-classes:target/classes:" + f.read().strip()
    done = subprocess.run(["java", "-Xmx2g", "-cp", classpath, *args], cwd=service.ROOT, text=True, capture_output=True)
    if done.returncode != 0:
        sys.exit("gallery: %s failed:\n%s" % (args[0], (done.stdout + done.stderr)[-3000:]))
    return done.stdout


# ---- postgres clusters, kept for reruns

class Cluster:
    def __init__(self, size):
        self.folder = os.path.join(CLUSTERS, "pg-%d" % size)
        self.port = free_port()
        self.url = "jdbc:postgresql://127.0.0.1:%d/gallery" % self.port

    def run(self, *command):
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, text=True,
                              cwd="/tmp").stdout

    def start(self):
        os.makedirs(CLUSTERS, exist_ok=True)
        shutil.chown(CLUSTERS, "postgres")
        fresh = not os.path.exists(os.path.join(self.folder, "PG_VERSION"))
        if fresh:
            self.run(PG_BIN + "/initdb", "-D", self.folder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        # durability off (a benchmark); room to build the HNSW index in memory
        self.run(PG_BIN + "/pg_ctl", "-D", self.folder, "-l", self.folder + ".log", "-w", "-t", "120", "-o",
                 "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                 "-c full_page_writes=off -c shared_buffers=1GB -c maintenance_work_mem=6GB "
                 "-c max_parallel_maintenance_workers=2 -c max_wal_size=8GB" % (self.port, CLUSTERS), "start")
        if fresh:
            self.sql("CREATE DATABASE gallery", database="postgres")

    def sql(self, statement, database="gallery"):
        return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                               "-Atc", statement], check=True, capture_output=True, text=True).stdout.strip()

    def stop(self):
        subprocess.run(["runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D", self.folder, "-m", "fast", "-w",
                        "stop"], capture_output=True, cwd="/tmp")


def fill(store, size, f32, subjects, location):
    marker = os.path.join(CLUSTERS, "%s-%d.filled" % (store, size))
    if os.path.exists(marker):
        log("%s %d: filled before (%s)" % (store, size, marker))
        return json.load(open(marker))
    log("%s %d: filling (load %.1f)" % (store, size, load_average()))
    started = time.perf_counter()
    output = java("dev.faceoff.gallery.GalleryFill", store, location, MODEL, str(DIMENSION), f32, subjects, str(size))
    log("; ".join(line for line in output.splitlines() if line.startswith("fill:")))
    index = re.search(r"written and their HNSW index made in ([\d.]+) s", output)
    result = {"fill_s": round(time.perf_counter() - started, 1), "hnsw_build_s": float(index.group(1)) if index else None,
              "fill_load": load_average()}
    with open(marker, "w") as f:
        json.dump(result, f)
    return result


# ---- 3. measuring

def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def search_seconds(port):
    text = get_text(port, "/actuator/prometheus")
    total = count = 0.0
    for line in text.splitlines():
        if line.startswith("faceoff_gallery_search_seconds_sum"):
            total += float(line.split()[-1])
        elif line.startswith("faceoff_gallery_search_seconds_count"):
            count += float(line.split()[-1])
    return total, count


def heap_after_gc(svc):
    subprocess.run(["jcmd", str(svc.pid), "GC.run"], capture_output=True, timeout=120)
    text = get_text(svc.port, "/actuator/prometheus")
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("jvm_memory_used_bytes") and 'area="heap"' in line) / 2 ** 20


def measure(svc, probe_paths, rounds, enrolments):
    bodies = [image_body(p) for p in probe_paths]
    for body in bodies[:20]:   # warm-up
        post_json(svc.port, "/v1/embed", body)
        post_json(svc.port, "/v1/identify", body)
    search_before = search_seconds(svc.port)
    embed_ms, identify_ms, queries, found = [], [], [], []
    identified = {}   # probe index -> the subject identify named at the default FPIR (None: no match), round 0
    load = [load_average()]
    for r in range(rounds):
        for index, body in enumerate(bodies):
            status, answer, ms = post_json(svc.port, "/v1/embed", body)
            if status != 200:
                continue
            embed_ms.append(ms)
            status2, answer2, ms2 = post_json(svc.port, "/v1/identify", dict(body, top_k=1))
            if status2 != 200:
                continue
            identify_ms.append(ms2)
            if r == 0:
                identified[index] = answer2.get("subject_id") if answer2["match"] else None
            if r == 0 and answer2["candidates"]:
                queries.append(answer["embedding"])
                found.append(answer2["candidates"][0]["similarity"])
    load.append(load_average())
    search_after = search_seconds(svc.port)
    searches = search_after[1] - search_before[1]
    # enrolment: one photo to a new subject, against one /v1/embed per gallery model of the same photo
    status = put_json(svc.port, "/v1/subjects/bench-enrol-0", {})
    with urllib.request.urlopen("http://127.0.0.1:%d/v1/subjects/bench-enrol-0" % svc.port, timeout=60) as response:
        gallery_models = json.loads(response.read())["missing"]
    enrol_ms, embeds_ms, stages, duplicates = [], [], {}, {"agree": 0, "differ": 0}
    # warm-up, as for identify: 20 enrolments of the last probes into a subject deleted after
    put_json(svc.port, "/v1/subjects/bench-enrol-warm-up", {})
    for body in bodies[-20:]:
        post_json(svc.port, "/v1/embed", body)
        post_json(svc.port, "/v1/subjects/bench-enrol-warm-up/faces", dict(body, min_quality=0))
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/v1/subjects/bench-enrol-warm-up" % svc.port,
                                                  method="DELETE"), timeout=60).close()
    for i, body in enumerate(bodies[:enrolments]):
        subject = "bench-enrol-%d" % i
        put_json(svc.port, "/v1/subjects/" + subject, {})
        total = 0.0
        for model in gallery_models:
            total += post_json(svc.port, "/v1/embed", dict(body, model=model))[2]
        status, answer, ms = post_json(svc.port, "/v1/subjects/%s/faces" % subject, dict(body, min_quality=0))
        if status == 201:
            enrol_ms.append(ms)
            embeds_ms.append(total)
            for stage, stage_ms in answer["timings_ms"].items():
                stages.setdefault(stage, []).append(stage_ms)
            # the duplicate check against identify's answer for the same photo (the gallery without it)
            if i in identified:
                same = answer.get("possible_duplicate_of") == identified[i]
                duplicates["agree" if same else "differ"] += 1
    for i in range(min(enrolments, len(bodies))):
        request = urllib.request.Request("http://127.0.0.1:%d/v1/subjects/bench-enrol-%d" % (svc.port, i), method="DELETE")
        try:
            urllib.request.urlopen(request, timeout=60).close()
        except urllib.error.HTTPError:
            pass
    load.append(load_average())
    rss, peak = svc.memory()
    return {
        "requests": len(identify_ms),
        "embed_p50_ms": percentile(embed_ms, 50), "embed_p99_ms": percentile(embed_ms, 99),
        "identify_p50_ms": percentile(identify_ms, 50), "identify_p99_ms": percentile(identify_ms, 99),
        "added_p50_ms": percentile(identify_ms, 50) - percentile(embed_ms, 50),
        "added_p99_ms": percentile(identify_ms, 99) - percentile(embed_ms, 99),
        "search_mean_ms": 1000 * (search_after[0] - search_before[0]) / searches if searches else None,
        "gallery_models": gallery_models, "enrolments": len(enrol_ms),
        "enrol_p50_ms": percentile(enrol_ms, 50) if enrol_ms else None,
        "enrol_p99_ms": percentile(enrol_ms, 99) if enrol_ms else None,
        "embeds_p50_ms": percentile(embeds_ms, 50) if embeds_ms else None,
        "embeds_p99_ms": percentile(embeds_ms, 99) if embeds_ms else None,
        "enrol_per_s": 1000 * len(enrol_ms) / sum(enrol_ms) if enrol_ms else None,
        "enrol_stages_p50_ms": {stage: percentile(v, 50) for stage, v in stages.items()},
        "duplicate_check_vs_identify": duplicates,
        "heap_after_gc_mib": heap_after_gc(svc), "rss_mib": rss, "rss_peak_mib": peak,
        "load": load, "queries": queries, "found": found,
    }


def run_one(store, size, f32, subjects, probe_paths, args):
    cluster = None
    try:
        if store == "embedded":
            folder = os.path.join(CLUSTERS, "h2-%d" % size)
            filled = fill(store, size, f32, subjects, folder)
            svc = start_service("%s-%d" % (store, size), gallery_dir=folder)
        else:
            cluster = Cluster(size)
            cluster.start()
            filled = fill(store, size, f32, subjects, cluster.url)
            prewarmed = cluster.sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm; SELECT sum(pg_prewarm(c.oid::regclass, 'read')) "
                                    "FROM pg_class c WHERE c.relname = 'gallery_mean' OR c.relname LIKE 'gallery\\_mean\\_hnsw\\_%' "
                                    "OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'gallery_mean')")
            log("%s %d: %s blocks of the means and their index read into memory" % (store, size, prewarmed.splitlines()[-1]))
            svc = start_service("%s-%d" % (store, size), store="postgres", url=cluster.url)
        try:
            log("%s %d: ready in %.1f s; measuring (load %.1f)" % (store, size, svc.ready_s, load_average()))
            result = measure(svc, probe_paths, args.rounds, args.enrolments)
            log("%s %d: enrolment stages, p50 ms: %s; duplicate check against identify: %s" % (
                store, size, result["enrol_stages_p50_ms"], result["duplicate_check_vs_identify"]))
        finally:
            svc.stop()
        if cluster:
            result["table_mib"] = int(cluster.sql("SELECT pg_table_size('gallery_template') + pg_table_size('gallery_mean')")) / 2 ** 20
            result["hnsw_mib"] = int(cluster.sql("SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_index "
                                                 "JOIN pg_class ON pg_class.oid = indexrelid WHERE relname LIKE "
                                                 "'gallery\\_mean\\_hnsw\\_%'")) / 2 ** 20
    finally:
        if cluster:
            cluster.stop()
    best = exact_best(f32, subjects, size, np.asarray(result.pop("queries"), dtype=np.float32))
    found = np.asarray(result.pop("found"), dtype=np.float32)
    result["recall_at_1"] = float(np.mean(found >= best - 1e-5)) if len(found) else None
    result.update(store=store, size=size, subjects=subject_rows(subjects, size)[1], ready_s=round(svc.ready_s, 1), **filled)
    return result


def table(results, real):
    lines = ["| store | faces (subjects) | identify p50 / p99 | embed p50 / p99 | added p50 / p99 | search (mean) | recall@1 "
             "| heap after GC / RSS | enrol p50 / p99 | embed × models p50 / p99 | enrol ÷ embeds (p50) | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        size = "%s (%s; %s real faces)" % (format(r["size"], ","), format(r.get("subjects", r["size"]), ","),
                                          format(min(real, r["size"]), ","))
        memory = "%.0f / %.0f MiB" % (r["heap_after_gc_mib"], r["rss_mib"])
        if "hnsw_mib" in r:
            memory += "; db %.0f + HNSW %.0f MiB" % (r["table_mib"], r["hnsw_mib"])
        lines.append("| %s | %s | %.1f / %.1f ms | %.1f / %.1f ms | %+.1f / %+.1f ms | %.1f ms | %.3f | %s | %s | %s | %s | %s |" % (
            r["store"], size, r["identify_p50_ms"], r["identify_p99_ms"], r["embed_p50_ms"], r["embed_p99_ms"],
            r["added_p50_ms"], r["added_p99_ms"], r["search_mean_ms"] or 0, r["recall_at_1"], memory,
            "%.1f / %.1f ms" % (r["enrol_p50_ms"], r["enrol_p99_ms"]) if r["enrol_p50_ms"] else "-",
            "%.1f / %.1f ms" % (r["embeds_p50_ms"], r["embeds_p99_ms"]) if r["embeds_p50_ms"] else "-",
            "%.2f" % (r["enrol_p50_ms"] / r["embeds_p50_ms"]) if r["enrol_p50_ms"] else "-",
            "–".join("%.1f" % x for x in r["load"])))
    return "\n".join(lines)


def main():
    global JAR
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--stores", default="embedded,postgres")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--enrolments", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="clients of the embedding step")
    parser.add_argument("--embed-minutes", type=float, default=60, help="at most this long embedding (resumable)")
    parser.add_argument("--only", choices=["embed"])
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--clean", action="store_true", help="delete the kept stores and clusters first")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    JAR = os.path.join(service.ROOT, "target", "faceoff.jar")
    if args.clean:
        shutil.rmtree(CLUSTERS, ignore_errors=True)
    if not args.skip_build:
        build()
    embed_all(args.threads, args.embed_minutes * 60)
    if args.only == "embed":
        return
    vectors, gallery, probe_paths, _ = real_set(args.probes)
    sizes = [int(s) for s in args.sizes.split(",")]
    f32, subjects = gallery_file(vectors, gallery, max(sizes))
    log("%d real embeddings in the gallery (of %d images with a face), %d probes kept out" % (
        len(gallery), len(vectors), len(probe_paths)))
    results_path = os.path.join(OUT, "results.json")
    results = json.load(open(results_path)) if os.path.exists(results_path) else []
    for size in sizes:
        for store in args.stores.split(","):
            if store == "embedded" and size * DIMENSION * 4 > 2 ** 30 // 2:
                log("embedded %d: skipped, %d MB of vectors do not fit the pod's 1 GiB heap" % (
                    size, size * DIMENSION * 4 // 10 ** 6))
                continue
            result = run_one(store, size, f32, subjects, probe_paths, args)
            result["real"] = min(len(gallery), size)
            result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            results = [r for r in results if (r["store"], r["size"]) != (store, size)] + [result]
            with open(results_path, "w") as f:
                json.dump(results, f, indent=1)
            log(json.dumps({k: v for k, v in result.items()}))
    results.sort(key=lambda r: (r["size"], r["store"]))
    print(table(results, len(gallery)))


def build():
    log("building (mvn -o package, test classes, classpath)")
    subprocess.run(["mvn", "-B", "-o", "-q", "package", "-DskipTests", "dependency:build-classpath",
                    "-Dmdep.outputFile=target/bench.classpath"], check=True, cwd=service.ROOT)


JAR = None

if __name__ == "__main__":
    main()
