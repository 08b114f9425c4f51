-- wrk script (bench/perf.py): POST /v1/verify with the bodies listed in the file $BODIES (one path a line:
-- JSON, or of the type $CONTENT_TYPE names, a multipart form's with its boundary), in turn, so every connection
-- sends many different pairs. done() prints one JSON line: requests, errors and latency percentiles in ms.
local bodies = {}
local counter = 0
local content_type = os.getenv("CONTENT_TYPE") or "application/json"

function init(args)
  for path in io.lines(os.getenv("BODIES")) do
    local f = assert(io.open(path, "rb"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/verify", { ["Content-Type"] = content_type },
    bodies[(counter % #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"non2xx":%d,"socket_errors":%d,"timeouts":%d,' ..
    '"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000))
end
