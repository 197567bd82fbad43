"""The peer of the biometrics benchmark: faiss-cpu's exact inner-product index (IndexFlatIP)
over the same synthetic gallery and probes, one probe per search call as an identification
request arrives. Prints JSON: per-probe seconds and the top-k row numbers."""

import json
import sys
import time

import faiss
import numpy as np

gallery_path, probes_path, dimension, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
gallery = np.fromfile(gallery_path, dtype=np.float32).reshape(-1, dimension)
probes = np.fromfile(probes_path, dtype=np.float32).reshape(-1, dimension)
index = faiss.IndexFlatIP(dimension)
index.add(gallery)
index.search(probes[:1], k)  # warm-up
seconds, ids = [], []
for probe in probes:
    started = time.perf_counter()
    _, found = index.search(probe.reshape(1, -1), k)
    seconds.append(time.perf_counter() - started)
    ids.append([int(i) for i in found[0]])
print(json.dumps({"seconds": seconds, "ids": ids, "threads": faiss.omp_get_max_threads()}))
