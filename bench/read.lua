-- wrk: each request reads a random visible ticket with the key of the client that owns it.
-- The targets file has one "key number etag" line per ticket; BENCH_ETAG=1 sends If-None-Match.
-- BENCH_CASE picks the request: `v1` (the v1 detail, the default), `v2` (the v2 detail by
-- number), `v2list` (the client's first v2 list page of 20).
local targets = {}
local use_etag = os.getenv("BENCH_ETAG") == "1"
local case = os.getenv("BENCH_CASE") or "v1"

function init(args)
  for line in io.lines(os.getenv("BENCH_TARGETS")) do
    local key, number, etag = line:match("^(%S+) (%S+) (.+)$")
    targets[#targets + 1] = {key, number, etag}
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  local t = targets[math.random(#targets)]
  local headers = {["X-API-Key"] = t[1], ["Accept"] = "application/json"}
  if use_etag then headers["If-None-Match"] = t[3] end
  if case == "v2" then
    return wrk.format("GET", "/api/v2/support/tickets/" .. t[2], headers)
  elseif case == "v2list" then
    return wrk.format("GET", "/api/v2/support/tickets?limit=20", headers)
  end
  return wrk.format("GET", "/api/support/tickets/" .. t[2], headers)
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.1f %.1f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
