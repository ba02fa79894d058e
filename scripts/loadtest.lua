-- wrk script for scripts/loadtest.sh: POSTs the images listed in
-- $LOADTEST_FILES (space-separated paths) to /detect in rotation, as the old
-- client did (Content-Type: application/octet-stream), and counts answers
-- by status.
local bodies = {}
local counter = 0
statuses = {} -- global: done() reads it from each thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for path in string.gmatch(os.getenv("LOADTEST_FILES") or "", "%S+") do
    local f = assert(io.open(path, "rb"))
    table.insert(bodies, f:read("*a"))
    f:close()
  end
  assert(#bodies > 0, "LOADTEST_FILES is empty")
  counter = math.random(#bodies)
end

function request()
  counter = counter % #bodies + 1
  return wrk.format("POST", "/detect", {["Content-Type"] = "application/octet-stream"}, bodies[counter])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      total[code] = (total[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(total) do
    table.insert(parts, string.format("%d=%d", code, n))
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_s=%.1f rps=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f max_ms=%.1f statuses=%s socket_errors=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, table.concat(parts, ","),
    e.connect + e.read + e.write, e.timeout))
end
