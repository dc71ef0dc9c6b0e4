-- wrk script of benchmarks/rest.py: `get` requests rotate over the ids 0..records-1
-- (`GET /messages/<id>`), `find` requests are `GET /messages`; prints one JSON line.
--   wrk -t1 -c50 -d5s -s benchmarks/wrk_rest.lua http://127.0.0.1:3030 -- get 5
local kind, records, counter = "get", 5, 0

function init(args)
  kind = args[1] or "get"
  records = tonumber(args[2] or "5")
end

function request()
  counter = counter + 1
  if kind == "get" then
    return wrk.format("GET", "/messages/" .. (counter % records))
  end
  return wrk.format("GET", "/messages")
end

function done(summary, latency, requests)
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  io.write(string.format(
    '{"calls_per_s": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "calls": %d, "errors": %d, ' ..
    '"seconds": %.3f}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, failed, summary.duration / 1e6))
end
